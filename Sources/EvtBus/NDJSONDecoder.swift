/// Turns one line of NDJSON into an envelope.
///
/// A line is either a full envelope (as `tail --json` prints it), which is kept byte for byte,
/// or a draft object `{"type":…,"data":…,"headers":{…},"id":…}` (`headers` and `id` optional),
/// which gets a new envelope with a fresh timestamp (and id unless given); its `data` is kept
/// as written, without insignificant white space. (Contracts are checked by the
/// ``EventWriter`` that writes it.)
public struct NDJSONDecoder: Sendable {
  public var maxSize: Int

  public init(maxSize: Int = Envelope.defaultMaxSize) {
    self.maxSize = maxSize
  }

  public func envelope(fromLine line: [UInt8]) throws(EnvelopeError) -> Envelope {
    if line.count > maxSize {
      throw EnvelopeError("the line is \(line.count) bytes, over the limit of \(maxSize) bytes")
    }
    let view = try Envelope.objectView(line, what: "a line")
    if Envelope.isFullEnvelope(view) {
      return try Envelope.decode(view, raw: line)
    }
    for m in view.members where !["type", "data", "headers", "id"].contains(m.key) {
      throw EnvelopeError("unknown member \(JSON.quoted(m.key)) (expected type, data, headers, id — or a full envelope)")
    }
    guard let typeValue = view.value("type") else { throw EnvelopeError("the object has no \"type\"") }
    guard let type = typeValue.stringValue else {
      throw EnvelopeError("\"type\" must be a string, not \(typeValue.kindDescription)")
    }
    guard let data = view.raw("data") else { throw EnvelopeError("the object has no \"data\"") }
    var id: String?
    if let idValue = view.value("id") {
      guard let s = idValue.stringValue else { throw EnvelopeError("\"id\" must be a string, not \(idValue.kindDescription)") }
      id = s
    }
    let headers = try Envelope.parseHeaders(view.value("headers"))
    // The line may nest deeper than data may (a full envelope can carry data at the limit):
    // check the data's own depth as publish does.
    if let depth = view.depth("data"), depth > JSON.maxDepth {
      throw EnvelopeError("data is not valid JSON: nested deeper than \(JSON.maxDepth) levels")
    }
    return try Envelope.create(type: type, compactData: Array(data), headers: headers, id: id, timestamp: nil, maxSize: maxSize)
  }
}
