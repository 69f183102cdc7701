import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

enum Terminal {
  static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  /// Writes `evt: error: MESSAGE` as one line on standard error (control characters and
  /// other unsafe text escaped: messages may quote event content).
  static func error(_ message: String) {
    let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    writeAll(2, Array("evt: error: \(Printable.escaped(oneLine))\n".utf8))
  }

  /// Writes `evt: MESSAGE` on standard error (notices and summaries).
  static func note(_ message: String) {
    writeAll(2, Array("evt: \(Printable.escaped(message))\n".utf8))
  }

  /// Writes `TIMESTAMP MESSAGE` on standard error: the log of long-running services.
  static func log(_ message: String) {
    writeAll(2, Array("\(EventTime.now().iso) \(Printable.escaped(message))\n".utf8))
  }

  /// Whether the reader of standard output went away (a pipe or socket whose other end is
  /// closed), without writing to it. Files and terminals are never closed this way.
  static func outputClosed() -> Bool {
    var fds = [pollfd(fd: 1, events: 0, revents: 0)]
    guard poll(&fds, 1, 0) > 0 else { return false }
    return fds[0].revents & Int16(POLLERR | POLLHUP) != 0
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

/// A progress line on standard error, redrawn in place (`\r`) at most five times a second;
/// for terminals only.
final class ProgressLine {
  private let started = EventTime.nowMicroseconds()
  private var lastShown: Int64 = 0
  private var shown = false

  /// Redraws the line, unless it was redrawn less than 200 ms ago (`force`: always).
  func show(_ text: String, force: Bool = false) {
    let now = EventTime.nowMicroseconds()
    guard force || now - lastShown >= 200_000 else { return }
    lastShown = now
    shown = true
    Terminal.writeAll(2, Array("\revt: \(Printable.escaped(text))\u{1B}[K".utf8))
  }

  /// `n` per second since the line was made, rounded.
  func rate(_ n: Int) -> Int {
    let seconds = Double(EventTime.nowMicroseconds() - started) / 1_000_000
    return seconds > 0 ? Int((Double(n) / seconds).rounded()) : 0
  }

  /// Ends the line (a newline), when it was shown.
  func end() {
    if shown { Terminal.writeAll(2, [0x0A]) }
  }
}

/// How events are printed.
enum EventFormat: Equatable {
  /// The envelope exactly as stored, one per line.
  case json
  /// `timestamp type id data [headers]`, optionally coloured.
  case readable(color: Bool)
}

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

/// One readable line per event: `2026-11-27T10:00:00.000Z  user.created  <id>  {data}  k=v`.
/// Everything taken from the event is escaped (see ``Printable``): no event can drive the
/// terminal or break the line.
enum Readable {
  static func line(_ entry: StreamEntry, color: Bool) -> String {
    func paint(_ code: String, _ text: String) -> String {
      let safe = Printable.escaped(text)
      return color ? "\u{1B}[\(code)m\(safe)\u{1B}[0m" : safe
    }
    guard let raw = entry.event, let envelope = try? Envelope.decode(raw) else {
      let text = entry.event.map { String(decoding: $0, as: UTF8.self) } ?? "(no event field)"
      return "\(paint("2", entry.id.time.iso))  \(paint("36", entry.type))  \(paint("31", "not an envelope:")) \(Printable.escaped(text))"
    }
    var out = "\(paint("2", envelope.timestamp))  \(paint("1;36", envelope.type))  \(paint("33", envelope.id))  "
    out += Printable.escaped(String(decoding: envelope.data.serialized, as: UTF8.self))
    for h in envelope.headers { out += "  \(paint("2", h.key + "=" + h.value))" }
    return out
  }
}

/// Says which consumers still hold events when a drain ends.
enum PendingElsewhere {
  static func describe(_ counts: [GroupConsumer.PendingElsewhere]) -> String {
    let total = counts.reduce(0) { $0 + $1.count }
    let who = counts.prefix(5).map { "\($0.consumer): \($0.count)" }.joined(separator: ", ")
    return
      "\(total) event\(total == 1 ? " is" : "s are") still pending on other consumers (\(who)\(counts.count > 5 ? ", …" : "")); they are reclaimed after --claim-idle (or use --wait-pending)"
  }
}

/// Rows of cells as aligned lines: every column but a row's last padded to the column's width,
/// two spaces between columns (`pending`, `stats`). Rows may have fewer cells than others.
enum TextTable {
  static func lines(_ rows: [[String]]) -> [String] {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max()! }
    return rows.map { row in
      row.enumerated().map { $0 == row.count - 1 ? $1 : $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: "  ")
    }
  }
}
