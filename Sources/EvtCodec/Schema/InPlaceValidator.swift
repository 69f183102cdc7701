#if canImport(Glibc)
  import Glibc
#endif

/// Decides over the bytes of valid JSON text (checked before), without building a tree,
/// whether an instance conforms to a compiled schema: what every published and consumed event
/// goes through. It answers only when it is certain; for what it cannot tell in place — names
/// written with escapes, `uniqueItems` over more than one item, `enum`/`const` of arrays or
/// objects — it says ``Verdict/unknown`` and ``SchemaValidator`` decides from the tree (which
/// also explains a breach). Its own verdicts are checked against the tree validator's by the
/// JSON-Schema-Test-Suite and the differential test.
struct InPlaceValidator {
  enum Verdict {
    case yes, no, unknown

    /// Both hold (a certain no wins over an unknown).
    static func && (a: Verdict, b: @autoclosure () -> Verdict) -> Verdict {
      if a == .no { return .no }
      let second = b()
      if second == .no { return .no }
      return a == .yes && second == .yes ? .yes : .unknown
    }

    init(_ b: Bool) { self = b ? .yes : .no }
  }

  let input: UnsafeBufferPointer<UInt8>

  private enum Kind { case null, boolean, number, string, array, object }

  private func kind(_ r: Range<Int>) -> Kind {
    switch input[r.lowerBound] {
    case UInt8(ascii: "\""): return .string
    case UInt8(ascii: "{"): return .object
    case UInt8(ascii: "["): return .array
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
    case UInt8(ascii: "n"): return .null
    default: return .number
    }
  }

  /// Whether the value at `r` (no surrounding white space) conforms to `node`.
  func check(_ r: Range<Int>, _ node: SchemaNode) -> Verdict {
    guard node.hasAnyKeyword else { return .yes }
    if let always = node.always { return Verdict(always) }
    let kind = kind(r)
    var verdict = Verdict.yes
    if node.typeMask != 0 {
      verdict = typeMatches(node.typeMask, kind, r)
      if verdict == .no { return .no }
    }
    if node.hasEnumOrConst, let values = node.enumValues {
      var matched = Verdict.no
      for value in values {
        let v = equal(r, kind, value)
        if v == .yes {
          matched = .yes
          break
        }
        if v == .unknown { matched = .unknown }
      }
      verdict = verdict && matched
    }
    if node.hasEnumOrConst, let c = node.constValue { verdict = verdict && equal(r, kind, c) }
    if verdict == .no { return .no }
    switch kind {
    case .number: verdict = verdict && number(r, node)
    case .string: verdict = verdict && string(r, node)
    case .array: if node.hasArrayKeyword { verdict = verdict && array(r, node) }
    case .object: if node.hasObjectKeyword { verdict = verdict && object(r, node) }
    default: break
    }
    if verdict == .no || !node.hasApplicator { return verdict }
    if let target = node.ref { verdict = verdict && check(r, target) }
    for s in node.allOf where verdict != .no { verdict = verdict && check(r, s) }
    if verdict == .no { return .no }
    if !node.anyOf.isEmpty {
      var any = Verdict.no
      for s in node.anyOf {
        let v = check(r, s)
        if v == .yes {
          any = .yes
          break
        }
        if v == .unknown { any = .unknown }
      }
      verdict = verdict && any
    }
    if !node.oneOf.isEmpty && verdict != .no {
      var matched = 0
      var unsure = false
      for s in node.oneOf {
        switch check(r, s) {
        case .yes: matched += 1
        case .unknown: unsure = true
        case .no: break
        }
      }
      verdict = verdict && (matched > 1 ? .no : unsure ? .unknown : Verdict(matched == 1))
    }
    if let n = node.not, verdict != .no {
      switch check(r, n) {
      case .yes: return .no
      case .no: break
      case .unknown: verdict = verdict && .unknown
      }
    }
    if let i = node.ifSchema, verdict != .no {
      switch check(r, i) {
      case .yes: if let t = node.thenSchema { verdict = verdict && check(r, t) }
      case .no: if let e = node.elseSchema { verdict = verdict && check(r, e) }
      case .unknown: if node.thenSchema != nil || node.elseSchema != nil { verdict = verdict && .unknown }
      }
    }
    return verdict
  }

  // MARK: - Scalars

  /// Whether the value is of one of the types in `mask` (see ``SchemaNode/typeMask``).
  private func typeMatches(_ mask: UInt8, _ kind: Kind, _ r: Range<Int>) -> Verdict {
    func has(_ t: SchemaType) -> Bool { mask & t.bit != 0 }
    switch kind {
    case .null: return Verdict(has(.null))
    case .boolean: return Verdict(has(.boolean))
    case .object: return Verdict(has(.object))
    case .array: return Verdict(has(.array))
    case .string: return Verdict(has(.string))
    case .number:
      if has(.number) { return .yes }
      guard has(.integer) else { return .no }
      if integer(r) != nil { return .yes }
      return Verdict(number(r)?.isInteger == true)
    }
  }

  /// The number at `r` as an `Int` when it is written as an integer of at most 18 digits.
  private func integer(_ r: Range<Int>) -> Int? {
    var i = r.lowerBound
    let negative = input[i] == UInt8(ascii: "-")
    if negative { i += 1 }
    guard r.upperBound - i <= 18 else { return nil }
    var v = 0
    while i < r.upperBound {
      let d = input[i] &- 0x30
      guard d <= 9 else { return nil }
      v = v * 10 + Int(d)
      i += 1
    }
    return negative ? -v : v
  }

  private func number(_ r: Range<Int>) -> JSONNumber? {
    JSONNumber(String(decoding: UnsafeBufferPointer(rebasing: input[r]), as: UTF8.self))
  }

  private func number(_ r: Range<Int>, _ node: SchemaNode) -> Verdict {
    let bounded =
      node.minimum != nil || node.maximum != nil || node.exclusiveMinimum != nil || node.exclusiveMaximum != nil
      || node.multipleOf != nil
    guard bounded else { return .yes }
    if let bounds = node.integerBounds, let v = integer(r) { return Verdict(bounds.accepts(v)) }
    guard let v = number(r) else { return .unknown }
    if let m = node.minimum, v < m { return .no }
    if let m = node.maximum, m < v { return .no }
    if let m = node.exclusiveMinimum, !(m < v) { return .no }
    if let m = node.exclusiveMaximum, !(v < m) { return .no }
    if let m = node.multipleOf, !v.isMultiple(of: m) { return .no }
    return .yes
  }

  /// The contents of the string literal at `r` (inside the quotes), and whether it holds escapes.
  private func contents(_ r: Range<Int>) -> (Range<Int>, escaped: Bool) {
    let inside = (r.lowerBound + 1)..<(r.upperBound - 1)
    return (inside, UnsafeBufferPointer(rebasing: input[inside]).contains(0x5C))
  }

  /// The text of the string literal at `r`.
  private func text(_ r: Range<Int>) -> String {
    let (inside, escaped) = contents(r)
    return escaped ? JSON.unescaped(inside, in: input) : String(decoding: UnsafeBufferPointer(rebasing: input[inside]), as: UTF8.self)
  }

  private func string(_ r: Range<Int>, _ node: SchemaNode) -> Verdict {
    guard node.minLength != nil || node.maxLength != nil || node.hasPattern || node.format != nil else { return .yes }
    // One pass: escapes, and the code points when they count.
    let inside = (r.lowerBound + 1)..<(r.upperBound - 1)
    var escaped = false
    var n = 0
    // And, for a pattern that excludes characters, whether an ASCII byte it excludes or any
    // other byte is there (only then is the pattern matched on its own).
    let mask = node.patternMask
    var patternUnsure = mask == nil && node.hasPattern
    func byte(_ b: UInt8) {
      if b == 0x5C { escaped = true }
      if b & 0xC0 != 0x80 { n += 1 }
      if let mask, b >= 0x80 || (b < 64 ? mask.0 : mask.1) & (1 << UInt64(b & 63)) != 0 { patternUnsure = true }
    }
    // Eight bytes at a time while they are ASCII (nearly all text): a backslash, and for the
    // printable-text pattern a control character or DEL, found with word arithmetic.
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    func hasByte(_ w: UInt64, _ b: UInt8) -> Bool {
      let x = w ^ (UInt64(b) &* ones)
      return (x &- ones) & ~x & highs != 0
    }
    let controlsOnly = mask.map { $0.0 == 0xFFFF_FFFF && $0.1 == 1 << 63 } ?? false
    let base = input.baseAddress! + inside.lowerBound
    var i = 0
    while i + 8 <= inside.count {
      let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
      if w & highs != 0 || (mask != nil && !controlsOnly) {
        for k in 0..<8 { byte(base[i + k]) }
      } else {
        n += 8
        if hasByte(w, 0x5C) { escaped = true }
        if controlsOnly && ((w &- 0x20 &* ones) & ~w & highs != 0 || hasByte(w, 0x7F)) { patternUnsure = true }
      }
      i += 8
    }
    while i < inside.count {
      byte(base[i])
      i += 1
    }
    if node.minLength != nil || node.maxLength != nil {
      if escaped { n = text(r).unicodeScalars.count }
      if let m = node.minLength, n < m { return .no }
      if let m = node.maxLength, n > m { return .no }
    }
    guard node.hasPattern || node.format != nil else { return .yes }
    if !escaped {
      let bytes = UnsafeBufferPointer(rebasing: input[inside])
      if let f = node.format, !f.accepts(utf8: bytes) { return .no }
      guard patternUnsure || (mask != nil && bytes.count > SchemaPattern.maxMatchedLength), let p = node.pattern else { return .yes }
      if let m = p.matches(utf8: bytes) { return Verdict(m) }
      return Verdict(p.matches(String(decoding: bytes, as: UTF8.self)) == true)
    }
    let s = text(r)
    if let p = node.pattern, p.matches(s) != true { return .no }
    if let f = node.format, !f.accepts(s) { return .no }
    return .yes
  }

  /// JSON equality of the value at `r` and `value`; objects and arrays are left to the tree.
  private func equal(_ r: Range<Int>, _ kind: Kind, _ value: JSONValue) -> Verdict {
    switch (kind, value) {
    case (.null, .null): return .yes
    case (.boolean, .bool(let b)): return Verdict((input[r.lowerBound] == UInt8(ascii: "t")) == b)
    case (.string, .string(let s)):
      let (inside, escaped) = contents(r)
      if escaped { return Verdict(SchemaValidator.same(text(r), s)) }
      return Verdict(s.utf8.elementsEqual(UnsafeBufferPointer(rebasing: input[inside])))
    case (.number, .number(let text)):
      guard let a = number(r), let b = JSONNumber(text) else { return .unknown }
      return Verdict(a == b)
    case (.array, .array), (.object, .object): return .unknown
    default: return .no
    }
  }

  // MARK: - Containers

  private func array(_ r: Range<Int>, _ node: SchemaNode) -> Verdict {
    var verdict = Verdict.yes
    var count = 0
    var matched = 0
    var unsureContains = false
    JSON.forEachElement(of: r, in: input) { item in
      let schema = count < node.prefixItems.count ? node.prefixItems[count] : node.items
      count += 1
      if let schema {
        verdict = verdict && check(item, schema)
        if verdict == .no { return false }
      }
      if let c = node.contains {
        switch check(item, c) {
        case .yes: matched += 1
        case .unknown: unsureContains = true
        case .no: break
        }
      }
      return true
    }
    if verdict == .no { return .no }
    if let m = node.minItems, count < m { return .no }
    if let m = node.maxItems, count > m { return .no }
    if node.uniqueItems && count > 1 { verdict = verdict && .unknown }
    if node.contains != nil {
      if let m = node.maxContains, matched > m { return .no }
      if unsureContains { return verdict && .unknown }
      if matched < node.minContains ?? 1 { return .no }
    }
    return verdict
  }

  private func object(_ r: Range<Int>, _ node: SchemaNode) -> Verdict {
    let required = node.requiredBytes
    let names = node.propertyBytes
    guard required.count <= 64 else { return .unknown }
    // Names are short: compared byte by byte, without a call.
    func same(_ want: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> Bool {
      guard want.count == name.count else { return false }
      return want.withUnsafeBufferPointer { w in
        for k in 0..<w.count where w[k] != name[k] { return false }
        return true
      }
    }
    // What the walk needs, read from the node once (not per member).
    let schemas = node.properties
    let propertyNames = node.propertyNames
    let patterns = node.patternProperties
    let additional = node.additionalProperties
    var verdict = Verdict.yes
    var found: UInt64 = 0
    var count = 0
    var escapedName = false
    JSON.forEachMember(of: r, in: input) { name, value in
      count += 1
      let nameBytes = UnsafeBufferPointer(rebasing: input[name])
      if nameBytes.isEmpty || nameBytes.contains(0x5C) {
        escapedName = true
        return false
      }
      for i in required.indices where same(required[i], nameBytes) { found |= 1 << UInt64(i) }
      if let propertyNames {
        verdict = verdict && check((name.lowerBound - 1)..<(name.upperBound + 1), propertyNames)
      }
      var matched = false
      for i in names.indices where same(names[i], nameBytes) {
        matched = true
        verdict = verdict && check(value, schemas[i].schema)
      }
      if !patterns.isEmpty {
        let key = String(decoding: nameBytes, as: UTF8.self)
        for p in patterns where p.pattern.matches(key) == true {
          matched = true
          verdict = verdict && check(value, p.schema)
        }
      }
      if !matched, let additional { verdict = verdict && check(value, additional) }
      return verdict != .no
    }
    if escapedName { return .unknown }
    if verdict == .no { return .no }
    if found.nonzeroBitCount < required.count { return .no }
    if let m = node.minProperties, count < m { return .no }
    if let m = node.maxProperties, count > m { return .no }
    for (name, needs) in node.dependentRequired where has(r, name) {
      for n in needs where !has(r, n) { return .no }
    }
    return verdict
  }

  /// Whether the object at `r` (its names without escapes, checked before) has a member `name`.
  private func has(_ r: Range<Int>, _ name: String) -> Bool {
    var found = false
    JSON.forEachMember(of: r, in: input) { n, _ in
      found = name.utf8.elementsEqual(UnsafeBufferPointer(rebasing: input[n]))
      return !found
    }
    return found
  }
}
