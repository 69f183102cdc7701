/// Where and how to reach one Redis server.
///
/// Accepted forms:
/// - `redis://[user[:password]@]host[:port][/db]` (default port 6379, db 0; IPv6 hosts in
///   brackets; user and password may be percent-encoded)
/// - `rediss://…` as `redis://`, over TLS (``tls`` holds how; verification on by default)
/// - `unix:///path/to/redis.sock[?db=N&user=U&password=P]`
/// - several nodes of one cluster, comma-separated: `redis://[user:password@]host1:port1,host2:port2`
///   (or each a whole URL); the first that answers is used to find the others
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
  public enum Endpoint: Sendable, Equatable {
    case tcp(host: String, port: Int)
    case unix(path: String)
  }

  public var endpoint: Endpoint
  /// ACL user name; `nil` authenticates as the default user (`AUTH password`).
  public var user: String?
  /// `nil` skips AUTH.
  public var password: String?
  /// Selected with SELECT after connecting when not 0.
  public var database: Int
  /// TLS for a `rediss://` URL (TCP only); `nil`: plain.
  public var tls: TLSOptions?
  /// Further addresses given after commas (nodes of the same cluster).
  public var moreEndpoints: [Endpoint] = []

  /// This URL for each address it names, the first first.
  public var seeds: [RedisURL] {
    [self]
      + moreEndpoints.map { e in
        var u = self
        u.endpoint = e
        u.moreEndpoints = []
        return u
      }
  }

  /// The same user, password, database and TLS at another address.
  public func at(host: String, port: Int) -> RedisURL {
    var u = self
    u.endpoint = .tcp(host: host, port: port)
    u.moreEndpoints = []
    return u
  }

  public init(endpoint: Endpoint, user: String? = nil, password: String? = nil, database: Int = 0, tls: TLSOptions? = nil) {
    self.endpoint = endpoint
    self.user = user
    self.password = password
    self.database = database
    self.tls = tls
  }

  /// The URL with the password masked, safe for messages and logs.
  public var description: String {
    switch endpoint {
    case .tcp(let host, let port):
      var credentials = ""
      if user != nil || password != nil {
        credentials = (user ?? "") + (password != nil ? ":***" : "") + "@"
      }
      let hostPart = host.contains(":") ? "[\(host)]" : host
      return (tls == nil ? "redis://" : "rediss://") + "\(credentials)\(hostPart):\(port)" + (database != 0 ? "/\(database)" : "")
    case .unix(let path):
      var query: [String] = []
      if database != 0 { query.append("db=\(database)") }
      if let user { query.append("user=\(user)") }
      if password != nil { query.append("password=***") }
      return "unix://\(path)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
  }

  /// Parses a URL; throws ``RedisError`` with kind `.invalidURL` and a message that says what
  /// is wrong (never echoing the password).
  public init(parsing text: String) throws(RedisError) {
    func bad(_ why: String) -> RedisError {
      RedisError(.invalidURL, "invalid Redis URL '\(RedisURL.mask(text))': \(why)")
    }
    // Several addresses: commas after the credentials (a password may hold a comma).
    let afterCredentials = text.lastIndex(of: "@").map { text.index(after: $0) } ?? text.startIndex
    if let comma = text[afterCredentials...].firstIndex(of: ",") {
      self = try RedisURL(parsing: String(text[..<comma]))
      for part in text[text.index(after: comma)...].split(separator: ",", omittingEmptySubsequences: false) {
        let full = part.contains("://") ? String(part) : (tls == nil ? "redis://" : "rediss://") + part
        let other: RedisURL
        do { other = try RedisURL(parsing: full) } catch { throw bad("in the address list: \(error.message)") }
        guard case .tcp = other.endpoint, case .tcp = endpoint, (other.tls == nil) == (tls == nil) else {
          throw bad("a list of addresses must all be redis:// (or all rediss://) host:port")
        }
        moreEndpoints.append(other.endpoint)
      }
      return
    }
    if text.hasPrefix("rediss://") {
      self = try Self.parseTCP(Substring(text.dropFirst("rediss://".count)), bad)
      tls = TLSOptions()
      return
    }
    if text.hasPrefix("unix://") {
      self = try Self.parseUnix(String(text.dropFirst("unix://".count)), bad)
      return
    }
    guard text.hasPrefix("redis://") else {
      throw bad("expected redis://host:port[/db], rediss://host:port[/db] (TLS) or unix:///path/to/redis.sock")
    }
    self = try Self.parseTCP(Substring(text.dropFirst("redis://".count)), bad)
  }

  /// `unix:///path[?db=N&user=U&password=P]`, after the scheme.
  private static func parseUnix(_ rest: String, _ bad: (String) -> RedisError) throws(RedisError) -> RedisURL {
    let (path, query) = Self.split(rest, at: "?")
    guard path.hasPrefix("/"), path.count > 1 else {
      throw bad("expected unix:///absolute/path/to/redis.sock")
    }
    var url = RedisURL(endpoint: .unix(path: try Self.percentDecode(path, bad)))
    for pair in query?.split(separator: "&", omittingEmptySubsequences: true) ?? [] {
      let (key, value) = Self.split(String(pair), at: "=")
      guard let value else { throw bad("query parameter '\(key)' needs a value") }
      switch key {
      case "db": url.database = try Self.parseDatabase(value, bad)
      case "user": url.user = try Self.percentDecode(value, bad)
      case "password": url.password = try Self.percentDecode(value, bad)
      default: throw bad("unknown query parameter '\(key)' (expected db, user or password)")
      }
    }
    return url
  }

  /// `redis://[user[:password]@]host[:port][/db]`, after the scheme.
  private static func parseTCP(_ text: Substring, _ bad: (String) -> RedisError) throws(RedisError) -> RedisURL {
    var rest = text
    var url = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: 6379))
    // Credentials: everything before the last '@' (passwords may contain '@' only encoded,
    // but be lenient and split at the last one).
    if let at = rest.lastIndex(of: "@") {
      let credentials = String(rest[..<at])
      rest = rest[rest.index(after: at)...]
      let (user, password) = Self.split(credentials, at: ":")
      url.user = user.isEmpty ? nil : try Self.percentDecode(user, bad)
      url.password = try password.map { p throws(RedisError) in try Self.percentDecode(p, bad) }
      if url.password == nil, url.user != nil {
        // redis://secret@host is the common shorthand for a password without user.
        url.password = url.user
        url.user = nil
      }
    }
    var hostPort = rest
    if let slash = rest.firstIndex(of: "/") {
      hostPort = rest[..<slash]
      let db = rest[rest.index(after: slash)...]
      if !db.isEmpty { url.database = try Self.parseDatabase(String(db), bad) }
    }
    var host: Substring
    var portText: Substring?
    if hostPort.hasPrefix("[") {
      guard let close = hostPort.firstIndex(of: "]") else { throw bad("unclosed '[' in IPv6 host") }
      host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
      let after = hostPort[hostPort.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw bad("unexpected text after IPv6 host") }
        portText = after.dropFirst()
      }
    } else if let colon = hostPort.firstIndex(of: ":") {
      host = hostPort[..<colon]
      portText = hostPort[hostPort.index(after: colon)...]
    } else {
      host = hostPort
    }
    if host.isEmpty { host = "127.0.0.1" }
    guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_" })
    else { throw bad("host '\(host)' contains characters a host name cannot have") }
    var port = 6379
    if let portText {
      guard let p = Int(portText), (1...65535).contains(p) else {
        throw bad("port '\(portText)' is not a number from 1 to 65535")
      }
      port = p
    }
    url.endpoint = .tcp(host: String(host), port: port)
    return url
  }

  // MARK: - Helpers

  private static func split(_ text: String, at separator: Character) -> (String, String?) {
    guard let i = text.firstIndex(of: separator) else { return (text, nil) }
    return (String(text[..<i]), String(text[text.index(after: i)...]))
  }

  private static func parseDatabase(_ text: String, _ bad: (String) -> RedisError) throws(RedisError) -> Int {
    guard let db = Int(text), db >= 0, db <= 1_000_000 else {
      throw bad("database '\(text)' is not a non-negative number")
    }
    return db
  }

  private static func percentDecode(_ text: String, _ bad: (String) -> RedisError) throws(RedisError) -> String {
    guard text.contains("%") else { return text }
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let b = utf8.popFirst() {
      if b == UInt8(ascii: "%") {
        guard utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
        else { throw bad("bad percent-encoding") }
        bytes.append(v)
        utf8 = utf8.dropFirst(2)
      } else {
        bytes.append(b)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Masks the password in a URL text that may not even parse, for error messages: whatever
  /// stands before the last `@` may be a secret. After a well-formed `scheme://` the user name
  /// is kept and the password masked; in anything malformed (`redis:/u:pw@h`, `redis//u:pw@h`)
  /// everything before the `@` is masked.
  public static func mask(_ text: String) -> String {
    var out = Array(text.utf8)
    for r in secretRanges(in: text).reversed() { out.replaceSubrange(r, with: Array("***".utf8)) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Where the secrets are in a URL text that may not even parse, as UTF-8 byte offsets, in
  /// order: the password (or, in malformed text, everything) before the last `@`, and the
  /// value of a `password=` parameter. For ``mask(_:)``, and for blanking the password out of
  /// a process's own arguments.
  public static func secretRanges(in text: String) -> [Range<Int>] {
    let b = Array(text.utf8)
    var ranges: [Range<Int>] = []
    if let at = b.lastIndex(of: UInt8(ascii: "@")) {
      if let schemeEnd = Self.schemeEnd(b), schemeEnd <= at {
        let colon = b[schemeEnd..<at].firstIndex(of: UInt8(ascii: ":"))
        ranges.append((colon.map { $0 + 1 } ?? schemeEnd)..<at)
      } else {
        ranges.append(0..<at)
      }
    }
    let key = Array("password=".utf8)
    if let p = (0...max(0, b.count - key.count)).first(where: { b.count >= key.count && b[$0..<($0 + key.count)].elementsEqual(key) }) {
      let start = p + key.count
      let end = b[start...].firstIndex(of: UInt8(ascii: "&")) ?? b.count
      if !ranges.contains(where: { $0.overlaps(start..<end) }) { ranges.append(start..<end) }
    }
    return ranges.sorted { $0.lowerBound < $1.lowerBound }
  }

  private static func isSchemeByte(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "+")
      || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
  }

  /// The offset just after a well-formed `scheme://` at the start, or `nil`.
  private static func schemeEnd(_ b: [UInt8]) -> Int? {
    var i = 0
    while i < b.count, isSchemeByte(b[i]) { i += 1 }
    guard b.count >= i + 3, b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") else {
      return nil
    }
    return i + 3
  }

}
