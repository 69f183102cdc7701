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
  /// The version of an event whose type has no registered schema (free-form data), written by
  /// ``create(type:data:headers:id:timestamp:maxSize:)``. An event of a type with a schema
  /// carries the number of the schema version its data conforms to instead (`"1"`, `"2"`, …;
  /// ``withVersion(_:)``).
  public static let version = "1.0"

  /// Whether `b` is a version an envelope may carry: `1.x` (no schema), or a schema version —
  /// a whole number from 1 to 999,999,999 without leading zeros.
  package static func isVersion(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    if b.count >= 2 && b[0] == UInt8(ascii: "1") && b[1] == UInt8(ascii: ".") { return true }
    return (1...9).contains(b.count) && b[0] != UInt8(ascii: "0") && b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
  }

  /// The schema version this event says its data conforms to, or `nil` for `1.x` (no schema).
  public var schemaVersion: Int? {
    // `1.x`, what nearly every event carries, is told apart in place (no String).
    let r = layout.version.range
    if r.count >= 2 && raw[r.lowerBound] == UInt8(ascii: "1") && raw[r.lowerBound + 1] == UInt8(ascii: ".") { return nil }
    // A schema version, digits only (checked when the envelope was read), is read in place.
    if !layout.version.escaped && (1...9).contains(r.count) {
      var n = 0
      for b in raw[r] {
        guard b >= 0x30 && b <= 0x39 else { return nil }
        n = n * 10 + Int(b - 0x30)
      }
      return n
    }
    let v = version
    return v.hasPrefix("1.") ? nil : Int(v)
  }

  /// The same event stamped with schema version `version` (everything else byte for byte).
  public func withVersion(_ version: Int) throws(EnvelopeError) -> Envelope {
    guard (1...999_999_999).contains(version) else { throw EnvelopeError("schema version \(version) is out of range") }
    let r = layout.version.range
    let text = String(version).utf8
    var out: [UInt8] = []
    out.reserveCapacity(raw.count - r.count + text.count)
    out += raw[..<r.lowerBound]
    out += text
    out += raw[r.upperBound...]
    // Only the version's text changed: every member after it moved by the same amount.
    let delta = text.count - r.count
    func moved(_ range: Range<Int>) -> Range<Int> {
      range.lowerBound >= r.upperBound ? (range.lowerBound + delta)..<(range.upperBound + delta) : range
    }
    func moved(_ t: Text) -> Text { Text(range: moved(t.range), escaped: t.escaped) }
    let l = layout
    return Envelope(
      raw: out,
      layout: Layout(
        id: moved(l.id), type: moved(l.type), version: Text(range: r.lowerBound..<(r.lowerBound + text.count), escaped: false),
        timestamp: moved(l.timestamp), data: moved(l.data), headers: l.headers.map(moved), minified: l.minified,
        microseconds: l.microseconds))
  }
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
    let dataStart: Int32
    let dataEnd: Int32
    let headersStart: Int32
    let headersEnd: Int32
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
    let start: Int32
    let end: Int32
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

  func string(_ text: Text) -> String {
    raw.withUnsafeBufferPointer { buf in
      text.escaped ? JSON.unescaped(text.range, in: buf) : String(decoding: UnsafeBufferPointer(rebasing: buf[text.range]), as: UTF8.self)
    }
  }

  static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

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
  package static func create(
    type: String, compactData data: UnsafeBufferPointer<UInt8>, headers: [(key: String, value: String)], id: String?,
    timestamp: String?, maxSize: Int, schemaVersion: Int? = nil
  ) throws(EnvelopeError) -> Envelope {
    try EventType.validate(type)
    if let id { try EventID.validate(id) }
    try validateHeaders(headers)
    if let schemaVersion, !(1...999_999_999).contains(schemaVersion) {
      throw EnvelopeError("schema version \(schemaVersion) is out of range")
    }
    return try assemble(
      type: type, data: data, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize, schemaVersion: schemaVersion)
  }

  /// ``create(type:compactData:headers:id:timestamp:maxSize:)`` for data in an array.
  package static func create(
    type: String, compactData data: [UInt8], headers: [(key: String, value: String)], id: String?, timestamp: String?, maxSize: Int
  ) throws(EnvelopeError) -> Envelope {
    try data.withUnsafeBufferPointer { (buf) throws(EnvelopeError) in
      try create(type: type, compactData: buf, headers: headers, id: id, timestamp: timestamp, maxSize: maxSize)
    }
  }

  static func validateHeaders(_ headers: [(key: String, value: String)]) throws(EnvelopeError) {
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

}
