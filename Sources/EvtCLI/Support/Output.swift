import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

enum Terminal {
  static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  /// Writes `evt: error: MESSAGE` as one line on standard error.
  static func error(_ message: String) {
    let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    writeAll(2, Array("evt: error: \(oneLine)\n".utf8))
  }

  /// Writes `evt: MESSAGE` on standard error (notices and summaries).
  static func note(_ message: String) {
    writeAll(2, Array("evt: \(message)\n".utf8))
  }

  /// Writes `TIMESTAMP MESSAGE` on standard error: the log of long-running services.
  static func log(_ message: String) {
    writeAll(2, Array("\(EventTime.now().iso) \(message)\n".utf8))
  }

  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { buf in
      var offset = 0
      while offset < buf.count {
        let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += n
      }
      return true
    }
  }
}

/// How events are printed.
enum EventFormat: Equatable {
  /// The envelope exactly as stored, one per line.
  case json
  /// `timestamp type id data [headers]`, optionally coloured.
  case readable(color: Bool)
}

/// Buffered standard output. ``flush()`` reports a closed pipe as an error, so a consumer
/// group never acknowledges an event whose line did not get out.
final class OutputBuffer {
  private var buffer: [UInt8] = []
  private let fd: Int32

  init(fd: Int32 = 1) {
    self.fd = fd
    buffer.reserveCapacity(1 << 16)
  }

  func write(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }
  func write(_ text: String) { buffer.append(contentsOf: text.utf8) }

  func line(_ bytes: [UInt8]) throws(BusError) {
    buffer.append(contentsOf: bytes)
    buffer.append(0x0A)
    if buffer.count >= 1 << 16 { try flush() }
  }

  func flush() throws(BusError) {
    guard !buffer.isEmpty else { return }
    defer { buffer.removeAll(keepingCapacity: true) }
    guard Terminal.writeAll(fd, buffer) else {
      throw BusError(.output, "cannot write to standard output: \(String(cString: strerror(errno)))")
    }
  }

  /// Writes one event in `format`.
  func event(_ entry: StreamEntry, _ format: EventFormat) throws(BusError) {
    switch format {
    case .json:
      if let raw = entry.event {
        try line(raw)
      } else {
        // Not an envelope (written by another tool): show its fields as a JSON object.
        var fields: [JSONValue.Member] = []
        for f in entry.fields ?? [] { fields.append(.init(f.name, .string(String(decoding: f.value, as: UTF8.self)))) }
        try line(
          JSONValue.object([
            .init("streamId", .string(entry.id.description)), .init("type", .string(entry.type)), .init("fields", .object(fields)),
          ]).serialized)
      }
    case .readable(let color):
      try line(Array(Readable.line(entry, color: color).utf8))
    }
  }
}

/// One readable line per event: `2026-11-27T10:00:00.000Z  user.created  <id>  {data}  k=v`.
enum Readable {
  static func line(_ entry: StreamEntry, color: Bool) -> String {
    func paint(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    guard let raw = entry.event, let envelope = try? Envelope.decode(raw) else {
      let text = entry.event.map { String(decoding: $0, as: UTF8.self) } ?? "(no event field)"
      return "\(paint("2", entry.id.time.iso))  \(paint("36", entry.type))  \(paint("31", "not an envelope:")) \(text)"
    }
    var out = "\(paint("2", envelope.timestamp))  \(paint("1;36", envelope.type))  \(paint("33", envelope.id))  "
    out += String(decoding: envelope.data.serialized, as: UTF8.self)
    for h in envelope.headers { out += "  \(paint("2", h.key + "=" + h.value))" }
    return out
  }
}
