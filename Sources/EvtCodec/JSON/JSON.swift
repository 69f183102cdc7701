/// Why a text is not valid JSON, with the 1-based column (byte) where parsing stopped.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var offset: Int
  public var description: String { "\(message) at column \(offset + 1)" }
}

/// Strict RFC 8259 JSON: validation, parsing, minifying, string escaping.
public enum JSON {
  /// Objects and arrays nested deeper than this are refused instead of exhausting the stack.
  /// This is the limit on an event's `data`.
  public static let maxDepth = 256
  /// The limit on a whole envelope: `data` at its deepest inside the envelope, and inside an
  /// `event.failed` envelope that carries it (envelope → data → event → data). Whatever
  /// `publish` accepts, every reader reads.
  public static let envelopeMaxDepth = maxDepth + 3

  /// Parses one JSON text (surrounding white space allowed, nothing else). Objects that name
  /// a member twice are refused (readers disagree on which one counts).
  public static func parse(_ bytes: [UInt8], maxDepth: Int = maxDepth) throws(JSONError) -> JSONValue {
    try bytes.withUnsafeBufferPointer { (buf) throws(JSONError) -> JSONValue in
      try JSONParser.run(buf, minify: false, tree: true, maxDepth: maxDepth) { (p) throws(JSONError) in try p.document()! }
    }
  }

  public static func parse(_ text: String) throws(JSONError) -> JSONValue {
    try parse(Array(text.utf8))
  }

  /// Validates one JSON text and returns it without insignificant white space; every string
  /// and number is kept byte for byte as written.
  public static func minify(_ bytes: [UInt8], maxDepth: Int = maxDepth) throws(JSONError) -> [UInt8] {
    try bytes.withUnsafeBufferPointer { (buf) throws(JSONError) -> [UInt8] in
      try minify(buf, maxDepth: maxDepth)
    }
  }

  package static func minify(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = maxDepth) throws(JSONError) -> [UInt8] {
    try JSONParser.run(buf, minify: true, tree: false, maxDepth: maxDepth) { (p) throws(JSONError) in
      _ = try p.document()
      return p.out
    }
  }

  /// Validates one JSON text in place (no copy, no tree); returns whether it is already
  /// minified (no insignificant white space).
  package static func validate(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = maxDepth) throws(JSONError) -> Bool {
    try JSONParser.run(buf, minify: false, tree: false, maxDepth: maxDepth) { (p) throws(JSONError) -> Bool in
      _ = try p.document()
      return !p.sawSpace
    }
  }

  /// Calls `body` with the name (inside the quotes) and value ranges of each member of the
  /// object at `range` of `input`, which must be valid JSON (checked before), until it returns
  /// false.
  static func forEachMember(
    of range: Range<Int>, in input: UnsafeBufferPointer<UInt8>, _ body: (_ name: Range<Int>, _ value: Range<Int>) -> Bool
  ) {
    var c = RawCursor(input: input, at: range.lowerBound + 1, end: range.upperBound)
    while true {
      c.space()
      guard c.i < range.upperBound - 1, input[c.i] == UInt8(ascii: "\"") else { return }
      let nameStart = c.i
      c.skipString()
      let name = (nameStart + 1)..<(c.i - 1)
      c.space()
      c.i += 1  // ':'
      c.space()
      let valueStart = c.i
      c.skipValue()
      guard body(name, valueStart..<c.i) else { return }
      guard c.comma() else { return }
    }
  }

  /// Calls `body` with the range of each element of the array at `range` of `input`, which
  /// must be valid JSON (checked before), until it returns false.
  static func forEachElement(of range: Range<Int>, in input: UnsafeBufferPointer<UInt8>, _ body: (_ value: Range<Int>) -> Bool) {
    var c = RawCursor(input: input, at: range.lowerBound + 1, end: range.upperBound)
    while true {
      c.space()
      guard c.i < range.upperBound - 1, input[c.i] != UInt8(ascii: "]") else { return }
      let valueStart = c.i
      c.skipValue()
      guard body(valueStart..<c.i) else { return }
      guard c.comma() else { return }
    }
  }

  /// Walks valid JSON text (checked before) without decoding it.
  private struct RawCursor {
    let input: UnsafeBufferPointer<UInt8>
    var i: Int
    let end: Int

    init(input: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) {
      self.input = input
      self.i = i
      self.end = end
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    mutating func space() { while i < end, Self.isSpace(input[i]) { i += 1 } }

    /// Past a `,` after white space; false at the end of the container.
    mutating func comma() -> Bool {
      space()
      guard i < end, input[i] == UInt8(ascii: ",") else { return false }
      i += 1
      return true
    }

    /// Past the string literal at `i`: the next quote not escaped, looked for eight bytes at
    /// a time.
    mutating func skipString() {
      let base = input.baseAddress!
      let ones: UInt64 = 0x0101_0101_0101_0101
      i += 1
      while true {
        var quote = i
        while quote + 8 <= input.count {
          let x = UnsafeRawPointer(base + quote).loadUnaligned(as: UInt64.self) ^ (0x22 &* ones)
          if (x &- ones) & ~x & 0x8080_8080_8080_8080 != 0 { break }
          quote += 8
        }
        while quote < input.count && base[quote] != UInt8(ascii: "\"") { quote += 1 }
        guard quote < input.count else {
          i = input.count  // not reached: the text was validated
          return
        }
        // Escaped when an odd number of backslashes stands right before it.
        var k = quote - 1
        while k >= i && input[k] == UInt8(ascii: "\\") { k -= 1 }
        i = quote + 1
        if (quote - 1 - k) % 2 == 0 { return }
      }
    }

    mutating func skipValue() {
      switch input[i] {
      case UInt8(ascii: "\""): skipString()
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        var depth = 0
        repeat {
          switch input[i] {
          case UInt8(ascii: "\""):
            skipString()
            continue
          case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
          case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
          default: break
          }
          i += 1
        } while depth > 0
      default:
        while i < end, !Self.isSpace(input[i]), input[i] != UInt8(ascii: ","), input[i] != UInt8(ascii: "}"),
          input[i] != UInt8(ascii: "]")
        {
          i += 1
        }
      }
    }
  }

  /// Appends `s` as a JSON string literal: quotes, backslashes and control characters escaped,
  /// everything else as UTF-8.
  public static func writeString(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { writeString(utf8: $0, to: &out) }
  }

  package static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var plain = 0
    for (i, b) in bytes.enumerated() {
      let escape: [UInt8]
      switch b {
      case UInt8(ascii: "\""): escape = [92, 34]
      case UInt8(ascii: "\\"): escape = [92, 92]
      case 0x0A: escape = [92, UInt8(ascii: "n")]
      case 0x0D: escape = [92, UInt8(ascii: "r")]
      case 0x09: escape = [92, UInt8(ascii: "t")]
      case 0..<0x20:
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        escape = [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
      default: continue
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<i]))
      out.append(contentsOf: escape)
      plain = i + 1
    }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain...]))
    out.append(UInt8(ascii: "\""))
  }

  /// Validates and minifies a JSON text and, when it is an object, indexes its top-level
  /// members without building a tree of their values. `nil` when the text is not an object.
  public static func objectView(_ bytes: [UInt8], maxDepth: Int = maxDepth) throws(JSONError) -> JSONObjectView? {
    try bytes.withUnsafeBufferPointer { (buf) throws(JSONError) -> JSONObjectView? in
      try JSONParser.run(buf, minify: true, tree: false, maxDepth: maxDepth) { (p) throws(JSONError) -> JSONObjectView? in
        p.recordMembers = true
        _ = try p.document()
        guard p.out.first == UInt8(ascii: "{") else { return nil }
        return JSONObjectView(minified: p.out, members: p.members)
      }
    }
  }

  /// One top-level member of an object checked by ``scanObject(_:maxDepth:_:)``: where its
  /// name (inside the quotes) and its value are in the input.
  struct RawMember {
    var name: Range<Int>
    var value: Range<Int>
    /// How deep the value nests: 0 for a scalar, 1 for `[]` or `{}`, …
    var depth: Int
  }

  /// The most top-level members ``scanObject(_:maxDepth:_:)`` reports; an envelope has six.
  static let maxScannedMembers = 8

  /// What ``scanObject(_:maxDepth:_:)`` found, as ranges of its input (valid only inside
  /// its closure).
  struct ScannedObject {
    /// The first ``maxScannedMembers`` top-level members; `more` when there were others.
    var members: UnsafeBufferPointer<RawMember>
    var more: Bool
    /// No insignificant white space anywhere.
    var minified: Bool
  }

  /// Validates one JSON text in place — no copy, no tree, no heap allocation for ordinary
  /// input — and, when it is an object, hands `body` its top-level members (see
  /// ``ScannedObject``); `nil` when the text is not an object.
  static func scanObject<R>(
    _ input: UnsafeBufferPointer<UInt8>, maxDepth: Int, _ body: (ScannedObject?) throws(EnvelopeError) -> R
  ) throws(EnvelopeError) -> R {
    let capacity = maxScannedMembers
    let result: Result<R, EnvelopeError> = withUnsafeTemporaryAllocation(of: RawMember.self, capacity: capacity) { slots in
      var p = JSONParser(input: input, minify: false, tree: false, maxDepth: maxDepth)
      p.rawMembers = UnsafeMutableBufferPointer(rebasing: slots[..<maxScannedMembers])
      do {
        try p.withNameStack { (p) throws(JSONError) in _ = try p.document() }
      } catch {
        return .failure(EnvelopeError("not valid JSON: \(error)"))
      }
      let first = input.first { !(0x20 == $0 || 0x09 == $0 || 0x0A == $0 || 0x0D == $0) }
      var scanned: ScannedObject?
      if first == UInt8(ascii: "{") {
        scanned = ScannedObject(
          members: UnsafeBufferPointer(rebasing: slots[..<p.rawMemberCount]), more: p.rawMembersOverflowed, minified: !p.sawSpace)
      }
      do throws(EnvelopeError) { return .success(try body(scanned)) } catch { return .failure(error) }
    }
    return try result.get()
  }

  /// The text of the string literal whose contents (inside the quotes) are `contents` of
  /// `input`, escapes decoded; `input` was validated before. For the rare text written with
  /// escapes: it makes a String.
  static func unescaped(_ contents: Range<Int>, in input: UnsafeBufferPointer<UInt8>) -> String {
    let literal = Array(input[(contents.lowerBound - 1)..<(contents.upperBound + 1)])
    return (try? parse(literal, maxDepth: 1))?.stringValue ?? ""
  }

  public static func quoted(_ s: String) -> String {
    var out: [UInt8] = []
    writeString(s, to: &out)
    return String(decoding: out, as: UTF8.self)
  }
}
