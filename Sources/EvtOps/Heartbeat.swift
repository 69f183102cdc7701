import EvtBus
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// `--heartbeat-file PATH`: the file's modification time is set to now on every turn of the
/// consumer's loop (at most once a second), for liveness checks without HTTP (a probe that
/// tests the file's age). A turn happens at least every half second while idle (every 2 s
/// for a group reading thousands of streams); a handler running long, or the breaker holding
/// work back, delays it.
package final class Heartbeat: ConsumerObserver, @unchecked Sendable {
  package let path: String
  private let last = Locked<Int64>(0)

  /// Creates the file (or opens it) now, so a bad path fails before the consumer starts.
  package init(path: String) throws(BusError) {
    self.path = path
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
    guard fd >= 0 else {
      throw BusError(.invalidArgument, "--heartbeat-file \(JSON.quoted(path)): \(String(cString: strerror(errno)))")
    }
    close(fd)
    beat()
  }

  package func loopTurned() {
    let now = EventTime.now().milliseconds
    let due = last.withLock { previous in
      guard now - previous >= 1000 else { return false }
      previous = now
      return true
    }
    if due { beat() }
  }

  private func beat() {
    // utimensat with no times: now (the file is not written).
    _ = utimensat(AT_FDCWD, path, nil, 0)
  }
}

/// Logs what a group consumer does that an operator must know: the group created again after
/// Redis lost it.
package final class ConsumerLog: ConsumerObserver, @unchecked Sendable {
  let logger: Logger
  package init(logger: Logger) { self.logger = logger }

  package func groupRecreated(streams: [String]) {
    logger.warning(
      "consumer group created again on \(streams.count) stream\(streams.count == 1 ? "" : "s"): Redis had lost it (restarted without persistence?); reading continues from the start of what Redis holds"
    )
  }
}
