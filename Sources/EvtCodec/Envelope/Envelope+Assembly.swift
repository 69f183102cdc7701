#if canImport(Glibc)
  import Glibc
#endif

extension Envelope {
  /// Writes the envelope into one buffer, noting where each member is as it goes. A `nil` id
  /// is a new UUID written in place; a `nil` timestamp is now; a `nil` schema version is
  /// ``Envelope/version`` (`1.0`).
  static func assemble(
    type: String, data: UnsafeBufferPointer<UInt8>, headers: [(key: String, value: String)], id: String?, timestamp: String?,
    maxSize: Int, schemaVersion: Int? = nil
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
    let versionText = text { JSON.writeString(schemaVersion.map(String.init) ?? version, to: &$0) }
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
  package static let largest = Int(Int32.max)

  static func checkSize(_ size: Int, _ maxSize: Int) throws(EnvelopeError) {
    if size > min(maxSize, largest) {
      throw EnvelopeError("the event is \(size) bytes, over the limit of \(maxSize) bytes")
    }
  }
}
