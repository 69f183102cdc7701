/// Text meant for a person (a terminal, a log line) made safe to print.
///
/// Event content comes from anyone who can write to Redis. Printed raw, an escape sequence can
/// retitle or clear a terminal, a newline can forge a log line, and a bidi override can make
/// text read differently than it is. ``escaped(_:)`` keeps ordinary text (any language) as it
/// is and writes every such character as a visible escape.
package enum Printable {
  /// Whether a scalar must not reach a terminal or a log line as is: C0 and C1 controls,
  /// DEL, line and paragraph separators, bidi embeddings, overrides and isolates.
  package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F: return true
    case 0x2028, 0x2029: return true
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
  }

  /// `text` with every unsafe scalar written as `\n`, `\r`, `\t`, `\e` or `\u{XXXX}`, and
  /// backslashes left as they are. Safe for one line of a terminal or a log.
  package static func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
    var out = String.UnicodeScalarView()
    for s in text.unicodeScalars {
      guard isUnsafe(s) else {
        out.append(s)
        continue
      }
      let escape: String
      switch s {
      case "\n": escape = "\\n"
      case "\r": escape = "\\r"
      case "\t": escape = "\\t"
      case "\u{1B}": escape = "\\e"
      default: escape = "\\u{" + String(s.value, radix: 16) + "}"
      }
      out.append(contentsOf: escape.unicodeScalars)
    }
    return String(out)
  }

  /// Bytes that may not be UTF-8 (a stream field written by another tool), decoded with
  /// replacement characters and escaped.
  package static func escaped(bytes: some Collection<UInt8>) -> String {
    escaped(String(decoding: Array(bytes), as: UTF8.self))
  }
}
