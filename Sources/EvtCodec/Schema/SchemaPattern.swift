/// A `pattern` or `patternProperties` regular expression, compiled once with Swift's `Regex`
/// and matched anywhere in the string (ECMA-262 `RegExp.prototype.test` without flags), over
/// Unicode scalars rather than grapheme clusters, as ECMA-262's `u` mode does.
///
/// The work per value is bounded: patterns with back-references or with a quantified group
/// that itself holds a quantifier (`(a+)+`, the shapes whose backtracking explodes) are refused
/// when the schema is compiled, and a string over ``maxMatchedLength`` UTF-8 bytes is a
/// breach of any pattern without being matched. Where Swift's syntax differs from
/// ECMA-262's, the README says so.
package struct SchemaPattern: @unchecked Sendable {
  package let source: String
  let regex: Regex<AnyRegexOutput>

  /// Strings longer than this (in UTF-8 bytes) are not matched: a breach.
  package static let maxMatchedLength = 16 * 1024

  /// - Throws: a message saying why `source` is refused.
  init(_ source: String) throws(SchemaCompileError) {
    self.source = source
    if let reason = Self.unbounded(source) { throw SchemaCompileError(reason) }
    do {
      regex = try Regex(Self.translated(source)).matchingSemantics(.unicodeScalar)
    } catch {
      throw SchemaCompileError("\(JSON.quoted(source)) is not a valid regular expression")
    }
  }

  /// Whether `text` has a match (anywhere); `nil` when it is too long to be matched.
  func matches(_ text: String) -> Bool? {
    guard text.utf8.count <= Self.maxMatchedLength else { return nil }
    return (try? regex.firstMatch(in: text)) != nil
  }

  /// ECMA-262 escapes that Swift's `Regex` reads differently: `\d`, `\w`, `\s` and `\b` are
  /// ASCII (and ECMA's white space) in ECMA-262, Unicode-aware in Swift; `\cX` control
  /// escapes are passed as the character they name.
  private static func translated(_ source: String) -> String {
    var out = ""
    var chars = Array(source.unicodeScalars)[...]
    var inClass = false
    while let c = chars.popFirst() {
      if c == "\\", let next = chars.popFirst() {
        switch next {
        case "d": out += inClass ? "0-9" : "[0-9]"
        case "D": out += inClass ? "\\D" : "[^0-9]"
        case "w": out += inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
        case "W": out += inClass ? "\\W" : "[^a-zA-Z0-9_]"
        case "s": out += inClass ? Self.ecmaSpace : "[\(Self.ecmaSpace)]"
        case "S": out += inClass ? "\\S" : "[^\(Self.ecmaSpace)]"
        case "c":
          if let letter = chars.first, letter.properties.isASCIIHexDigit || ("A"..."Z").contains(letter) || ("a"..."z").contains(letter) {
            chars = chars.dropFirst()
            out += "\\x{" + String(Int(letter.value) % 32, radix: 16) + "}"
          } else {
            out += "\\\\c"
          }
        default:
          out.unicodeScalars.append(c)
          out.unicodeScalars.append(next)
        }
        continue
      }
      if c == "[" && !inClass { inClass = true } else if c == "]" && inClass { inClass = false }
      out.unicodeScalars.append(c)
    }
    return out
  }

  /// ECMA-262's white space and line terminators, as a class body.
  private static let ecmaSpace =
    "\\t\\n\\x{B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"

  /// Why matching `source` could take time that grows faster than polynomially with the
  /// string, or `nil`: a back-reference, or a quantifier applied to a group that holds one.
  private static func unbounded(_ source: String) -> String? {
    let s = Array(source.unicodeScalars)
    var i = 0
    // For each open group: whether a quantifier was seen inside it.
    var groups: [Bool] = []
    var inClass = false
    func quantifierAt(_ j: Int) -> Bool {
      guard j < s.count else { return false }
      if s[j] == "*" || s[j] == "+" || s[j] == "?" { return true }
      if s[j] == "{", let close = s[j...].firstIndex(of: "}") {
        return s[(j + 1)..<close].allSatisfy { ("0"..."9").contains($0) || $0 == "," } && close > j + 1
      }
      return false
    }
    while i < s.count {
      let c = s[i]
      if c == "\\" {
        if i + 1 < s.count, ("1"..."9").contains(s[i + 1]) || s[i + 1] == "k" {
          return "\(JSON.quoted(source)) uses a back-reference, which is not supported (its matching time is unbounded)"
        }
        i += 2
        if quantifierAt(i), !groups.isEmpty { groups[groups.count - 1] = true }
        continue
      }
      if inClass {
        if c == "]" {
          inClass = false
          if quantifierAt(i + 1), !groups.isEmpty { groups[groups.count - 1] = true }
        }
        i += 1
        continue
      }
      switch c {
      case "[": inClass = true
      case "(": groups.append(false)
      case ")":
        let inner = groups.popLast() ?? false
        // `(a+)?` only makes the group optional; `(a+)+`, `(a+)*`, `(a+){2,}` repeat it.
        if inner && quantifierAt(i + 1) && s[i + 1] != "?" {
          return
            "\(JSON.quoted(source)) repeats a group that itself repeats (like (a+)+), which is not supported (its matching time is unbounded)"
        }
        if quantifierAt(i + 1) || inner, !groups.isEmpty { groups[groups.count - 1] = true }
      default:
        if quantifierAt(i + 1), c != "*", c != "+", c != "?", !groups.isEmpty { groups[groups.count - 1] = true }
      }
      i += 1
    }
    return nil
  }
}
