#if canImport(Glibc)
  import Glibc
#endif

extension Envelope {
  /// Reads an envelope from its JSON text, keeping `raw` exactly as given: one pass over the
  /// bytes (strict JSON, depth limit, names given twice refused), the members found as offsets.
  /// - Throws: ``EnvelopeError`` naming the first member that is missing or of the wrong kind.
  public static func decode(_ raw: [UInt8], maxSize: Int = Int.max) throws(EnvelopeError) -> Envelope {
    try checkSize(raw.count, maxSize)
    return try decode(raw, checking: nil).envelope
  }

  /// Reads an envelope as ``decode(_:maxSize:)`` does and, in the same pass over its bytes,
  /// checks its data against `contracts`.
  /// - Returns: the envelope, and how it breaks its type's contract (`nil`: it does not).
  public static func decode(_ raw: [UInt8], checking contracts: EventContracts?) throws(EnvelopeError) -> (
    envelope: Envelope, violation: String?
  ) {
    try checkSize(raw.count, largest)
    return try raw.withUnsafeBufferPointer { (buf) throws(EnvelopeError) -> (envelope: Envelope, violation: String?) in
      try JSON.scanObject(buf, maxDepth: JSON.envelopeMaxDepth) {
        (scanned) throws(EnvelopeError) -> (envelope: Envelope, violation: String?) in
        guard let scanned else { throw EnvelopeError("an envelope must be a JSON object") }
        let envelope = Envelope(
          raw: raw, layout: try Self.layout(of: Members(buf, scanned.members, scanned.more), minified: scanned.minified))
        return (envelope, contracts?.violation(of: envelope))
      }
    }
  }

  /// The top-level members of a scanned object, found by name in place.
  struct Members {
    let input: UnsafeBufferPointer<UInt8>
    let members: UnsafeBufferPointer<JSON.RawMember>
    /// More members than were recorded (never a valid envelope or draft).
    let more: Bool

    init(_ input: UnsafeBufferPointer<UInt8>, _ members: UnsafeBufferPointer<JSON.RawMember>, _ more: Bool) {
      self.input = input
      self.members = members
      self.more = more
    }

    /// A member's name; names written with escapes are unescaped (rare: allocates).
    func name(_ m: JSON.RawMember) -> String {
      let bytes = UnsafeBufferPointer(rebasing: input[m.name])
      return bytes.contains(0x5C) ? JSON.unescaped(m.name, in: input) : String(decoding: bytes, as: UTF8.self)
    }

    func named(_ name: StaticString) -> JSON.RawMember? {
      members.first { index(of: $0, in: CollectionOfOne(name)) == 0 }
    }

    /// Which of `names` the member has (`nil`: none), compared in place.
    func index(of m: JSON.RawMember, in names: some Collection<StaticString>) -> Int? {
      let count = m.name.count
      let base = input.baseAddress! + m.name.lowerBound
      for (i, name) in names.enumerated() where name.utf8CodeUnitCount == count && memcmp(base, name.utf8Start, count) == 0 {
        return i
      }
      guard UnsafeBufferPointer(start: base, count: count).contains(0x5C) else { return nil }
      let text = self.name(m)  // written with escapes (rare)
      return names.firstIndex { $0.description == text }.map { names.distance(from: names.startIndex, to: $0) }
    }

    /// Throws unless every member is one of `allowed`.
    func checkOnly(_ allowed: [StaticString], _ message: (String) -> String) throws(EnvelopeError) {
      for m in members where index(of: m, in: allowed) == nil { throw EnvelopeError(message(name(m))) }
      if more { throw EnvelopeError(message("…")) }
    }

    func first(_ m: JSON.RawMember) -> UInt8 { input[m.value.lowerBound] }

    /// A string member's contents, or nil when the member is not a string.
    func text(_ m: JSON.RawMember) -> Text? {
      guard first(m) == UInt8(ascii: "\"") else { return nil }
      let range = (m.value.lowerBound + 1)..<(m.value.upperBound - 1)
      return Text(range: range, escaped: UnsafeBufferPointer(rebasing: input[range]).contains(0x5C))
    }

    /// The text's characters, in place when it has no escapes.
    func withText<R>(_ t: Text, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
      if !t.escaped { return body(UnsafeBufferPointer(rebasing: input[t.range])) }
      var s = JSON.unescaped(t.range, in: input)
      return s.withUTF8(body)
    }

    func string(_ t: Text) -> String { withText(t) { String(decoding: $0, as: UTF8.self) } }

    /// "a string", "an object", … of a member's value, for messages.
    func kind(_ m: JSON.RawMember) -> String {
      switch first(m) {
      case UInt8(ascii: "\""): return "a string"
      case UInt8(ascii: "{"): return "an object"
      case UInt8(ascii: "["): return "an array"
      case UInt8(ascii: "n"): return "null"
      case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
      default: return "a number"
      }
    }
  }

  /// The names of an envelope's members, in ``Layout`` order.
  static let memberNames: [StaticString] = ["id", "type", "version", "timestamp", "data", "headers"]

  static func layout(of members: Members, minified: Bool) throws(EnvelopeError) -> Layout {
    // One pass over the members, each name compared in place. (A member given twice never
    // gets here: the JSON parser refuses it.)
    var found: (JSON.RawMember?, JSON.RawMember?, JSON.RawMember?, JSON.RawMember?, JSON.RawMember?, JSON.RawMember?)
    for m in members.members {
      switch members.index(of: m, in: memberNames) {
      case 0: found.0 = m
      case 1: found.1 = m
      case 2: found.2 = m
      case 3: found.3 = m
      case 4: found.4 = m
      case 5: found.5 = m
      default:
        throw EnvelopeError(
          "unknown envelope member \(JSON.quoted(members.name(m))) (expected id, type, version, timestamp, data, headers)")
      }
    }
    if members.more { throw EnvelopeError("unknown envelope member (expected only id, type, version, timestamp, data, headers)") }
    func string(_ m: JSON.RawMember?, _ key: String) throws(EnvelopeError) -> Text {
      guard let m else { throw EnvelopeError("the envelope has no \(JSON.quoted(key))") }
      guard let t = members.text(m) else {
        throw EnvelopeError("envelope member \(JSON.quoted(key)) must be a string, not \(members.kind(m))")
      }
      return t
    }
    let id = try string(found.0, "id")
    if !members.withText(id, EventID.isValid) { try EventID.validate(members.string(id)) }
    let type = try string(found.1, "type")
    if !members.withText(type, EventType.isValid) { try EventType.validate(members.string(type)) }
    let version = try string(found.2, "version")
    guard members.withText(version, Envelope.isVersion) else {
      throw EnvelopeError(
        "unsupported envelope version \(JSON.quoted(members.string(version))) (expected 1.x, or the version of the type's schema: 1, 2, …)")
    }
    let timestamp = try string(found.3, "timestamp")
    guard let micros = members.withText(timestamp, EventTime.microseconds(iso:)) else {
      throw EnvelopeError("envelope timestamp \(JSON.quoted(members.string(timestamp))) is not an ISO-8601 time")
    }
    guard let data = found.4 else { throw EnvelopeError("the envelope has no \"data\"") }
    let headers = try checkHeaders(found.5, in: members)
    return Layout(
      id: id, type: type, version: version, timestamp: timestamp, data: data.value, headers: headers, minified: minified,
      microseconds: micros)
  }

  /// Checks a `headers` member (an object of strings with valid names, or null) in place and
  /// returns its range (`nil` when absent or null).
  static func checkHeaders(_ member: JSON.RawMember?, in members: Members) throws(EnvelopeError) -> Range<Int>? {
    guard let member, members.first(member) != UInt8(ascii: "n") else { return nil }
    guard members.first(member) == UInt8(ascii: "{") else {
      throw EnvelopeError("headers must be an object of strings, not \(members.kind(member))")
    }
    var problem: EnvelopeError?
    JSON.forEachMember(of: member.value, in: members.input) { name, value in
      let m = JSON.RawMember(name: name, value: value, depth: 0)
      guard members.text(m) != nil else {
        problem = EnvelopeError("header \(JSON.quoted(members.name(m))) must be a string, not \(members.kind(m))")
        return false
      }
      let nameBytes = UnsafeBufferPointer(rebasing: members.input[name])
      if nameBytes.contains(0x5C) || !isValidHeaderName(nameBytes) {
        do throws(EnvelopeError) { try validateHeaderName(members.name(m)) } catch {
          problem = error
          return false
        }
      }
      return true
    }
    if let problem { throw problem }
    return member.value
  }

  /// Header names: 1 to 128 printable ASCII characters without spaces or `=`.
  static func isValidHeaderName(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    !b.isEmpty && b.count <= 128 && b.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "=") }
  }

  /// Validates a `headers` value given as a tree (drafts): an object of strings.
  static func parseHeaders(_ value: JSONValue?) throws(EnvelopeError) -> [(key: String, value: String)] {
    guard let value, value != .null else { return [] }
    guard case .object(let members) = value else {
      throw EnvelopeError("headers must be an object of strings, not \(value.kindDescription)")
    }
    var out: [(key: String, value: String)] = []
    for m in members {
      guard let s = m.value.stringValue else {
        throw EnvelopeError("header \(JSON.quoted(m.key)) must be a string, not \(m.value.kindDescription)")
      }
      try validateHeaderName(m.key)
      out.append((m.key, s))
    }
    return out
  }

  static func validateHeaderName(_ name: String) throws(EnvelopeError) {
    var copy = name
    guard copy.withUTF8(isValidHeaderName) else {
      throw EnvelopeError("invalid header name \(JSON.quoted(name)): use 1 to 128 printable ASCII characters without spaces or '='")
    }
  }
}
