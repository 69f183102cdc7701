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
