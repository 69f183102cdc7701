/// The `format` values evt asserts (draft 2020-12's format-assertion vocabulary for these
/// seven); any other format name is refused when a schema is compiled, never ignored.
package enum SchemaFormat: String, Sendable, CaseIterable {
  case email
  case dateTime = "date-time"
  case date
  case uuid
  case uri
  case ipv4
  case ipv6

  /// ``accepts(_:)`` over a string's UTF-8 (no escapes), without making a String for the
  /// formats read byte by byte.
  func accepts(utf8 b: UnsafeBufferPointer<UInt8>) -> Bool {
    switch self {
    case .email: return Self.isEmail(b)
    default: return accepts(String(decoding: b, as: UTF8.self))
    }
  }

  /// Whether `s` is a valid instance of the format.
  func accepts(_ s: String) -> Bool {
    let b = Array(s.utf8)
    switch self {
    case .email: return Self.isEmail(b)
    case .dateTime: return Self.isDateTime(b)
    case .date: return Self.isDate(b[...])
    case .uuid: return Self.isUUID(b)
    case .uri: return Self.isURI(s)
    case .ipv4: return Self.isIPv4(b[...])
    case .ipv6: return Self.isIPv6(b[...])
    }
  }

  private static func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  private static func hex(_ c: UInt8) -> Bool { digit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
  private static func alpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

  private static func number(_ b: ArraySlice<UInt8>) -> Int? {
    guard !b.isEmpty, b.count <= 9, b.allSatisfy(digit) else { return nil }
    return b.reduce(0) { $0 * 10 + Int($1 - 0x30) }
  }

  /// RFC 3339 `full-date`: YYYY-MM-DD, a day that exists (leap years counted).
  private static func isDate(_ b: ArraySlice<UInt8>) -> Bool {
    guard b.count == 10 else { return false }
    let s = b.startIndex
    guard b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"), let y = number(b[s..<(s + 4)]),
      let m = number(b[(s + 5)..<(s + 7)]), let d = number(b[(s + 8)..<(s + 10)])
    else { return false }
    guard (1...12).contains(m), d >= 1 else { return false }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return d <= days
  }

  /// RFC 3339 `date-time`: full-date "T" time, with seconds, optional fraction, and "Z" or an
  /// offset; "T" and "Z" in either case; a leap second only at 23:59:60 UTC.
  private static func isDateTime(_ b: [UInt8]) -> Bool {
    guard b.count >= 20, isDate(b[0..<10]), b[10] | 0x20 == UInt8(ascii: "t") else { return false }
    var t = b[11...]
    guard t.count >= 8, t[t.startIndex + 2] == UInt8(ascii: ":"), t[t.startIndex + 5] == UInt8(ascii: ":"),
      let h = number(t.prefix(2)), let mi = number(t.dropFirst(3).prefix(2)), let sec = number(t.dropFirst(6).prefix(2))
    else { return false }
    t = t.dropFirst(8)
    if t.first == UInt8(ascii: ".") {
      t = t.dropFirst()
      let fraction = t.prefix { digit($0) }
      guard !fraction.isEmpty else { return false }
      t = t.dropFirst(fraction.count)
    }
    guard h <= 23, mi <= 59, sec <= 60 else { return false }
    var offsetMinutes = 0
    if t.count == 1, t.first! | 0x20 == UInt8(ascii: "z") {
      offsetMinutes = 0
    } else {
      guard t.count == 6, t.first == UInt8(ascii: "+") || t.first == UInt8(ascii: "-"), t[t.startIndex + 3] == UInt8(ascii: ":"),
        let oh = number(t.dropFirst().prefix(2)), let om = number(t.dropFirst(4).prefix(2)), oh <= 23, om <= 59
      else { return false }
      offsetMinutes = (oh * 60 + om) * (t.first == UInt8(ascii: "-") ? -1 : 1)
    }
    if sec == 60 {
      // A leap second is 23:59:60 in UTC.
      let utc = ((h * 60 + mi - offsetMinutes) % 1440 + 1440) % 1440
      return utc == 23 * 60 + 59
    }
    return true
  }

  /// RFC 4122's text form: 8-4-4-4-12 hex digits.
  private static func isUUID(_ b: [UInt8]) -> Bool {
    guard b.count == 36 else { return false }
    for (i, c) in b.enumerated() {
      if [8, 13, 18, 23].contains(i) {
        guard c == UInt8(ascii: "-") else { return false }
      } else if !hex(c) {
        return false
      }
    }
    return true
  }

  /// A dotted quad, each part 0…255 without leading zeros.
  private static func isIPv4(_ b: ArraySlice<UInt8>) -> Bool {
    let parts = b.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    guard parts.count == 4 else { return false }
    for p in parts {
      guard let n = number(p), n <= 255, p.count <= 3, !(p.count > 1 && p.first == 0x30) else { return false }
    }
    return true
  }

  /// RFC 4291's text forms: eight groups of 1–4 hex digits, `::` once for a run of zero
  /// groups, an IPv4 tail; no zone.
  private static func isIPv6(_ b: ArraySlice<UInt8>) -> Bool {
    guard !b.isEmpty, b.allSatisfy({ hex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else { return false }
    let text = Array(b)
    var groups = 0
    var compressed = false
    var i = 0
    if text.starts(with: Array("::".utf8)) {
      compressed = true
      i = 2
      if i == text.count { return true }
    } else if text.first == UInt8(ascii: ":") {
      return false
    }
    while i < text.count {
      let start = i
      while i < text.count, text[i] != UInt8(ascii: ":") { i += 1 }
      let group = text[start..<i]
      if group.contains(UInt8(ascii: ".")) {
        // An IPv4 tail: last, worth two groups.
        guard i == text.count, isIPv4(group) else { return false }
        groups += 2
        break
      }
      guard (1...4).contains(group.count), group.allSatisfy(hex) else { return false }
      groups += 1
      if i == text.count { break }
      i += 1  // the ':'
      if i < text.count, text[i] == UInt8(ascii: ":") {
        guard !compressed else { return false }
        compressed = true
        i += 1
        if i == text.count { break }
      } else if i == text.count {
        return false  // ends with a single ':'
      }
    }
    return compressed ? groups < 8 : groups == 8
  }

  /// RFC 5321/5322 `addr-spec` as the format defines it: a dot-atom or quoted local part, and
  /// a host name or an address literal (`[IPv4]`, `[IPv6:…]`).
  private static func isEmail<C: RandomAccessCollection<UInt8>>(_ b: C) -> Bool where C.Index == Int {
    guard let at = b.lastIndex(of: UInt8(ascii: "@")), at > b.startIndex, at < b.endIndex - 1 else { return false }
    let local = b[..<at]
    let domain = b[(at + 1)...]
    if local.first == UInt8(ascii: "\"") {
      guard local.count >= 2, local.last == UInt8(ascii: "\"") else { return false }
      var escaped = false
      for c in local.dropFirst().dropLast() {
        if escaped {
          escaped = false
          continue
        }
        if c == UInt8(ascii: "\\") {
          escaped = true
          continue
        }
        guard c >= 0x20, c != UInt8(ascii: "\""), c < 0x7F else { return false }
      }
      if escaped { return false }
    } else {
      // Dot-separated atoms, none empty.
      var previous = UInt8(ascii: ".")
      for c in local {
        if c == UInt8(ascii: ".") {
          guard previous != UInt8(ascii: ".") else { return false }
        } else {
          guard alpha(c) || digit(c) || EmailAddress.isAtext(c) else { return false }
        }
        previous = c
      }
      guard previous != UInt8(ascii: ".") else { return false }
    }
    if domain.first == UInt8(ascii: "[") {
      guard domain.last == UInt8(ascii: "]") else { return false }
      let literal = Array(domain.dropFirst().dropLast())[...]
      let v6 = Array("IPv6:".utf8)
      if literal.starts(with: v6) { return isIPv6(literal.dropFirst(v6.count)) }
      return isIPv4(literal)
    }
    // Dot-separated labels of letters, digits and inner hyphens, 1 to 63 each.
    var start = domain.startIndex
    while true {
      let end = domain[start...].firstIndex(of: UInt8(ascii: ".")) ?? domain.endIndex
      let l = domain[start..<end]
      guard !l.isEmpty, l.count <= 63, l.first != UInt8(ascii: "-"), l.last != UInt8(ascii: "-"),
        l.allSatisfy({ alpha($0) || digit($0) || $0 == UInt8(ascii: "-") })
      else { return false }
      if end == domain.endIndex { return true }
      start = end + 1
    }
  }

  /// RFC 3986 `URI`: a scheme, then a hierarchical part, query and fragment made only of the
  /// characters they may hold (percent-escapes well formed); an authority's port is digits and
  /// an IP literal is bracketed.
  private static func isURI(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0, alpha(b[0]),
      b[..<colon].allSatisfy({ alpha($0) || digit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
    else { return false }
    let unreserved = Set("-._~".utf8)
    let subDelims = Set("!$&'()*+,;=".utf8)
    func pchar(_ c: UInt8, extra: Set<UInt8>) -> Bool {
      alpha(c) || digit(c) || unreserved.contains(c) || subDelims.contains(c) || c == UInt8(ascii: ":") || c == UInt8(ascii: "@")
        || extra.contains(c)
    }
    // Percent-escapes: two hex digits.
    var k = colon + 1
    while k < b.count {
      if b[k] == UInt8(ascii: "%") {
        guard k + 2 < b.count, hex(b[k + 1]), hex(b[k + 2]) else { return false }
        k += 3
      } else {
        k += 1
      }
    }
    var i = colon + 1
    var rest = b[i...]
    // Authority.
    if rest.starts(with: Array("//".utf8)) {
      i += 2
      let end = b[i...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? b.endIndex
      var authority = b[i..<end]
      if let atSign = authority.lastIndex(of: UInt8(ascii: "@")) {
        guard
          authority[..<atSign].allSatisfy({
            alpha($0) || digit($0) || unreserved.contains($0) || subDelims.contains($0) || $0 == UInt8(ascii: ":")
              || $0 == UInt8(ascii: "%")
          })
        else { return false }
        authority = authority[(atSign + 1)...]
      }
      if authority.first == UInt8(ascii: "[") {
        guard let close = authority.firstIndex(of: UInt8(ascii: "]")), isIPv6(authority[(authority.startIndex + 1)..<close]) else {
          return false
        }
        let after = authority[(close + 1)...]
        guard after.isEmpty || (after.first == UInt8(ascii: ":") && after.dropFirst().allSatisfy(digit)) else { return false }
      } else {
        let host: ArraySlice<UInt8>
        if let c = authority.lastIndex(of: UInt8(ascii: ":")) {
          guard authority[(c + 1)...].allSatisfy(digit) else { return false }
          host = authority[..<c]
        } else {
          host = authority
        }
        guard host.allSatisfy({ alpha($0) || digit($0) || unreserved.contains($0) || subDelims.contains($0) || $0 == UInt8(ascii: "%") })
        else { return false }
      }
      i = end
    }
    rest = b[i...]
    let slashQuery = Set("/?".utf8)
    var part = 0  // 0 path, 1 query, 2 fragment
    for c in rest {
      if c == UInt8(ascii: "?") && part == 0 {
        part = 1
        continue
      }
      if c == UInt8(ascii: "#") && part < 2 {
        part = 2
        continue
      }
      if c == UInt8(ascii: "%") { continue }
      guard pchar(c, extra: part == 0 ? [UInt8(ascii: "/")] : slashQuery) else { return false }
    }
    return true
  }
}
