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
  public let id: String
  public let type: String
  public let version: String
  public let timestamp: String
  public let headers: [(key: String, value: String)]

  public static func == (a: Envelope, b: Envelope) -> Bool { a.raw == b.raw }

  public var rawString: String { String(decoding: raw, as: UTF8.self) }

  public func header(_ name: String) -> String? { headers.first { $0.key == name }?.value }

  /// The flow this event belongs to: its `correlationId` header, or its own id when it starts
  /// a flow. Events it causes carry this as their `correlationId`.
  public var correlationID: String { header("correlationId") ?? id }

  /// The `data` member, parsed from ``raw``.
  public var data: JSONValue {
    ((try? JSON.objectView(raw, maxDepth: JSON.envelopeMaxDepth)) ?? nil)?.value("data") ?? .null
  }

  private init(raw: [UInt8], id: String, type: String, version: String, timestamp: String, headers: [(key: String, value: String)]) {
    self.raw = raw
    self.id = id
    self.type = type
    self.version = version
    self.timestamp = timestamp
    self.headers = headers
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
    try EventType.validate(type)
    let id = id ?? EventID.generate()
    try EventID.validate(id)
    try validateHeaders(headers)
    let minified: [UInt8]
    do {
      minified = try JSON.minify(data)
    } catch {
      throw EnvelopeError("data is not valid JSON: \(error)")
    }
    return try assemble(type: type, data: minified, headers: headers, id: id, timestamp: timestamp ?? EventTime.now().iso, maxSize: maxSize)
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
    type: String, compactData data: [UInt8], headers: [(key: String, value: String)], id: String?, timestamp: String?,
    maxSize: Int
  ) throws(EnvelopeError) -> Envelope {
    try EventType.validate(type)
    let id = id ?? EventID.generate()
    try EventID.validate(id)
    try validateHeaders(headers)
    return try assemble(
      type: type, data: data, headers: headers, id: id, timestamp: timestamp ?? EventTime.now().iso, maxSize: maxSize)
  }

  private static func validateHeaders(_ headers: [(key: String, value: String)]) throws(EnvelopeError) {
    for h in headers { try validateHeaderName(h.key) }
    if headers.count > 1, Set(headers.map(\.key)).count != headers.count {
      throw EnvelopeError("a header name is given twice")
    }
  }

  private static func assemble(
    type: String, data: [UInt8], headers: [(key: String, value: String)], id: String, timestamp: String, maxSize: Int
  ) throws(EnvelopeError) -> Envelope {
    var out: [UInt8] = []
    out.reserveCapacity(data.count + 160)
    out.append(contentsOf: #"{"id":"#.utf8)
    JSON.writeString(id, to: &out)
    out.append(contentsOf: #","type":"#.utf8)
    JSON.writeString(type, to: &out)
    out.append(contentsOf: #","version":""#.utf8)
    out.append(contentsOf: version.utf8)
    out.append(contentsOf: #"","timestamp":"#.utf8)
    JSON.writeString(timestamp, to: &out)
    out.append(contentsOf: #","data":"#.utf8)
    out.append(contentsOf: data)
    if !headers.isEmpty {
      out.append(contentsOf: #","headers":{"#.utf8)
      for (i, h) in headers.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(h.key, to: &out)
        out.append(UInt8(ascii: ":"))
        JSON.writeString(h.value, to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append(UInt8(ascii: "}"))
    try checkSize(out.count, maxSize)
    return Envelope(raw: out, id: id, type: type, version: version, timestamp: timestamp, headers: headers)
  }

  private static func checkSize(_ size: Int, _ maxSize: Int) throws(EnvelopeError) {
    if size > maxSize {
      throw EnvelopeError("the event is \(size) bytes, over the limit of \(maxSize) bytes")
    }
  }

  /// Reads an envelope from its JSON text, keeping `raw` exactly as given.
  /// - Throws: ``EnvelopeError`` naming the first member that is missing or of the wrong kind.
  public static func decode(_ raw: [UInt8], maxSize: Int = Int.max) throws(EnvelopeError) -> Envelope {
    try checkSize(raw.count, maxSize)
    return try decode(try objectView(raw, what: "an envelope"), raw: raw)
  }

  /// Parses `bytes` as a JSON object, with messages fit for events.
  static func objectView(_ bytes: [UInt8], what: String) throws(EnvelopeError) -> JSONObjectView {
    let view: JSONObjectView?
    do { view = try JSON.objectView(bytes, maxDepth: JSON.envelopeMaxDepth) } catch { throw EnvelopeError("not valid JSON: \(error)") }
    guard let view else { throw EnvelopeError("\(what) must be a JSON object") }
    return view
  }

  /// Whether an object is a full envelope (has a version or timestamp) rather than a
  /// `{"type","data","headers"}` draft.
  static func isFullEnvelope(_ view: JSONObjectView) -> Bool {
    view.raw("version") != nil || view.raw("timestamp") != nil
  }

  static func decode(_ view: JSONObjectView, raw: [UInt8]) throws(EnvelopeError) -> Envelope {
    // (A member given twice never gets here: the JSON parser refuses it.)
    for m in view.members {
      switch m.key {
      case "id", "type", "version", "timestamp", "data", "headers": continue
      default:
        throw EnvelopeError(
          "unknown envelope member \(JSON.quoted(m.key)) (expected id, type, version, timestamp, data, headers)")
      }
    }
    func string(_ key: String) throws(EnvelopeError) -> String {
      guard let v = view.value(key) else { throw EnvelopeError("the envelope has no \(JSON.quoted(key))") }
      guard let s = v.stringValue else {
        throw EnvelopeError("envelope member \(JSON.quoted(key)) must be a string, not \(v.kindDescription)")
      }
      return s
    }
    let id = try string("id")
    try EventID.validate(id)
    let type = try string("type")
    try EventType.validate(type)
    let version = try string("version")
    guard version.hasPrefix("1.") else {
      throw EnvelopeError("unsupported envelope version \(JSON.quoted(version)) (expected 1.x)")
    }
    let timestamp = try string("timestamp")
    guard EventTime(iso: timestamp) != nil else {
      throw EnvelopeError("envelope timestamp \(JSON.quoted(timestamp)) is not an ISO-8601 time")
    }
    guard view.raw("data") != nil else { throw EnvelopeError("the envelope has no \"data\"") }
    let headers = try parseHeaders(view.value("headers"))
    return Envelope(raw: raw, id: id, type: type, version: version, timestamp: timestamp, headers: headers)
  }

  /// Validates a `headers` member: an object of string values.
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
    guard !name.isEmpty, name.utf8.count <= 128, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "=") }) else {
      throw EnvelopeError("invalid header name \(JSON.quoted(name)): use 1 to 128 printable ASCII characters without spaces or '='")
    }
  }
}
