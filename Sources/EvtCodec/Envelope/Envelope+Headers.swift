extension Envelope {
  /// The same event with one more header (replacing one of that name). Everything else —
  /// id, type, timestamp, data — stays byte for byte.
  public func addingHeader(_ name: String, _ value: String) throws(EnvelopeError) -> Envelope {
    guard let view = (try? JSON.objectView(raw, maxDepth: JSON.envelopeMaxDepth)) ?? nil else {
      throw EnvelopeError("not an envelope")
    }
    var out: [UInt8] = [UInt8(ascii: "{")]
    var first = true
    func member(_ key: String, _ value: [UInt8]) {
      if !first { out.append(UInt8(ascii: ",")) }
      first = false
      JSON.writeString(key, to: &out)
      out.append(UInt8(ascii: ":"))
      out += value
    }
    var headers = self.headers.filter { $0.key != name }
    headers.append((name, value))
    var headersObject: [UInt8] = []
    JSONValue.object(headers.map { .init($0.key, .string($0.value)) }).write(to: &headersObject)
    for m in view.members where m.key != "headers" { member(m.key, Array(view.raw(m.key)!)) }
    member("headers", headersObject)
    out.append(UInt8(ascii: "}"))
    return try Envelope.decode(out)
  }
}
