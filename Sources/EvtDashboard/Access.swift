import EvtBus

/// Who may see pages and take actions.
///
/// - Pages: open on a loopback listener; on any other address they need the token too.
/// - Actions (replay, purge): only with `--allow-actions`, with the token (an
///   `Authorization: Bearer` header or the `evt_dashboard` cookie the login form sets:
///   `HttpOnly`, `SameSite=Strict`), and with the CSRF token of that session in the POST body.
/// - Every state-changing request is a POST; GET never changes anything.
///
/// Tokens are compared in constant time; the token is never written to a page or a log.
struct Access: Sendable {
  let token: String
  let allowActions: Bool
  let pagesNeedToken: Bool
  /// Mixed into every CSRF token; new each start, so tokens of an earlier run are void.
  private let secret: String

  static let cookie = "evt_dashboard"

  init(token: String, allowActions: Bool, pagesNeedToken: Bool) {
    self.token = token
    self.allowActions = allowActions
    self.pagesNeedToken = pagesNeedToken
    secret = DashboardSettings.randomToken()
  }

  /// Whether `given` is the token (constant time over the token's length).
  func isToken(_ given: String?) -> Bool {
    guard let given else { return false }
    return Self.constantTimeEqual(Array(given.utf8), Array(token.utf8))
  }

  /// The token a request carries: `Authorization: Bearer …` or the session cookie.
  static func presented(authorization: String?, cookieHeader: String?) -> String? {
    if let a = authorization, a.hasPrefix("Bearer ") { return String(a.dropFirst(7)) }
    for part in (cookieHeader ?? "").split(separator: ";") {
      let kv = part.drop { $0 == " " }.split(separator: "=", maxSplits: 1)
      if kv.count == 2 && kv[0] == Self.cookie { return String(kv[1]) }
    }
    return nil
  }

  /// The CSRF token of a session (`nil`: not logged in, for the login form itself).
  func csrf(for session: String?) -> String {
    let bytes = Array((secret + "\u{0}" + (isToken(session) ? token : "")).utf8)
    return String(SHA256.hex(bytes).prefix(32))
  }

  func isCSRF(_ given: String?, for session: String?) -> Bool {
    guard let given else { return false }
    return Self.constantTimeEqual(Array(given.utf8), Array(csrf(for: session).utf8))
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
  }

  /// A local path to go back to after logging in: one that starts with a single `/`
  /// (never `//host` or a scheme), else the overview.
  static func localPath(_ next: String?) -> String {
    guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
      !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
    else { return "/" }
    return next
  }
}
