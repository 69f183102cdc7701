/// Turns one line of NDJSON into an envelope.
///
/// A line is either a full envelope (as `tail --json` prints it), which is kept byte for byte,
/// or a draft object `{"type":…,"data":…,"headers":{…},"id":…}` (`headers` and `id` optional),
/// which gets a new envelope with a fresh timestamp (and id unless given); its `data` is kept
/// as written, without insignificant white space. (Contracts are checked by the
/// ``EventWriter`` that writes it.)
public struct NDJSONDecoder: Sendable {
  public var maxSize: Int
  /// A draft line of this type is made with this schema version instead of `1.0` (what
  /// `publish --ndjson` would stamp it with: its type's latest, known from the line before).
  package var draftVersion: (type: String, version: Int)?

  public init(maxSize: Int = Envelope.defaultMaxSize) {
    self.maxSize = maxSize
  }

  public func envelope(fromLine line: [UInt8]) throws(EnvelopeError) -> Envelope {
    try line.withUnsafeBufferPointer { (buf) throws(EnvelopeError) in try envelope(fromLine: buf, checking: nil).envelope }
  }

  /// Reads one line (its bytes are copied only when it is a full envelope, kept as given) and,
  /// in the same pass, checks the event against `contracts`.
  /// - Returns: the envelope, how it breaks its type's contract (`nil`: it does not), and
  ///   whether its id was made here (a draft without `id`: the same line read again gets
  ///   another).
  public func envelope(fromLine line: UnsafeBufferPointer<UInt8>, checking contracts: EventContracts?) throws(EnvelopeError) -> (
    envelope: Envelope, violation: String?, madeID: Bool
  ) {
    if line.count > min(maxSize, Envelope.largest) {
      throw EnvelopeError("the line is \(line.count) bytes, over the limit of \(maxSize) bytes")
    }
    return try JSON.scanObject(line, maxDepth: JSON.envelopeMaxDepth) {
      (scanned) throws(EnvelopeError) -> (envelope: Envelope, violation: String?, madeID: Bool) in
      guard let scanned else { throw EnvelopeError("a line must be a JSON object") }
      let members = Envelope.Members(line, scanned.members, scanned.more)
      let envelope: Envelope
      var madeID = false
      if members.named("version") != nil || members.named("timestamp") != nil {
        envelope = Envelope(raw: Array(line), layout: try Envelope.layout(of: members, minified: scanned.minified))
        try envelope.checkPublishable()
      } else {
        envelope = try draft(members, minified: scanned.minified)
        madeID = members.named("id") == nil
      }
      return (envelope, contracts?.violation(of: envelope), madeID)
    }
  }

  /// A `{"type","data","headers","id"}` line: a new envelope around its data.
  private func draft(_ members: Envelope.Members, minified: Bool) throws(EnvelopeError) -> Envelope {
    try members.checkOnly(["type", "data", "headers", "id"]) {
      "unknown member \(JSON.quoted($0)) (expected type, data, headers, id — or a full envelope)"
    }
    guard let typeMember = members.named("type") else { throw EnvelopeError("the object has no \"type\"") }
    guard let typeText = members.text(typeMember) else {
      throw EnvelopeError("\"type\" must be a string, not \(members.kind(typeMember))")
    }
    guard let data = members.named("data") else { throw EnvelopeError("the object has no \"data\"") }
    var id: String?
    if let idMember = members.named("id") {
      guard let t = members.text(idMember) else { throw EnvelopeError("\"id\" must be a string, not \(members.kind(idMember))") }
      id = members.string(t)
    }
    var headers: [(key: String, value: String)] = []
    if let h = members.named("headers"), members.first(h) != UInt8(ascii: "n") {
      // (The line was validated: the headers value parses; parseHeaders says what is wrong with it.)
      headers = try Envelope.parseHeaders(try? JSON.parse(Array(members.input[h.value]), maxDepth: JSON.envelopeMaxDepth))
    }
    // The line may nest deeper than data may (a full envelope can carry data at the limit):
    // check the data's own depth as publish does.
    if data.depth > JSON.maxDepth {
      throw EnvelopeError("data is not valid JSON: nested deeper than \(JSON.maxDepth) levels")
    }
    let type = members.string(typeText)
    let version = draftVersion.flatMap { $0.type == type ? $0.version : nil }
    let dataBytes = UnsafeBufferPointer(rebasing: members.input[data.value])
    if minified {
      return try Envelope.create(
        type: type, compactData: dataBytes, headers: headers, id: id, timestamp: nil, maxSize: maxSize, schemaVersion: version)
    }
    let compact: [UInt8]
    do { compact = try JSON.minify(dataBytes, maxDepth: JSON.maxDepth) } catch { throw EnvelopeError("data is not valid JSON: \(error)") }
    return try compact.withUnsafeBufferPointer { (c) throws(EnvelopeError) in
      try Envelope.create(type: type, compactData: c, headers: headers, id: id, timestamp: nil, maxSize: maxSize, schemaVersion: version)
    }
  }
}
