import EvtRedis

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file descriptor line by line (LF-terminated; a trailing CR is dropped).
package final class LineReader {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var eof = false
  /// Lines longer than this are cut off and reported as too long instead of filling memory.
  package let maxLineLength: Int
  /// Input is read in blocks this large.
  static let block = 1 << 20
  /// 1-based number of the line last returned.
  package private(set) var lineNumber = 0

  package init(fd: Int32, maxLineLength: Int) {
    self.fd = fd
    self.maxLineLength = maxLineLength
  }

  package enum Line {
    case text([UInt8])
    /// Longer than ``maxLineLength``; its bytes were skipped.
    case tooLong(Int)
  }

  package func next() throws(BusError) -> Line? {
    switch try nextInPlace() {
    case nil: return nil
    case .tooLong(let n)?: return .tooLong(n)
    case .text(let range)?: return .text(Array(buffer[range]))
    }
  }

  /// A line as a range of the reader's buffer (no copy), valid until the next call.
  enum Slice {
    case text(Range<Int>)
    case tooLong(Int)
  }

  /// Lends the bytes of a line ``nextInPlace()`` returned.
  func withBytes<R, E: Error>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = buffer.withUnsafeBufferPointer { buf in
      do throws(E) { return .success(try body(UnsafeBufferPointer(rebasing: buf[range]))) } catch { return .failure(error) }
    }
    return try result.get()
  }

  /// The next line without copying it: input is read in large blocks and lines are found in
  /// place.
  func nextInPlace() throws(BusError) -> Slice? {
    var skipped = 0
    while true {
      let end: Int?
      if let nl = buffer[start...].firstIndex(of: 0x0A) {
        end = nl
      } else if eof {
        guard start < buffer.count || skipped > 0 else { return nil }
        end = buffer.count
      } else {
        end = nil
      }
      if let end {
        let lineStart = start
        start = Swift.min(end + 1, buffer.count)
        lineNumber += 1
        if skipped > 0 { return .tooLong(skipped + end - lineStart) }
        let stop = end > lineStart && buffer[end - 1] == 0x0D ? end - 1 : end
        return .text(lineStart..<stop)
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
      buffer.append(contentsOf: repeatElement(0, count: Self.block))
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, Self.block) }
      if n < 0 {
        buffer.removeLast(Self.block)
        if errno == EINTR { continue }
        throw BusError(.badData, "cannot read standard input: \(errnoText())")
      }
      buffer.removeLast(Self.block - n)
      if n == 0 { eof = true }
    }
  }
}

/// Publishes NDJSON read line by line, pipelined in batches (`evt publish --ndjson`).
///
/// Blank lines are skipped. A bad line is reported with its number; by default nothing after
/// it is sent (the lines before it are), with `skipInvalid` it is skipped and reading goes on.
/// With `retryFor`, a lost connection is made again (with backoff, for up to that many
/// seconds) and the events Redis had not confirmed are checked and sent again: nothing is lost
/// and nothing is published twice.
package struct NDJSONImport {
  package var decoder: NDJSONDecoder
  package var skipInvalid: Bool
  /// Seconds to keep reconnecting after the connection was lost; `nil` fails at once.
  package var retryFor: Double?
  /// Told once when the connection is lost and retried, and when it is back.
  package var notice: (String) -> Void = { _ in }
  /// Told every few thousand lines, and at the end, how far the import is.
  package var progress: ((Progress) -> Void)?
  /// The registered schemas, on a connection of their own (the publisher's has replies in
  /// flight): each line of a type with a schema is checked like `evt publish` checks one
  /// event — a line carrying a schema version against that version, any other against the
  /// latest, which it is then stamped with. `nil`: no check.
  package var schemas: SchemaRegistry?

  /// How far an import is: lines read, events Redis confirmed, lines refused.
  package struct Progress: Sendable, Equatable {
    package var lines: Int
    package var published: Int
    package var failed: Int
  }

  package init(decoder: NDJSONDecoder, skipInvalid: Bool, retryFor: Double? = nil) {
    self.decoder = decoder
    self.skipInvalid = skipInvalid
    self.retryFor = retryFor
  }

  package struct Summary: Sendable, Equatable {
    package var published = 0
    /// Line numbers and reasons of the lines refused.
    package var invalid: [(line: Int, reason: String)] = []
    /// True when a bad line stopped the import.
    package var stopped = false
    /// Why the import could not go on (Redis went away for good); `nil` when it finished.
    package var failure: BusError?
    /// After a failure: the first line whose event Redis did not confirm — resume from there.
    /// Events of this line and later ones may or may not have been stored (their replies
    /// were lost); `unconfirmed` says how many were sent without a reply.
    package var resumeLine = 0
    package var unconfirmed = 0
    /// The last line read that was a draft without an id (its id was made by this import;
    /// 0: none). When it is at or after ``resumeLine``, resuming from there publishes such
    /// lines under new ids, so an event Redis stored without confirming it would be there
    /// twice.
    package var lastLineWithMadeID = 0

    package static func == (a: Summary, b: Summary) -> Bool {
      a.published == b.published && a.stopped == b.stopped && a.invalid.map(\.line) == b.invalid.map(\.line)
        && a.failure == b.failure && a.resumeLine == b.resumeLine
    }
  }

  /// Reads every line, publishes the valid ones, and reports each bad one through `report`.
  /// A connection failure that retrying could not mend, or replicas that did not confirm,
  /// end the import with ``Summary/failure`` set (the summary still says what was published).
  package func run(_ lines: LineReader, into publisher: Publisher, report: (Int, String) -> Void) throws(BusError) -> Summary {
    var summary = Summary()
    let deadline = retryFor.map { EventTime.now().milliseconds + Int64($0 * 1000) }
    var reading = true
    while true {
      do throws(BusError) {
        if reading { try readLines(lines, into: publisher, summary: &summary, report: report) }
        reading = false
        summary.published = try publisher.finish()
        progress?(Progress(lines: lines.lineNumber, published: summary.published, failed: summary.invalid.count))
        return summary
      } catch  where error.isConnectionLoss || error.kind == .notReplicated {
        if let deadline {
          if error.isConnectionLoss, try reconnect(publisher, after: error, until: deadline) { continue }
          if error.kind == .notReplicated, try awaitReplicas(publisher, after: error, until: deadline) { continue }
        }
        summary.published = publisher.acknowledged
        summary.failure = error
        let unconfirmed = publisher.unconfirmedLines
        summary.unconfirmed = unconfirmed.count
        summary.resumeLine = unconfirmed.first ?? (lines.lineNumber + (reading ? 0 : 1))
        return summary
      }
    }
  }

  private func readLines(_ lines: LineReader, into publisher: Publisher, summary: inout Summary, report: (Int, String) -> Void)
    throws(BusError)
  {
    let writer = publisher.writer
    var decoder = self.decoder
    // The stream key and latest schema of the type last seen (lines of one type follow each
    // other), and the schemas read so far by type and version (0: the latest).
    var last: (type: String, stream: String, schema: SchemaRegistry.Version?, looked: Bool)?
    let cache = schemas.map(SchemaCache.init)
    func contract(_ type: String, _ version: Int?) throws(BusError) -> SchemaRegistry.Version? {
      do {
        return try cache!.contract(type, version: version)
      } catch  where error.isConnectionLoss {
        // Its connection went down with the publisher's (a restart): once more on a new one;
        // still down, the import's own retry takes over.
        do throws(RedisError) { try cache!.registry.connection.reconnect() } catch { throw BusError(error) }
        return try cache!.contract(type, version: version)
      }
    }
    while let line = try lines.nextInPlace() {
      var write: EventWriter.Write
      do throws(BusError) {
        do throws(EnvelopeError) {
          switch line {
          case .tooLong(let n):
            throw EnvelopeError("the line is over \(n) bytes, more than the limit of \(decoder.maxSize) bytes")
          case .text(let range):
            // Blank lines are skipped; the contract is checked in the pass that reads the line.
            let made = try lines.withBytes(range) {
              (bytes) throws(EnvelopeError) -> (envelope: Envelope, violation: String?, madeID: Bool)? in
              if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
              // With the registry, the schema a line is stamped with is its contract (a
              // built-in type's is registered on first use): checked once, when stamped.
              return try decoder.envelope(fromLine: bytes, checking: schemas == nil ? writer.contracts : nil)
            }
            guard let made else { continue }
            if made.madeID { summary.lastLineWithMadeID = lines.lineNumber }
            let type = made.envelope.type
            if last?.type != type { last = (type, writer.keys.stream(type), nil, false) }
            write = try writer.prepare(made.envelope, violation: made.violation, stream: last!.stream)
          }
        } catch {
          throw BusError(error)
        }
        if schemas != nil {
          if !last!.looked {
            last!.schema = try contract(write.envelope.type, nil)
            last!.looked = true
            // The next drafts of this type are made with its version (not stamped by a copy).
            decoder.draftVersion = last!.schema.map { (write.envelope.type, $0.version) }
          }
          if let checked = try stamped(write.envelope, latest: last!.schema, contract) {
            do throws(EnvelopeError) { write = try writer.prepare(checked, violation: nil, stream: last!.stream) } catch {
              throw BusError(error)
            }
          }
        }
      } catch  where error.kind == .badData {
        summary.invalid.append((lines.lineNumber, error.message))
        report(lines.lineNumber, error.message)
        if skipInvalid { continue }
        summary.stopped = true
        return
      }
      try publisher.enqueue(write, line: lines.lineNumber)
      if let progress, lines.lineNumber % 4096 == 0 {
        progress(Progress(lines: lines.lineNumber, published: publisher.acknowledged, failed: summary.invalid.count))
      }
    }
  }

  /// `envelope` checked against its schema and stamped like `evt publish` does (`nil`: its
  /// type has no schema and it carries none).
  private func stamped(
    _ envelope: Envelope, latest: SchemaRegistry.Version?, _ contract: (String, Int?) throws(BusError) -> SchemaRegistry.Version?
  ) throws(BusError) -> Envelope? {
    if let carried = envelope.schemaVersion {
      guard let found = try contract(envelope.type, carried) else {
        throw BusError(.badData, "\(envelope.type) has no schema version \(carried)")
      }
      return try found.stamp(envelope)
    }
    return try latest?.stamp(envelope)
  }

  /// Asks again, with backoff until `deadline`, whether enough replicas have what was sent
  /// (a master that just took over from a failed one has a replica again once the old one
  /// rejoins); a connection lost meanwhile is made again.
  /// - Returns: false when the deadline passed first.
  private func awaitReplicas(_ publisher: Publisher, after error: BusError, until deadline: Int64) throws(BusError) -> Bool {
    notice("\(error.message); asking again until enough replicas confirm (at most \(retryFor!) s)")
    var pause = 200
    while EventTime.now().milliseconds + Int64(pause) < deadline {
      sleepMilliseconds(pause)
      pause = min(pause * 2, 2000)
      do throws(BusError) {
        try publisher.confirmReplication()
        notice("enough replicas confirmed")
        return true
      } catch  where error.kind == .notReplicated {
        continue
      } catch  where error.isConnectionLoss {
        guard try reconnect(publisher, after: error, until: deadline) else { return false }
      }
    }
    return false
  }

  /// Reconnects with backoff until `deadline`, then re-sends what was not confirmed.
  /// - Returns: false when the deadline passed first.
  private func reconnect(_ publisher: Publisher, after error: BusError, until deadline: Int64) throws(BusError) -> Bool {
    notice("\(error.message); retrying until it is back (at most \(retryFor!) s)")
    let left = Double(deadline - EventTime.now().milliseconds) / 1000
    guard left > 0 else { return false }
    do {
      try retryingWhileUnavailable(for: left, notice: { _ in }) { () throws(BusError) in
        // Whatever stops the reconnection (refused, not up yet) is worth another try.
        do throws(RedisError) { try publisher.connection.reconnect() } catch { throw BusError(.unavailable, error.message) }
        try publisher.resendUnconfirmed()
      }
    } catch  where error.isConnectionLoss {
      return false
    }
    notice("reconnected to \(publisher.connection.url); resent what Redis had not confirmed")
    return true
  }
}
