#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file descriptor line by line (LF-terminated; a trailing CR is dropped).
public final class LineReader {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var eof = false
  /// Lines longer than this are cut off and reported as too long instead of filling memory.
  public let maxLineLength: Int
  /// 1-based number of the line last returned.
  public private(set) var lineNumber = 0

  public init(fd: Int32, maxLineLength: Int) {
    self.fd = fd
    self.maxLineLength = maxLineLength
  }

  public enum Line {
    case text([UInt8])
    /// Longer than ``maxLineLength``; its bytes were skipped.
    case tooLong(Int)
  }

  public func next() throws(BusError) -> Line? {
    var skipped = 0
    while true {
      if let nl = buffer[start...].firstIndex(of: 0x0A) {
        var line = Array(buffer[start..<nl])
        start = nl + 1
        lineNumber += 1
        if skipped > 0 { return .tooLong(skipped + line.count) }
        if line.last == 0x0D { line.removeLast() }
        return .text(line)
      }
      if eof {
        guard start < buffer.count || skipped > 0 else { return nil }
        var line = Array(buffer[start...])
        start = buffer.count
        lineNumber += 1
        if skipped > 0 { return .tooLong(skipped + line.count) }
        if line.last == 0x0D { line.removeLast() }
        return .text(line)
      }
      if buffer.count - start > maxLineLength {
        skipped += buffer.count - start
        start = buffer.count
      }
      if start > 0 && start >= buffer.count / 2 {
        buffer.removeFirst(start)
        start = 0
      }
      let old = buffer.count
      buffer.append(contentsOf: repeatElement(0, count: 1 << 16))
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, 1 << 16) }
      if n < 0 {
        buffer.removeLast(1 << 16)
        if errno == EINTR { continue }
        throw BusError(.badData, "cannot read standard input: \(errnoText())")
      }
      buffer.removeLast((1 << 16) - n)
      if n == 0 { eof = true }
    }
  }
}

/// Publishes NDJSON read line by line, pipelined in batches (`evt publish --ndjson`).
///
/// Blank lines are skipped. A bad line is reported with its number; by default nothing after
/// it is sent (the lines before it are), with `skipInvalid` it is skipped and reading goes on.
public struct NDJSONImport {
  public var decoder: NDJSONDecoder
  public var skipInvalid: Bool

  public init(decoder: NDJSONDecoder, skipInvalid: Bool) {
    self.decoder = decoder
    self.skipInvalid = skipInvalid
  }

  public struct Summary: Sendable, Equatable {
    public var published = 0
    /// Line numbers and reasons of the lines refused.
    public var invalid: [(line: Int, reason: String)] = []
    /// True when a bad line stopped the import.
    public var stopped = false

    public static func == (a: Summary, b: Summary) -> Bool {
      a.published == b.published && a.stopped == b.stopped && a.invalid.map(\.line) == b.invalid.map(\.line)
    }
  }

  /// Reads every line, publishes the valid ones, and reports each bad one through `report`.
  public func run(_ lines: LineReader, into publisher: Publisher, report: (Int, String) -> Void) throws(BusError) -> Summary {
    var summary = Summary()
    while let line = try lines.next() {
      let envelope: Envelope
      do throws(EnvelopeError) {
        switch line {
        case .tooLong(let n):
          throw EnvelopeError("the line is over \(n) bytes, more than the limit of \(decoder.maxSize) bytes (raise it with --max-size)")
        case .text(let bytes):
          if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
          envelope = try decoder.envelope(fromLine: bytes)
        }
      } catch {
        summary.invalid.append((lines.lineNumber, error.message))
        report(lines.lineNumber, error.message)
        if skipInvalid { continue }
        summary.stopped = true
        break
      }
      try publisher.enqueue(envelope)
    }
    summary.published = try publisher.finish()
    return summary
  }
}
