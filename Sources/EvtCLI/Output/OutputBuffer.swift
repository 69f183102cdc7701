import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Buffered standard output, one line per event.
///
/// A closed pipe is `.outputClosed` (exit 141, said nowhere: like any tool killed by SIGPIPE),
/// never a crash. ``flushLines(stop:)`` reports how many whole lines got out, so a consumer
/// group acknowledges only what was written, and after a shutdown request it finishes the
/// line being written and stops instead of writing out the whole batch to a slow reader.
final class OutputBuffer {
  private var buffer: [UInt8] = []
  /// Where each buffered line ends in `buffer` (exclusive).
  private var lineEnds: [Int] = []
  private let fd: Int32
  /// Whether ``line(_:)`` writes out a full buffer by itself (otherwise the caller flushes).
  private let autoFlush: Bool
  static let chunk = 1 << 16

  init(fd: Int32 = 1, autoFlush: Bool = true) {
    self.fd = fd
    self.autoFlush = autoFlush
    buffer.reserveCapacity(Self.chunk)
  }

  /// Bytes waiting to be written.
  var buffered: Int { buffer.count }
  /// Lines waiting to be written.
  var lineCount: Int { lineEnds.count }

  func line(_ bytes: [UInt8]) throws(BusError) {
    buffer.append(contentsOf: bytes)
    buffer.append(0x0A)
    lineEnds.append(buffer.count)
    if autoFlush && buffer.count >= Self.chunk { try flush() }
  }

  /// Writes everything buffered.
  func flush() throws(BusError) {
    let total = lineEnds.count
    let written = flushLines { false }
    if written < total { throw Self.writeError(failure) }
  }

  /// The errno of the last write that failed (EPIPE: the reader went away).
  private(set) var failure: Int32 = 0

  /// Writes buffered lines until all are out, the output fails, or `stop()` turns true while
  /// a write waits (the line being written is finished first). Drops what was not written.
  /// - Returns: how many whole lines were written.
  func flushLines(stop: () -> Bool) -> Int {
    defer {
      buffer.removeAll(keepingCapacity: true)
      lineEnds.removeAll(keepingCapacity: true)
    }
    failure = 0
    var offset = 0
    var limit = stop() ? 0 : buffer.count
    buffer.withUnsafeBytes { buf in
      while offset < limit {
        let n = write(fd, buf.baseAddress! + offset, limit - offset)
        if n < 0 {
          if errno == EINTR {
            // A signal: finish the line in hand, then stop.
            if stop() { limit = lineEnds.first { $0 >= offset } ?? offset }
            continue
          }
          failure = errno
          return
        }
        offset += n
        if stop(), let end = lineEnds.first(where: { $0 >= offset }) { limit = end }
      }
    }
    var whole = 0
    for end in lineEnds where end <= offset { whole += 1 }
    return whole
  }

  static func writeError(_ code: Int32) -> BusError {
    if code == EPIPE { return BusError(.outputClosed, "standard output was closed") }
    return BusError(.output, "cannot write to standard output: \(String(cString: strerror(code)))")
  }

  /// Writes one event in `format`. `envelope` is the entry's envelope when it was decoded
  /// already (a consumer group's triage): it is not checked again.
  func event(_ entry: StreamEntry, _ format: EventFormat, envelope: Envelope? = nil) throws(BusError) {
    switch format {
    case .json:
      try line(envelope?.line ?? Self.json(entry))
    case .readable(let color):
      try line(Array(Readable.line(entry, color: color).utf8))
    }
  }

  /// The entry as one JSON line: the envelope exactly as stored, or — for an entry that is not
  /// an envelope (written by another tool, or garbage) — a JSON object saying so, with the
  /// entry's fields as strings. Always exactly one valid JSON value.
  static func json(_ entry: StreamEntry) -> [UInt8] {
    if let raw = entry.event, let envelope = try? Envelope.decode(raw) { return envelope.line }
    var fields: [JSONValue.Member] = []
    for f in entry.fields ?? [] { fields.append(.init(f.name, .string(String(decoding: f.value, as: UTF8.self)))) }
    return JSONValue.object([
      .init("streamId", .string(entry.id.description)), .init("type", .string(entry.type)),
      .init("notAnEnvelope", .bool(true)), .init("fields", .object(fields)),
    ]).serialized
  }
}
