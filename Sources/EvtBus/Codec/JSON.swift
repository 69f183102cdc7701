#if canImport(Glibc)
  import Glibc
#endif

/// A JSON value with object members in their original order and numbers kept as written, so
/// re-serializing never changes a number's text (`1.0` stays `1.0`, big integers stay exact).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number's text exactly as it appeared (already validated against the JSON grammar).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([Member])

  public struct Member: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  /// The value of the first member named `key`, when this is an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// A short name of the value's kind, for error messages ("a string", "an object", …).
  public var kindDescription: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// Compact JSON text (no insignificant white space).
  public var serialized: [UInt8] {
    var out: [UInt8] = []
    write(to: &out)
    return out
  }

  public func write(to out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .number(let n): out.append(contentsOf: n.utf8)
    case .string(let s): JSON.writeString(s, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        item.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (i, m) in members.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(m.key, to: &out)
        out.append(UInt8(ascii: ":"))
        m.value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }
}

/// A validated JSON object whose top-level member values are kept as minified text, parsed
/// only when asked for (cheap for large `data` that is passed through unchanged).
public struct JSONObjectView: Sendable {
  public struct Member: Sendable {
    public let key: String
    let range: Range<Int>
    /// How deep the value nests: 0 for a scalar, 1 for `[]` or `{}`, …
    let depth: Int
  }

  /// The whole object without insignificant white space.
  public let minified: [UInt8]
  public let members: [Member]

  /// The minified text of the first member named `key`.
  public func raw(_ key: String) -> ArraySlice<UInt8>? {
    members.first { $0.key == key }.map { minified[$0.range] }
  }

  /// How deep the value of the first member named `key` nests (0 for a scalar).
  public func depth(_ key: String) -> Int? {
    members.first { $0.key == key }?.depth
  }

  /// The parsed value of the first member named `key`.
  public func value(_ key: String) -> JSONValue? {
    raw(key).flatMap { try? JSON.parse(Array($0), maxDepth: JSON.envelopeMaxDepth) }
  }
}

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
      try Parser.run(buf, minify: false, tree: true, maxDepth: maxDepth) { (p) throws(JSONError) in try p.document()! }
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

  static func minify(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = maxDepth) throws(JSONError) -> [UInt8] {
    try Parser.run(buf, minify: true, tree: false, maxDepth: maxDepth) { (p) throws(JSONError) in
      _ = try p.document()
      return p.out
    }
  }

  /// Validates one JSON text in place (no copy, no tree); returns whether it is already
  /// minified (no insignificant white space).
  static func validate(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = maxDepth) throws(JSONError) -> Bool {
    try Parser.run(buf, minify: false, tree: false, maxDepth: maxDepth) { (p) throws(JSONError) -> Bool in
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
    var i = range.lowerBound + 1
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    func space() { while i < range.upperBound, isSpace(input[i]) { i += 1 } }
    func skipString() {
      i += 1
      while true {
        let b = input[i]
        if b == UInt8(ascii: "\"") { break }
        i += b == UInt8(ascii: "\\") ? 2 : 1
      }
      i += 1
    }
    func skipValue() {
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
        while i < range.upperBound, !isSpace(input[i]), input[i] != UInt8(ascii: ","), input[i] != UInt8(ascii: "}"),
          input[i] != UInt8(ascii: "]")
        {
          i += 1
        }
      }
    }
    while true {
      space()
      guard i < range.upperBound - 1, input[i] == UInt8(ascii: "\"") else { return }
      let nameStart = i
      skipString()
      let name = (nameStart + 1)..<(i - 1)
      space()
      i += 1  // ':'
      space()
      let valueStart = i
      skipValue()
      guard body(name, valueStart..<i) else { return }
      space()
      if i < range.upperBound, input[i] == UInt8(ascii: ",") { i += 1 } else { return }
    }
  }

  /// Appends `s` as a JSON string literal: quotes, backslashes and control characters escaped,
  /// everything else as UTF-8.
  public static func writeString(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { writeString(utf8: $0, to: &out) }
  }

  static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
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
      try Parser.run(buf, minify: true, tree: false, maxDepth: maxDepth) { (p) throws(JSONError) -> JSONObjectView? in
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
    /// The members of the top-level `data` member when it is an object (`nil` otherwise, or
    /// when it has more than ``maxScannedMembers`` * 2: then they must be walked).
    var dataMembers: UnsafeBufferPointer<RawMember>?
  }

  /// Validates one JSON text in place — no copy, no tree, no heap allocation for ordinary
  /// input — and, when it is an object, hands `body` its top-level members and those of its
  /// `data` member (see ``ScannedObject``); `nil` when the text is not an object. One pass
  /// gives an envelope's members and what its contract check needs.
  static func scanObject<R>(
    _ input: UnsafeBufferPointer<UInt8>, maxDepth: Int, _ body: (ScannedObject?) throws(EnvelopeError) -> R
  ) throws(EnvelopeError) -> R {
    let capacity = maxScannedMembers * 3
    let result: Result<R, EnvelopeError> = withUnsafeTemporaryAllocation(of: RawMember.self, capacity: capacity) { slots in
      var p = Parser(input: input, minify: false, tree: false, maxDepth: maxDepth)
      p.rawMembers = UnsafeMutableBufferPointer(rebasing: slots[..<maxScannedMembers])
      p.dataMembers = UnsafeMutableBufferPointer(rebasing: slots[maxScannedMembers...])
      do {
        try p.withNameStack { (p) throws(JSONError) in _ = try p.document() }
      } catch {
        return .failure(EnvelopeError("not valid JSON: \(error)"))
      }
      let first = input.first { !(0x20 == $0 || 0x09 == $0 || 0x0A == $0 || 0x0D == $0) }
      var scanned: ScannedObject?
      if first == UInt8(ascii: "{") {
        let data = p.dataIsObject && !p.dataMembersOverflowed ? UnsafeBufferPointer(rebasing: p.dataMembers[..<p.dataMemberCount]) : nil
        scanned = ScannedObject(
          members: UnsafeBufferPointer(rebasing: slots[..<p.rawMemberCount]), more: p.rawMembersOverflowed, minified: !p.sawSpace,
          dataMembers: data)
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

// MARK: - Parser

private struct Parser {
  let input: UnsafeBufferPointer<UInt8>
  var i = 0
  var depth = 0
  let minify: Bool
  let tree: Bool
  var out: [UInt8] = []
  /// With `recordMembers` (minify mode): the top-level object's members and where each
  /// value's minified text is in `out`.
  var recordMembers = false
  var members: [JSONObjectView.Member] = []
  let maxDepth: Int
  /// The deepest nesting reached so far (for the depth of recorded members).
  var deepest = 0
  /// The member names of the objects being parsed, as ranges of `input`, one stack for all
  /// levels (stack memory, see ``withNameStack(_:)``): compared in place, so checking for a
  /// name given twice copies nothing. An object that finds it full uses a set instead.
  var names = UnsafeMutableBufferPointer<Range<Int>>(start: nil, count: 0)
  var nameCount = 0
  static let nameStackCapacity = 256
  /// Where ``JSON/scanObject(_:maxDepth:_:)`` wants the top-level members.
  var rawMembers = UnsafeMutableBufferPointer<JSON.RawMember>(start: nil, count: 0)
  var rawMemberCount = 0
  var rawMembersOverflowed = false
  /// Where it wants the members of the top-level `data` object, and where that value starts.
  var dataMembers = UnsafeMutableBufferPointer<JSON.RawMember>(start: nil, count: 0)
  var dataMemberCount = 0
  var dataMembersOverflowed = false
  var dataValueStart = -1
  var dataIsObject = false
  /// Whether any insignificant white space was skipped.
  var sawSpace = false
  /// Set by ``string(decode:)``: whether the last string held an escape.
  var lastStringEscaped = false

  init(input: UnsafeBufferPointer<UInt8>, minify: Bool, tree: Bool, maxDepth: Int = JSON.maxDepth) {
    self.input = input
    self.minify = minify
    self.tree = tree
    self.maxDepth = maxDepth
    if minify { out.reserveCapacity(input.count) }
  }

  static let dataName: StaticString = "data"

  /// Makes a parser over `input` with its name stack and runs `body` with it.
  static func run<R>(
    _ input: UnsafeBufferPointer<UInt8>, minify: Bool, tree: Bool, maxDepth: Int, _ body: (inout Parser) throws(JSONError) -> R
  ) throws(JSONError) -> R {
    var p = Parser(input: input, minify: minify, tree: tree, maxDepth: maxDepth)
    return try p.withNameStack(body)
  }

  /// Runs `body` with a name stack in stack memory (no heap allocation per parse).
  mutating func withNameStack<R>(_ body: (inout Parser) throws(JSONError) -> R) throws(JSONError) -> R {
    let result: Result<R, JSONError> = withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: Self.nameStackCapacity) {
      stack in
      names = stack
      defer { names = UnsafeMutableBufferPointer(start: nil, count: 0) }
      do throws(JSONError) { return .success(try body(&self)) } catch { return .failure(error) }
    }
    return try result.get()
  }

  /// The document's value when building a tree; `nil` otherwise (validating or minifying
  /// never builds a value, so nothing is counted or freed per value).
  mutating func document() throws(JSONError) -> JSONValue? {
    skipSpace()
    guard i < input.count else { throw error("empty input: expected a JSON value") }
    let v = try value()
    skipSpace()
    guard i == input.count else { throw error("unexpected \(describe(input[i])) after the JSON value") }
    return v
  }

  func error(_ message: String) -> JSONError { JSONError(message: message, offset: i) }

  func describe(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    if b == 0x20 { return "space" }
    return "byte 0x" + String(b, radix: 16)
  }

  mutating func skipSpace() {
    while i < input.count {
      switch input[i] {
      case 0x20, 0x09, 0x0A, 0x0D:
        i += 1
        sawSpace = true
      default: return
      }
    }
  }

  mutating func emit(_ b: UInt8) { if minify { out.append(b) } }

  mutating func emit(from start: Int) {
    if minify { out.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<i])) }
  }

  mutating func value() throws(JSONError) -> JSONValue? {
    guard i < input.count else { throw error("unexpected end of input: expected a value") }
    switch input[i] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""):
      let s = try string()
      return tree ? .string(s) : nil
    case UInt8(ascii: "t"):
      try literal("true")
      return tree ? .bool(true) : nil
    case UInt8(ascii: "f"):
      try literal("false")
      return tree ? .bool(false) : nil
    case UInt8(ascii: "n"):
      try literal("null")
      return tree ? .null : nil
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("unexpected \(describe(input[i])): expected a value")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONError) {
    let start = i
    let n = word.utf8CodeUnitCount
    guard i + n <= input.count else { throw error("invalid literal (expected \(word))") }
    for k in 0..<n where input[i + k] != word.utf8Start[k] {
      throw error("invalid literal (expected \(word))")
    }
    i += n
    emit(from: start)
  }

  mutating func enter() throws(JSONError) {
    depth += 1
    if depth > maxDepth { throw error("nested deeper than \(maxDepth) levels") }
    if depth > deepest { deepest = depth }
  }

  mutating func object() throws(JSONError) -> JSONValue? {
    try enter()
    defer { depth -= 1 }
    let recordData = depth == 2 && i == dataValueStart && dataMembers.count > 0
    if recordData { dataIsObject = true }
    i += 1
    emit(UInt8(ascii: "{"))
    // Only a tree has members to keep (no array at all otherwise, not even an empty one).
    var members: [JSONValue.Member]? = tree ? [] : nil
    let firstName = nameCount
    defer { nameCount = firstName }
    var seen: Set<[UInt8]>?  // for large objects, and names written with escapes
    skipSpace()
    if i < input.count && input[i] == UInt8(ascii: "}") {
      i += 1
      emit(UInt8(ascii: "}"))
      return members.map { .object($0) }
    }
    while true {
      skipSpace()
      guard i < input.count, input[i] == UInt8(ascii: "\"") else {
        throw error(
          i < input.count
            ? "unexpected \(describe(input[i])): expected a member name in quotes" : "unexpected end of input inside an object")
      }
      let record = recordMembers && depth == 1
      let keyStart = i
      let key = try string(decode: tree || record)
      try checkUnique(
        name: (keyStart + 1)..<(i - 1), decoded: tree || record ? key : nil, firstName: firstName, seen: &seen, at: keyStart)
      let nameEnd = i
      skipSpace()
      guard i < input.count, input[i] == UInt8(ascii: ":") else { throw error("expected ':' after member name") }
      i += 1
      emit(UInt8(ascii: ":"))
      skipSpace()
      let start = out.count
      let valueStart = i
      if depth == 1 && rawMembers.count > 0 && nameEnd - keyStart == 6
        && memcmp(input.baseAddress! + keyStart + 1, Self.dataName.utf8Start, 4) == 0
      {
        dataValueStart = valueStart
      }
      let deepestBefore = deepest
      deepest = depth
      let v = try value()
      members?.append(.init(key, v!))
      if record { self.members.append(.init(key: key, range: start..<out.count, depth: deepest - depth)) }
      if recordData {
        if dataMemberCount < dataMembers.count {
          dataMembers[dataMemberCount] = JSON.RawMember(name: (keyStart + 1)..<(nameEnd - 1), value: valueStart..<i, depth: deepest - depth)
          dataMemberCount += 1
        } else {
          dataMembersOverflowed = true
        }
      }
      if depth == 1 && rawMembers.count > 0 {
        if rawMemberCount < rawMembers.count {
          rawMembers[rawMemberCount] = JSON.RawMember(name: (keyStart + 1)..<(nameEnd - 1), value: valueStart..<i, depth: deepest - depth)
          rawMemberCount += 1
        } else {
          rawMembersOverflowed = true
        }
      }
      deepest = max(deepest, deepestBefore)
      skipSpace()
      guard i < input.count else { throw error("unexpected end of input inside an object") }
      if input[i] == UInt8(ascii: ",") {
        i += 1
        emit(UInt8(ascii: ","))
        continue
      }
      if input[i] == UInt8(ascii: "}") {
        i += 1
        emit(UInt8(ascii: "}"))
        return members.map { .object($0) }
      }
      throw error("unexpected \(describe(input[i])): expected ',' or '}'")
    }
  }

  /// Refuses a member name given twice in one object. Names are compared in place while the
  /// object is small and written plainly; a large object, or one with a name written with
  /// escapes (`"a"` and `"\u0061"` are one name), switches to a set of decoded names.
  mutating func checkUnique(name raw: Range<Int>, decoded: String?, firstName: Int, seen: inout Set<[UInt8]>?, at keyStart: Int)
    throws(JSONError)
  {
    let count = nameCount - firstName
    if seen == nil && (lastStringEscaped || count >= 32 || nameCount == names.count) {
      seen = Set(names[firstName..<nameCount].map { Array(input[$0]) })
    }
    var duplicate = false
    if seen != nil {
      var name = Array(input[raw])
      if lastStringEscaped { name = Array((decoded ?? JSON.unescaped(raw, in: input)).utf8) }
      duplicate = !seen!.insert(name).inserted
    } else {
      let base = input.baseAddress!
      for r in names[firstName..<nameCount]
      where r.count == raw.count && memcmp(base + r.lowerBound, base + raw.lowerBound, raw.count) == 0 {
        duplicate = true
        break
      }
      names[nameCount] = raw
      nameCount += 1
    }
    if duplicate {
      i = keyStart
      let text = String(decoding: UnsafeBufferPointer(rebasing: input[raw]), as: UTF8.self)
      throw error("the member name \(JSON.quoted(text)) appears twice in one object")
    }
  }

  mutating func array() throws(JSONError) -> JSONValue? {
    try enter()
    defer { depth -= 1 }
    i += 1
    emit(UInt8(ascii: "["))
    var items: [JSONValue]? = tree ? [] : nil
    skipSpace()
    if i < input.count && input[i] == UInt8(ascii: "]") {
      i += 1
      emit(UInt8(ascii: "]"))
      return items.map { .array($0) }
    }
    while true {
      skipSpace()
      let v = try value()
      items?.append(v!)
      skipSpace()
      guard i < input.count else { throw error("unexpected end of input inside an array") }
      if input[i] == UInt8(ascii: ",") {
        i += 1
        emit(UInt8(ascii: ","))
        continue
      }
      if input[i] == UInt8(ascii: "]") {
        i += 1
        emit(UInt8(ascii: "]"))
        return items.map { .array($0) }
      }
      throw error("unexpected \(describe(input[i])): expected ',' or ']'")
    }
  }

  mutating func number() throws(JSONError) -> JSONValue? {
    let start = i
    func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    if input[i] == UInt8(ascii: "-") { i += 1 }
    guard i < input.count, digit(input[i]) else { throw error("invalid number: expected a digit") }
    if input[i] == 0x30 {
      i += 1
      if i < input.count && digit(input[i]) { throw error("invalid number: leading zero") }
    } else {
      while i < input.count && digit(input[i]) { i += 1 }
    }
    if i < input.count && input[i] == UInt8(ascii: ".") {
      i += 1
      guard i < input.count, digit(input[i]) else { throw error("invalid number: expected a digit after '.'") }
      while i < input.count && digit(input[i]) { i += 1 }
    }
    if i < input.count && (input[i] == UInt8(ascii: "e") || input[i] == UInt8(ascii: "E")) {
      i += 1
      if i < input.count && (input[i] == UInt8(ascii: "+") || input[i] == UInt8(ascii: "-")) { i += 1 }
      guard i < input.count, digit(input[i]) else { throw error("invalid number: expected an exponent") }
      while i < input.count && digit(input[i]) { i += 1 }
    }
    emit(from: start)
    return tree ? .number(String(decoding: UnsafeBufferPointer(rebasing: input[start..<i]), as: UTF8.self)) : nil
  }

  /// Parses a string literal at `i` (which is a quote). Returns the decoded text when building
  /// a tree, "" otherwise.
  mutating func string(decode: Bool? = nil) throws(JSONError) -> String {
    let tree = decode ?? self.tree
    let start = i
    i += 1
    var decoded: [UInt8]? = tree ? [] : nil
    var plainStart = i
    var sawHigh = false
    lastStringEscaped = false
    while true {
      // The usual run of plain ASCII, eight bytes at a time: no quote, backslash, control
      // character or byte above 0x7F among them.
      while i + 8 <= input.count {
        let word = UnsafeRawPointer(input.baseAddress! + i).loadUnaligned(as: UInt64.self)
        let special = Self.specialBytes(UInt64(littleEndian: word))
        if special != 0 {
          i += special.trailingZeroBitCount / 8  // the first special byte (the lowest flag is exact)
          break
        }
        i += 8
      }
      guard i < input.count else {
        i = start
        throw error("unterminated string")
      }
      let b = input[i]
      if b == UInt8(ascii: "\"") { break }
      if b < 0x20 { throw error("control character \(describe(b)) inside a string (escape it)") }
      if b >= 0x80 { sawHigh = true }
      if b == UInt8(ascii: "\\") {
        lastStringEscaped = true
        decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: input[plainStart..<i]))
        i += 1
        guard i < input.count else { throw error("unterminated escape") }
        switch input[i] {
        case UInt8(ascii: "\""): decoded?.append(0x22)
        case UInt8(ascii: "\\"): decoded?.append(0x5C)
        case UInt8(ascii: "/"): decoded?.append(0x2F)
        case UInt8(ascii: "b"): decoded?.append(0x08)
        case UInt8(ascii: "f"): decoded?.append(0x0C)
        case UInt8(ascii: "n"): decoded?.append(0x0A)
        case UInt8(ascii: "r"): decoded?.append(0x0D)
        case UInt8(ascii: "t"): decoded?.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard i + 2 < input.count, input[i + 1] == UInt8(ascii: "\\"), input[i + 2] == UInt8(ascii: "u") else {
              throw error("unpaired surrogate in \\u escape")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("unpaired surrogate in \\u escape")
          }
          decoded?.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
          throw error("invalid escape '\\\(Character(Unicode.Scalar(input[i])))'")
        }
        i += 1
        plainStart = i
        continue
      }
      i += 1
    }
    if sawHigh, !UTF8Check.isValid(UnsafeBufferPointer(rebasing: input[start + 1..<i])) {
      throw error("invalid UTF-8 inside a string")
    }
    decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: input[plainStart..<i]))
    i += 1
    emit(from: start)
    return decoded.map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  /// The high bit of each byte of `w` (little-endian) that may be a quote, a backslash, below
  /// 0x20 or above 0x7F (SWAR). The lowest bit set is exact; bits above it may be borrows.
  @inline(__always)
  static func specialBytes(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }
    let quote = zeroByte(w ^ (ones &* 0x22))
    let backslash = zeroByte(w ^ (ones &* 0x5C))
    let control = (w &- ones &* 0x20) & ~w & high
    return quote | backslash | control | (w & high)
  }

  /// Reads the 4 hex digits after `\u` (with `i` on the `u`), leaving `i` on the last digit.
  mutating func hex4() throws(JSONError) -> UInt32 {
    guard i + 4 < input.count else { throw error("incomplete \\u escape") }
    var v: UInt32 = 0
    for k in 1...4 {
      let c = input[i + k]
      let d: UInt32
      switch c {
      case 0x30...0x39: d = UInt32(c - 0x30)
      case 0x41...0x46: d = UInt32(c - 0x41 + 10)
      case 0x61...0x66: d = UInt32(c - 0x61 + 10)
      default: throw error("invalid hex digit in \\u escape")
      }
      v = v * 16 + d
    }
    i += 4
    return v
  }
}

/// UTF-8 validation in place (RFC 3629: no overlong forms, no surrogates, nothing above
/// U+10FFFF), without making a String.
enum UTF8Check {
  static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = b.count
    while i < n {
      let c = b[i]
      if c < 0x80 {
        i += 1
        continue
      }
      func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
      switch c {
      case 0xC2...0xDF:
        guard cont(1) else { return false }
        i += 2
      case 0xE0...0xEF:
        guard cont(1), cont(2) else { return false }
        let c1 = b[i + 1]
        if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
        if c == 0xED && c1 >= 0xA0 { return false }  // surrogate
        i += 3
      case 0xF0...0xF4:
        guard cont(1), cont(2), cont(3) else { return false }
        let c1 = b[i + 1]
        if c == 0xF0 && c1 < 0x90 { return false }  // overlong
        if c == 0xF4 && c1 >= 0x90 { return false }  // above U+10FFFF
        i += 4
      default: return false
      }
    }
    return true
  }
}
