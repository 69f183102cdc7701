import ArgumentParser
import EvtBus
import EvtOps
import EvtProcess
import EvtServices
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// Prints each delivery; in a group only the events whose line was written out are
/// acknowledged. After a shutdown request it finishes the line in hand and leaves the rest of
/// the batch to the group; when the reader goes away (a closed pipe) it stops the same way.
final class PrintHandler: DeliveryHandler {
  let format: EventFormat
  let out = OutputBuffer(autoFlush: false)
  /// Set once standard output was found closed.
  private(set) var outputClosed = false

  /// Whether each line is written as it is made (a terminal, `--line-buffered`), not once per
  /// batch.
  let eachLine: Bool

  init(format: EventFormat, eachLine: Bool) {
    self.format = format
    self.eachLine = eachLine
  }

  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    var written = 0
    var stopped = false
    for (i, d) in batch.enumerated() {
      try out.event(d.entry, format, envelope: d.envelope)
      if eachLine || out.buffered >= OutputBuffer.chunk || i == batch.count - 1 {
        let lines = out.lineCount
        let n = out.flushLines(stop: shouldStop)
        written += n
        if n < lines {
          stopped = true
          break
        }
      }
    }
    if stopped && out.failure != 0 {
      if out.failure != EPIPE { throw OutputBuffer.writeError(out.failure) }
      outputClosed = true
    }
    return HandlerResult(succeeded: batch.prefix(written).map(\.entry))
  }
}
