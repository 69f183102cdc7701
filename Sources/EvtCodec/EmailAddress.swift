/// Email addresses as evt accepts them wherever one ends up in a mail header or an SMTP
/// command: `local@domain`, a dot-atom local part (RFC 5322, no quoted forms, no comments)
/// and a domain of at least two DNS labels. Nothing else — no spaces, angle brackets, line
/// breaks or control characters — can pass.
public enum EmailAddress {
  /// Why `email` is not acceptable, or `nil` when it is.
  public static func problem(_ email: String) -> String? {
    guard !email.isEmpty else { return "it is empty" }
    guard email.utf8.count <= 254 else { return "longer than 254 characters" }
    let parts = email.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return parts.count == 1 ? "no @" : "more than one @" }
    let local = parts[0].utf8
    let domain = parts[1]
    guard !local.isEmpty, local.count <= 64 else { return "the part before @ must have 1 to 64 characters" }
    for b in local where !(isAlnum(b) || isAtext(b) || b == UInt8(ascii: ".")) {
      return "\(JSON.quoted(String(decoding: [b], as: UTF8.self))) is not allowed before @"
    }
    guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."), !parts[0].contains("..") else {
      return "dots before @ must separate words"
    }
    guard !domain.isEmpty else { return "nothing after @" }
    let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 2 else { return "the domain needs a dot, like example.com" }
    for label in labels {
      let l = label.utf8
      guard !l.isEmpty, l.count <= 63, l.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }), l.first != UInt8(ascii: "-"),
        l.last != UInt8(ascii: "-")
      else { return "the domain \(JSON.quoted(String(domain))) is not a host name" }
    }
    guard labels.last!.utf8.contains(where: { !($0 >= 0x30 && $0 <= 0x39) }) else { return "the domain is a number" }
    return nil
  }

  public static func isValid(_ email: String) -> Bool { problem(email) == nil }

  /// ``problem(_:)`` `== nil`, read in place (no String, no allocation): what a contract check
  /// on every consumed event uses.
  package static func isValid(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard !b.isEmpty, b.count <= 254, let at = b.firstIndex(of: UInt8(ascii: "@")) else { return false }
    let local = UnsafeBufferPointer(rebasing: b[..<at])
    let domain = UnsafeBufferPointer(rebasing: b[(at + 1)...])
    guard !local.isEmpty, local.count <= 64, !domain.contains(UInt8(ascii: "@")) else { return false }
    var previous: UInt8 = UInt8(ascii: ".")
    for c in local {
      guard isAlnum(c) || isAtext(c) || c == UInt8(ascii: ".") else { return false }
      if c == UInt8(ascii: ".") && previous == UInt8(ascii: ".") { return false }  // leading dot or ".."
      previous = c
    }
    guard previous != UInt8(ascii: "."), !domain.isEmpty else { return false }
    var labels = 0
    var start = 0
    var lastHasNonDigit = false
    for i in 0...domain.count {
      guard i == domain.count || domain[i] == UInt8(ascii: ".") else { continue }
      let label = UnsafeBufferPointer(rebasing: domain[start..<i])
      guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
        label.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") })
      else { return false }
      labels += 1
      lastHasNonDigit = label.contains { !($0 >= 0x30 && $0 <= 0x39) }
      start = i + 1
    }
    return labels >= 2 && lastHasNonDigit
  }

  /// The `atext` specials allowed before @ besides letters and digits (RFC 5322).
  static func isAtext(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
      UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"),
      UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"),
      UInt8(ascii: "~"):
      return true
    default: return false
    }
  }

  public static func isAlnum(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
  }
}
