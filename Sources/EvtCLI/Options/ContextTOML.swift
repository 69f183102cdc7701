/// The TOML of context files: `key = value` lines, comments and blank lines. Keys are bare
/// (`A-Z a-z 0-9 _ -`) or quoted; values are basic strings (`"…"`, with TOML's escapes),
/// literal strings (`'…'`), `true`/`false` and decimal integers. Every such file is TOML
/// 1.0; the rest of TOML (tables, arrays, dotted keys, multi-line strings, floats, dates)
/// is refused with its line, since no context setting needs it.
///
/// Written for evt rather than taken from TOMLKit: TOMLKit's parser (toml++) aborts the
/// process on some malformed files (`[[[` trips an assertion in `parse_key`), and it links
/// all of Foundation into evt (37 MB → 89 MB). Every input here ends in a value or an error.
enum ContextTOML {
  enum Value: Equatable {
    case string(String)
    case bool(Bool)
    case integer(Int64)
  }

  struct Pair: Equatable {
    var key: String
    var value: Value
    /// 1-based.
    var line: Int
  }

  struct Failure: Error {
    var line: Int
    var message: String
  }

  static func parse(_ text: String) throws(Failure) -> [Pair] {
    var pairs: [Pair] = []
    var n = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      n += 1
      var line = Array((raw.hasSuffix("\r") ? raw.dropLast() : raw).unicodeScalars)
      var i = 0
      func skipSpace() { while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 } }
      func fail(_ message: String) -> Failure { Failure(line: n, message: message) }
      skipSpace()
      if i == line.count || line[i] == "#" { continue }
      if line[i] == "[" { throw fail("tables are not used in context files: write key = value lines") }
      // The key.
      let key: String
      if line[i] == "\"" || line[i] == "'" {
        key = try string(&line, &i, n)
      } else {
        var k = String.UnicodeScalarView()
        while i < line.count, isBareKey(line[i]) {
          k.append(line[i])
          i += 1
        }
        guard !k.isEmpty else { throw fail("expected a key, like url = \"redis://…\"") }
        key = String(k)
      }
      skipSpace()
      if i < line.count, line[i] == "." { throw fail("dotted keys are not used in context files") }
      guard i < line.count, line[i] == "=" else { throw fail("expected '=' after the key") }
      i += 1
      skipSpace()
      guard i < line.count else { throw fail("expected a value after '='") }
      // The value.
      let value: Value
      if line[i] == "\"" || line[i] == "'" {
        if i + 2 < line.count, line[i + 1] == line[i], line[i + 2] == line[i] {
          throw fail("multi-line strings are not used in context files")
        }
        value = .string(try string(&line, &i, n))
      } else {
        var word = ""
        while i < line.count, line[i] != " " && line[i] != "\t" && line[i] != "#" {
          word.unicodeScalars.append(line[i])
          i += 1
        }
        switch word {
        case "true": value = .bool(true)
        case "false": value = .bool(false)
        default:
          let digits = word.hasPrefix("+") || word.hasPrefix("-") ? word.dropFirst() : Substring(word)
          guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.count == 1 || !digits.hasPrefix("0"),
            let v = Int64(word.hasPrefix("+") ? String(word.dropFirst()) : word)
          else {
            throw fail("a value here is a \"string\", true, false or a whole number (arrays, tables and dates are not used)")
          }
          value = .integer(v)
        }
      }
      skipSpace()
      guard i == line.count || line[i] == "#" else { throw fail("unexpected text after the value") }
      guard !pairs.contains(where: { $0.key == key }) else { throw fail("\(key) is set twice") }
      pairs.append(Pair(key: key, value: value, line: n))
    }
    return pairs
  }

  private static func isBareKey(_ c: Unicode.Scalar) -> Bool {
    c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
  }

  /// A basic (`"…"`, with escapes) or literal (`'…'`) string starting at `i`; `i` ends after it.
  private static func string(_ line: inout [Unicode.Scalar], _ i: inout Int, _ n: Int) throws(Failure) -> String {
    let quote = line[i]
    i += 1
    var out = String.UnicodeScalarView()
    while i < line.count {
      let c = line[i]
      i += 1
      if c == quote { return String(out) }
      if c.value < 0x20 && c != "\t" || c.value == 0x7F { throw Failure(line: n, message: "control characters must be escaped in strings") }
      guard quote == "\"", c == "\\" else {
        out.append(c)
        continue
      }
      guard i < line.count else { break }
      let e = line[i]
      i += 1
      switch e {
      case "\"": out.append("\"")
      case "\\": out.append("\\")
      case "b": out.append("\u{8}")
      case "t": out.append("\t")
      case "n": out.append("\n")
      case "f": out.append("\u{C}")
      case "r": out.append("\r")
      case "u", "U":
        let width = e == "u" ? 4 : 8
        guard i + width <= line.count, let v = UInt32(String(String.UnicodeScalarView(line[i..<(i + width)])), radix: 16),
          let scalar = Unicode.Scalar(v)
        else { throw Failure(line: n, message: "invalid \\\(e) escape in a string") }
        out.append(scalar)
        i += width
      default: throw Failure(line: n, message: "invalid escape \\\(e) in a string")
      }
    }
    throw Failure(line: n, message: "a string is not closed on its line")
  }
}
