import EvtBus

/// HTML text. Interpolated strings are escaped for HTML text and for quoted attribute values
/// (`&`, `<`, `>`, `"`, `'`); only ``Markup`` values are inserted as they are. So a page is
/// written as `"<td>\(name)</td>"` and no event content can open a tag or leave an attribute.
struct Markup: ExpressibleByStringInterpolation, Sendable {
  private(set) var html: String

  init(stringLiteral value: String) { html = value }
  init(stringInterpolation: Interpolation) { html = stringInterpolation.html }
  init(_ parts: [Markup]) { html = parts.map(\.html).joined() }
  static let empty: Markup = ""

  struct Interpolation: StringInterpolationProtocol {
    var html = ""
    init(literalCapacity: Int, interpolationCount: Int) { html.reserveCapacity(literalCapacity + 16 * interpolationCount) }
    mutating func appendLiteral(_ literal: String) { html += literal }
    mutating func appendInterpolation(_ text: String) { html += Markup.escape(text) }
    mutating func appendInterpolation(_ markup: Markup) { html += markup.html }
    mutating func appendInterpolation(_ parts: [Markup]) { for p in parts { html += p.html } }
    mutating func appendInterpolation(_ n: Int) { html += String(n) }
  }

  /// Text made safe for HTML text and quoted attributes. Control characters other than tab
  /// and newline become U+FFFD (they have no business on a page; NUL is not allowed in HTML).
  static func escape(_ text: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for s in text.unicodeScalars {
      switch s {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\t", "\n": out.unicodeScalars.append(s)
      default:
        if s.value < 0x20 || s.value == 0x7F { out += "\u{FFFD}" } else { out.unicodeScalars.append(s) }
      }
    }
    return out
  }

  /// `text` percent-encoded for a path segment or a query value: everything but ASCII
  /// letters, digits and `-._~` (so `/`, `?`, `&`, `#`, quotes and spaces never leave it).
  static func component(_ text: String) -> String {
    var out = ""
    for b in text.utf8 {
      switch b {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        let hex = Array("0123456789ABCDEF".utf8)
        out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
      }
    }
    return out
  }

  /// A local URL: path segments (each encoded) and query items (encoded; `nil` values left
  /// out), as text for an `href` or `action` attribute (interpolate it: it is escaped there).
  static func url(_ segments: [String], _ query: [(String, String?)] = []) -> String {
    var out = "/" + segments.map(component).joined(separator: "/")
    let items = query.compactMap { item in item.1.map { component(item.0) + "=" + component($0) } }
    if !items.isEmpty { out += "?" + items.joined(separator: "&") }
    return out
  }

  /// Printable text of bytes that may be anything (event content, error text from handlers):
  /// invalid UTF-8 is replaced, and the result is escaped when interpolated.
  static func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Decodes `application/x-www-form-urlencoded` text (a query or a form body): `+` is a
/// space, `%XX` a byte; a malformed escape is kept as it is. Names may repeat (checkboxes).
struct Form: Sendable {
  private(set) var items: [(name: String, value: String)] = []

  init(_ text: Substring) {
    for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      items.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
    }
  }

  /// The first value of `name`, or `nil`; an empty value counts as none.
  subscript(_ name: String) -> String? {
    items.first { $0.name == name }.flatMap { $0.value.isEmpty ? nil : $0.value }
  }

  func all(_ name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

  static func decode(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    let b = Array(text.utf8)
    var i = 0
    func hex(_ c: UInt8) -> UInt8? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 87
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - 55
      default: return nil
      }
    }
    while i < b.count {
      if b[i] == UInt8(ascii: "+") {
        bytes.append(UInt8(ascii: " "))
      } else if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
        bytes.append(h << 4 | l)
        i += 2
      } else {
        bytes.append(b[i])
      }
      i += 1
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
