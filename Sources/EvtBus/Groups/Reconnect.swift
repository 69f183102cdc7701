import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// Keeps a subscription going when Redis goes away: reconnects with exponential backoff
/// (`initialDelay` doubling up to `maxDelay`) until it succeeds or a shutdown is requested,
/// saying one line per state change through `report`, then continues where it stopped.
public struct Reconnect {
  public var connection: RedisConnection
  public var report: (String) -> Void
  public var initialDelay: Double
  public var maxDelay: Double
  /// Shared by the connections of one process (a worker's handler threads), so an outage is
  /// reported once when the first loses its connection and once when the last is back.
  public var outage: Outage?

  /// Connections of one process that are down.
  public final class Outage: @unchecked Sendable {
    private let down = Locked(0)
    public init() {}
    /// Whether some connection is down now.
    public var isDown: Bool { down.withLock { $0 > 0 } }
    /// Whether this is the first connection down.
    func lost() -> Bool {
      down.withLock { n in
        n += 1
        return n == 1
      }
    }
    /// Whether this was the last connection down.
    func recovered() -> Bool {
      down.withLock { n in
        n -= 1
        return n == 0
      }
    }
  }

  public init(connection: RedisConnection, initialDelay: Double = 0.1, maxDelay: Double = 5, report: @escaping (String) -> Void) {
    self.connection = connection
    self.initialDelay = initialDelay
    self.maxDelay = maxDelay
    self.report = report
  }

  /// Reconnects; returns false when a shutdown was requested first.
  func recover(from error: BusError, shouldStop: () -> Bool) -> Bool {
    if outage?.lost() ?? true { report("lost the connection (\(error.message)); reconnecting") }
    var delay = initialDelay
    var tries = 0
    while !shouldStop() {
      sleepSeconds(delay, unless: shouldStop)
      if shouldStop() { break }
      tries += 1
      do {
        try connection.reconnect()
        if outage?.recovered() ?? true { report("reconnected to \(connection.url) after \(tries) attempt\(tries == 1 ? "" : "s")") }
        return true
      } catch {
        delay = min(delay * 2, maxDelay)
      }
    }
    _ = outage?.recovered()
    return false
  }
}

/// Runs `body`; while it fails because Redis is unavailable, runs it again with backoff
/// (0.1 s doubling to 2 s) until `seconds` have passed, then lets the last error through.
/// `notice` is told once, at the first failure. For one-shot writers (`publish --retry`):
/// what `body` sends must be safe to send again (an event keeps its id).
package func retryingWhileUnavailable<T>(
  for seconds: Double, notice: (BusError) -> Void, _ body: () throws(BusError) -> T
) throws(BusError) -> T {
  let deadline = EventTime.now().milliseconds + Int64(seconds * 1000)
  var delay = 0.1
  var said = false
  while true {
    do {
      return try body()
    } catch  where error.isConnectionLoss && EventTime.now().milliseconds < deadline {
      if !said { notice(error) }
      said = true
      sleepSeconds(delay)
      delay = min(delay * 2, 2)
    }
  }
}
