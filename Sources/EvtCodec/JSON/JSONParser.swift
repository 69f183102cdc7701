#if canImport(Glibc)
  import Glibc
#endif

/// The one JSON reader: validates, minifies, builds a tree or records an object's members,
/// in one pass over the bytes.
struct JSONParser {
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

  /// Makes a parser over `input` with its name stack and runs `body` with it.
  static func run<R>(
    _ input: UnsafeBufferPointer<UInt8>, minify: Bool, tree: Bool, maxDepth: Int, _ body: (inout JSONParser) throws(JSONError) -> R
  ) throws(JSONError) -> R {
    var p = JSONParser(input: input, minify: minify, tree: tree, maxDepth: maxDepth)
    return try p.withNameStack(body)
  }

  /// Runs `body` with a name stack in stack memory (no heap allocation per parse).
  mutating func withNameStack<R>(_ body: (inout JSONParser) throws(JSONError) -> R) throws(JSONError) -> R {
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
      let deepestBefore = deepest
      deepest = depth
      let v = try value()
      members?.append(.init(key, v!))
      if record { self.members.append(.init(key: key, range: start..<out.count, depth: deepest - depth)) }
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

}
