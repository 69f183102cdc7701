import EvtBus
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// How long-running commands write their log lines.
package enum LogFormat: String, CaseIterable, Sendable {
  /// `TIME LEVEL message key=value …` (values quoted where needed).
  case text
  /// One JSON object per line: `time`, `level`, `msg`, then the metadata.
  case json
  /// logfmt: `time=… level=… msg="…" key=value …`.
  case logfmt
}

/// A swift-log handler writing one line per record to standard error, in one `write(2)` (so
/// lines of several threads never interleave). Every line has the time (UTC, milliseconds),
/// the level and the message, then the logger's and the record's metadata sorted by key
/// (`event_id`, `type`, `group`, `consumer`, … where they apply). Control characters of
/// messages and values are escaped: nothing read from Redis can forge a line or drive a
/// terminal.
package struct EvtLogHandler: LogHandler {
  package var metadata: Logger.Metadata = [:]
  package var logLevel: Logger.Level
  package let format: LogFormat
  let fd: Int32

  package init(format: LogFormat, level: Logger.Level, fd: Int32 = 2) {
    self.format = format
    self.logLevel = level
    self.fd = fd
  }

  /// Makes every `Logger` of the process use this handler. Call once, before logging.
  package static func bootstrap(format: LogFormat, level: Logger.Level) {
    LoggingSystem.bootstrap { _ in EvtLogHandler(format: format, level: level) }
  }

  package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  package func log(event: LogEvent) {
    var all = metadata
    if let more = event.metadata { all.merge(more) { $1 } }
    let line = Self.line(
      time: EventTime.now().iso, level: event.level, message: "\(event.message)", metadata: all, format: format)
    line.withUnsafeBytes { buffer in
      var off = 0
      while off < buffer.count {
        let n = write(fd, buffer.baseAddress! + off, buffer.count - off)
        if n <= 0 {
          if n < 0 && errno == EINTR { continue }
          return
        }
        off += n
      }
    }
  }

  /// One formatted line, newline included.
  package static func line(time: String, level: Logger.Level, message: String, metadata: Logger.Metadata, format: LogFormat) -> [UInt8] {
    // Metadata cannot stand in for the fields every line starts with.
    let fields = metadata.keys.sorted().filter { !["time", "level", "msg"].contains($0) }.map { ($0, "\(metadata[$0]!)") }
    var out: [UInt8] = []
    switch format {
    case .json:
      var members: [JSONValue.Member] = [
        .init("time", .string(time)), .init("level", .string(level.rawValue)), .init("msg", .string(message)),
      ]
      for (k, v) in fields { members.append(.init(k, .string(v))) }
      out = JSONValue.object(members).serialized
    case .logfmt:
      var parts = ["time=\(time)", "level=\(level.rawValue)", "msg=\(logfmtValue(message))"]
      for (k, v) in fields { parts.append("\(logfmtKey(k))=\(logfmtValue(v))") }
      out = Array(parts.joined(separator: " ").utf8)
    case .text:
      var parts = [time, level.rawValue.padding(7), Printable.escaped(message)]
      for (k, v) in fields { parts.append("\(logfmtKey(k))=\(logfmtValue(v))") }
      out = Array(parts.joined(separator: " ").utf8)
    }
    out.append(0x0A)
    return out
  }

  private static func logfmtKey(_ key: String) -> String {
    String(key.unicodeScalars.map { $0.value > 0x20 && $0.value < 0x7F && $0 != "=" && $0 != "\"" ? Character($0) : "_" })
  }

  /// A value as is when it is a plain word, else quoted with `"` and `\` escaped and control
  /// characters written as escapes.
  private static func logfmtValue(_ value: String) -> String {
    let plain =
      !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "=" && $0 != "\"" && $0 != "\\" }
    if plain { return value }
    let escaped = Printable.escaped(value.replacingAll("\\", "\\\\").replacingAll("\"", "\\\""))
    return "\"\(escaped)\""
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }

  fileprivate func replacingAll(_ target: Character, _ replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}
