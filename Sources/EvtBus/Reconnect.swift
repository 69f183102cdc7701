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

  public init(connection: RedisConnection, initialDelay: Double = 0.1, maxDelay: Double = 5, report: @escaping (String) -> Void) {
    self.connection = connection
    self.initialDelay = initialDelay
    self.maxDelay = maxDelay
    self.report = report
  }

  /// Reconnects; returns false when a shutdown was requested first.
  func recover(from error: BusError, shouldStop: () -> Bool) -> Bool {
    report("lost the connection (\(error.message)); reconnecting")
    var delay = initialDelay
    var tries = 0
    while !shouldStop() {
      sleepSeconds(delay, unless: shouldStop)
      if shouldStop() { break }
      tries += 1
      do {
        try connection.reconnect()
        report("reconnected to \(connection.url) after \(tries) attempt\(tries == 1 ? "" : "s")")
        return true
      } catch {
        delay = min(delay * 2, maxDelay)
      }
    }
    return false
  }
}

/// Runs `body`; while it fails because Redis is unavailable, runs it again with backoff
/// (0.1 s doubling to 2 s) until `seconds` have passed, then lets the last error through.
/// `notice` is told once, at the first failure. For one-shot writers (`publish --retry`):
/// what `body` sends must be safe to send again (an event keeps its id).
public func retryingWhileUnavailable<T>(
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
