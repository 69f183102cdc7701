/// A `pattern` or `patternProperties` regular expression, compiled once with Swift's `Regex`
/// and matched anywhere in the string (ECMA-262 `RegExp.prototype.test` without flags), over
/// Unicode scalars rather than grapheme clusters, as ECMA-262's `u` mode does.
///
/// The work per value is bounded: patterns with back-references or with a quantified group
/// that itself holds a quantifier (`(a+)+`, the shapes whose backtracking explodes) are refused
/// when the schema is compiled, and a string over ``maxMatchedLength`` UTF-8 bytes is a
/// breach of any pattern without being matched. Where Swift's syntax differs from
/// ECMA-262's, the README says so.
package final class SchemaPattern: @unchecked Sendable {
  package let source: String
  /// `nil` for a pattern with ``excluded``, which needs no regex engine.
  let regex: Regex<AnyRegexOutput>?

  /// Strings longer than this (in UTF-8 bytes) are not matched: a breach.
  package static let maxMatchedLength = 16 * 1024

  /// For a pattern of the form `^[^…]*$` whose class holds only `\uHHHH` characters and
  /// ranges — text without certain characters, as the built-in contracts write it — the
  /// scalars it excludes: such a pattern is matched without the regex engine, over the bytes.
  let excluded: [ClosedRange<UInt32>]?
  /// ``excluded`` below U+0080 as two 64-bit masks (`nil` for a pattern without it).
  let asciiExcluded: [UInt64]?

  /// - Throws: a message saying why `source` is refused.
  init(_ source: String) throws(SchemaCompileError) {
    self.source = source
    excluded = Self.excludedClass(source)
    asciiExcluded = Self.asciiMask(excluded)
    if let reason = Self.unbounded(source) { throw SchemaCompileError(reason) }
    guard excluded == nil else {
      regex = nil
      return
    }
    do {
      regex = try Regex(Self.translated(source)).matchingSemantics(.unicodeScalar)
    } catch {
      throw SchemaCompileError("\(JSON.quoted(source)) is not a valid regular expression")
    }
  }

  /// Whether `text` has a match (anywhere); `nil` when it is too long to be matched.
  func matches(_ text: String) -> Bool? {
    guard text.utf8.count <= Self.maxMatchedLength else { return nil }
    if excluded != nil { return !text.unicodeScalars.contains { isExcluded($0.value) } }
    return (try? regex!.firstMatch(in: text)) != nil
  }

  /// ``matches(_:)`` over valid UTF-8 for a pattern with ``excluded``; `nil` for another.
  func matches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
    guard excluded != nil else { return nil }
    guard bytes.count <= Self.maxMatchedLength else { return false }
    // ASCII, nearly all text, against a bit mask; only the rest is decoded.
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b < 0x80 {
        if asciiExcluded![Int(b >> 6)] & (1 << UInt64(b & 63)) != 0 { return false }
        i += 1
        continue
      }
      var decoder = UTF8()
      var iterator = UnsafeBufferPointer(rebasing: bytes[i...]).makeIterator()
      guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return false }
      if isExcluded(scalar.value) { return false }
      i += UTF8.width(scalar)
    }
    return true
  }

  private func isExcluded(_ v: UInt32) -> Bool {
    excluded!.contains { $0.contains(v) }
  }

  private static func asciiMask(_ excluded: [ClosedRange<UInt32>]?) -> [UInt64]? {
    guard let excluded else { return nil }
    var mask: [UInt64] = [0, 0]
    for r in excluded {
      guard r.lowerBound < 0x80 else { continue }
      for v in r.lowerBound...min(r.upperBound, 0x7F) { mask[Int(v >> 6)] |= 1 << UInt64(v & 63) }
    }
    return mask
  }

  private static func excludedClass(_ source: String) -> [ClosedRange<UInt32>]? {
    guard source.hasPrefix("^[^"), source.hasSuffix("]*$") else { return nil }
    var body = Array(source.unicodeScalars).dropFirst(3).dropLast(3)
    func escape() -> UInt32? {
      guard body.count >= 6, body.first == "\\", body.dropFirst().first == "u" else { return nil }
      let hex = String(String.UnicodeScalarView(body.dropFirst(2).prefix(4)))
      guard let v = UInt32(hex, radix: 16), hex.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit) else { return nil }
      body = body.dropFirst(6)
      return v
    }
    var ranges: [ClosedRange<UInt32>] = []
    while !body.isEmpty {
      guard let low = escape() else { return nil }
      var high = low
      if body.first == "-" {
        body = body.dropFirst()
        guard let h = escape(), h >= low else { return nil }
        high = h
      }
      ranges.append(low...high)
    }
    return ranges.isEmpty ? nil : ranges
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
