#if canImport(Glibc)
  import Glibc
#endif

/// One event as it travels and is stored: a JSON object
/// `{"id","type","version","timestamp","data","headers"}` (headers omitted when empty).
///
/// An envelope is immutable: ``raw`` holds the exact bytes that are stored in Redis and that
/// `tail --json` prints, and an envelope read back or re-published (`publish --ndjson`) keeps
/// those bytes unchanged.
public struct Envelope: Sendable, Equatable {
  /// The current envelope version written by ``create(type:data:headers:id:timestamp:)``.
  public static let version = "1.0"
  /// Default limit on the size of one envelope in bytes (1 MiB).
  public static let defaultMaxSize = 1 << 20

  public let raw: [UInt8]
  /// Where the members are in ``raw``: an envelope is decoded into offsets over the bytes it
  /// came in, and its members are read from them only when asked for.
  let layout: Layout

  struct Layout: Sendable {
    /// The contents (inside the quotes) of the string members.
    var id: Text
    var type: Text
    var version: Text
    var timestamp: Text
    /// Offsets kept as 32-bit numbers (an envelope is at most 512 MiB): a delivery that carries
    /// its envelope stays small to copy.
    private let dataStart: Int32
    private let dataEnd: Int32
    private let headersStart: Int32
    private let headersEnd: Int32
    /// Whether ``raw`` has no insignificant white space.
    var minified: Bool
    /// The timestamp, microseconds since 1970.
    var microseconds: Int64

    init(
      id: Text, type: Text, version: Text, timestamp: Text, data: Range<Int>, headers: Range<Int>?, minified: Bool, microseconds: Int64
    ) {
      self.id = id
      self.type = type
      self.version = version
      self.timestamp = timestamp
      dataStart = Int32(data.lowerBound)
      dataEnd = Int32(data.upperBound)
      headersStart = Int32(headers?.lowerBound ?? -1)
      headersEnd = Int32(headers?.upperBound ?? -1)
      self.minified = minified
      self.microseconds = microseconds
    }

    /// The `data` value's JSON text.
    var data: Range<Int> { Int(dataStart)..<Int(dataEnd) }
    /// The `headers` object's JSON text; `nil` when absent or null.
    var headers: Range<Int>? { headersStart < 0 ? nil : Int(headersStart)..<Int(headersEnd) }
  }

  /// A string member's contents; `escaped` when they hold a backslash escape.
  struct Text: Sendable {
    private let start: Int32
    private let end: Int32
    let escaped: Bool

    init(range: Range<Int>, escaped: Bool) {
      start = Int32(range.lowerBound)
      end = Int32(range.upperBound)
      self.escaped = escaped
    }

    var range: Range<Int> { Int(start)..<Int(end) }
  }

  public static func == (a: Envelope, b: Envelope) -> Bool { a.raw == b.raw }

  public var rawString: String { String(decoding: raw, as: UTF8.self) }

  public var id: String { string(layout.id) }
  public var type: String { string(layout.type) }
  public var version: String { string(layout.version) }
  public var timestamp: String { string(layout.timestamp) }

  /// When the event was published (from ``timestamp``).
  public var time: EventTime { EventTime(milliseconds: Self.floorDiv(layout.microseconds, 1000)) }
  /// ``timestamp`` in microseconds since 1970 (envelopes written by `evt bench` carry them).
  public var timeMicroseconds: Int64 { layout.microseconds }

  /// The envelope as one line of JSON: ``raw`` itself, which is minified unless another tool
  /// wrote it with white space (then a minified copy).
  public var line: [UInt8] {
    layout.minified ? raw : ((try? JSON.minify(raw, maxDepth: JSON.envelopeMaxDepth)) ?? raw)
  }

  /// Whether the event's type is `type` (compared in place).
  public func hasType(_ type: String) -> Bool {
    guard !layout.type.escaped else { return self.type == type }
    var t = type
    return t.withUTF8 { want in
      raw.withUnsafeBufferPointer { buf in
        want.count == layout.type.range.count && want.elementsEqual(UnsafeBufferPointer(rebasing: buf[layout.type.range]))
      }
    }
  }

  public var headers: [(key: String, value: String)] {
    guard let range = layout.headers, case .object(let members)? = try? JSON.parse(Array(raw[range]), maxDepth: 1) else { return [] }
    return members.map { ($0.key, $0.value.stringValue ?? "") }
  }

  public func header(_ name: String) -> String? { headers.first { $0.key == name }?.value }

  /// The flow this event belongs to: its `correlationId` header, or its own id when it starts
  /// a flow. Events it causes carry this as their `correlationId`.
  public var correlationID: String { header("correlationId") ?? id }

  /// The `data` member, parsed from ``raw``.
  public var data: JSONValue {
    (try? JSON.parse(Array(raw[layout.data]), maxDepth: JSON.envelopeMaxDepth)) ?? .null
  }

  private func string(_ text: Text) -> String {
    raw.withUnsafeBufferPointer { buf in
      text.escaped ? JSON.unescaped(text.range, in: buf) : String(decoding: UnsafeBufferPointer(rebasing: buf[text.range]), as: UTF8.self)
    }
  }

  private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

  init(raw: [UInt8], layout: Layout) {
    self.raw = raw
    self.layout = layout
  }

  /// Builds a new envelope.
  /// - Parameters:
  ///   - data: JSON text; validated, stored without insignificant white space, and otherwise
  ///     byte for byte as given.
  ///   - id: the caller's event id, or `nil` for a new random UUID.
  ///   - timestamp: ISO-8601 UTC with milliseconds; `nil` for now.
  /// - Throws: ``EnvelopeError`` when the type name, the data, a header or the size is invalid.
  public static func create(
    type: String, data: [UInt8], headers: [(key: String, value: String)] = [], id: String? = nil,
    timestamp: String? = nil, maxSize: Int = defaultMaxSize
  ) throws(EnvelopeError) -> Envelope {
    try data.withUnsafeBufferPointer { (buf) throws(EnvelopeError) -> Envelope in
      let minified: Bool
      do { minified = try JSON.validate(buf) } catch { throw EnvelopeError("data is not valid JSON: \(error)") }
      if minified { return try create(type: type, compactData: buf, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize) }
      let compact: [UInt8]
      do { compact = try JSON.minify(buf) } catch { throw EnvelopeError("data is not valid JSON: \(error)") }
      return try compact.withUnsafeBufferPointer { (c) throws(EnvelopeError) in
        try create(type: type, compactData: c, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize)
      }
    }
  }

  /// Builds a new envelope from already-parsed data.
  public static func create(
    type: String, data: JSONValue, headers: [(key: String, value: String)] = [], id: String? = nil,
    timestamp: String? = nil, maxSize: Int = defaultMaxSize
  ) throws(EnvelopeError) -> Envelope {
    try create(type: type, compactData: data.serialized, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize)
  }

  /// Builds a new envelope from data that is already valid, minified JSON (no second parse).
  static func create(
    type: String, compactData data: UnsafeBufferPointer<UInt8>, headers: [(key: String, value: String)], id: String?,
    timestamp: String?, maxSize: Int
  ) throws(EnvelopeError) -> Envelope {
    try EventType.validate(type)
    if let id { try EventID.validate(id) }
    try validateHeaders(headers)
    return try assemble(type: type, data: data, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize)
  }

  /// ``create(type:compactData:headers:id:timestamp:maxSize:)`` for data in an array.
  static func create(
    type: String, compactData data: [UInt8], headers: [(key: String, value: String)], id: String?, timestamp: String?, maxSize: Int
  ) throws(EnvelopeError) -> Envelope {
    try data.withUnsafeBufferPointer { (buf) throws(EnvelopeError) in
      try create(type: type, compactData: buf, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize)
    }
  }

  private static func validateHeaders(_ headers: [(key: String, value: String)]) throws(EnvelopeError) {
    for h in headers { try validateHeaderName(h.key) }
    if headers.count > 1, Set(headers.map(\.key)).count != headers.count {
      throw EnvelopeError("a header name is given twice")
    }
    try TraceContext.checkPublishable(headers)
  }

  /// What `evt publish` refuses of a stored envelope beyond what every reader accepts: a
  /// correlation id or header names a handler could not be given
  /// (``TraceContext/checkPublishable(_:)``). Readers do not check this, so an event another
  /// tool wrote is still read.
  public func checkPublishable() throws(EnvelopeError) {
    guard layout.headers != nil else { return }
    try TraceContext.checkPublishable(headers)
  }

  /// Writes the envelope into one buffer, noting where each member is as it goes. A `nil` id
  /// is a new UUID written in place; a `nil` timestamp is now.
  private static func assemble(
    type: String, data: UnsafeBufferPointer<UInt8>, headers: [(key: String, value: String)], id: String?, timestamp: String?,
    maxSize: Int
  ) throws(EnvelopeError) -> Envelope {
    var out: [UInt8] = []
    out.reserveCapacity(data.count + 144 + (id?.utf8.count ?? 36) + headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
    func text(_ write: (inout [UInt8]) -> Void) -> Text {
      let start = out.count
      write(&out)
      return Text(range: (start + 1)..<(out.count - 1), escaped: out[(start + 1)..<(out.count - 1)].contains(0x5C))
    }
    out.append(contentsOf: #"{"id":"#.utf8)
    let idText: Text
    if let id {
      idText = text { JSON.writeString(id, to: &$0) }
    } else {
      idText = text { o in
        o.append(UInt8(ascii: "\""))
        EventID.generate(into: &o)
        o.append(UInt8(ascii: "\""))
      }
    }
    out.append(contentsOf: #","type":"#.utf8)
    let typeText = text { JSON.writeString(type, to: &$0) }
    out.append(contentsOf: #","version":"#.utf8)
    let versionText = text { JSON.writeString(version, to: &$0) }
    out.append(contentsOf: #","timestamp":"#.utf8)
    let now = EventTime.now()
    let timestampText = text { JSON.writeString(timestamp ?? now.iso, to: &$0) }
    let micros: Int64
    if timestamp == nil {
      micros = now.milliseconds * 1000
    } else {
      guard let us = out.withUnsafeBufferPointer({ EventTime.microseconds(iso: UnsafeBufferPointer(rebasing: $0[timestampText.range])) })
      else { throw EnvelopeError("envelope timestamp \(JSON.quoted(timestamp!)) is not an ISO-8601 time") }
      micros = us
    }
    out.append(contentsOf: #","data":"#.utf8)
    let dataStart = out.count
    out.append(contentsOf: data)
    let dataRange = dataStart..<out.count
    var headersRange: Range<Int>?
    if !headers.isEmpty {
      out.append(contentsOf: #","headers":"#.utf8)
      let start = out.count
      out.append(UInt8(ascii: "{"))
      for (i, h) in headers.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(h.key, to: &out)
        out.append(UInt8(ascii: ":"))
        JSON.writeString(h.value, to: &out)
      }
      out.append(UInt8(ascii: "}"))
      headersRange = start..<out.count
    }
    out.append(UInt8(ascii: "}"))
    try checkSize(out.count, maxSize)
    let layout = Layout(
      id: idText, type: typeText, version: versionText, timestamp: timestampText, data: dataRange, headers: headersRange,
      minified: true, microseconds: micros)
    return Envelope(raw: out, layout: layout)
  }

  /// No envelope is larger than this (2 GiB: offsets are kept in 32 bits; Redis's own limit
  /// on a string is 512 MiB by default).
  static let largest = Int(Int32.max)

  private static func checkSize(_ size: Int, _ maxSize: Int) throws(EnvelopeError) {
    if size > min(maxSize, largest) {
      throw EnvelopeError("the event is \(size) bytes, over the limit of \(maxSize) bytes")
    }
  }

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
        return (envelope, contracts?.violation(of: envelope, dataMembers: scanned.dataMembers, in: buf))
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
  private static let memberNames: [StaticString] = ["id", "type", "version", "timestamp", "data", "headers"]

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
    guard members.withText(version, { $0.count >= 2 && $0[0] == UInt8(ascii: "1") && $0[1] == UInt8(ascii: ".") }) else {
      throw EnvelopeError("unsupported envelope version \(JSON.quoted(members.string(version))) (expected 1.x)")
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
