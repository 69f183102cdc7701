/// Guards a downstream (a mailer) that may go away: after `failureThreshold` consecutive
/// failures the circuit **opens** and callers stop for `coolDown` seconds; then it is
/// **half-open** and exactly one call (the probe) goes through. A probe that succeeds closes the
/// circuit; one that fails opens it again for another cool-down. Every state change is reported
/// once through `report`.
///
/// Safe to share between threads: the handlers of one worker process share one breaker.
public final class CircuitBreaker: Sendable {
  public enum State: Sendable, Equatable {
    case closed
    case open
    case halfOpen
  }

  private struct Inner {
    var state = State.closed
    var failures = 0
    var openUntil: Int64 = 0
  }

  public let failureThreshold: Int
  public let coolDown: Double
  private let inner = Locked(Inner())
  private let report: @Sendable (String) -> Void

  public init(failureThreshold: Int = 5, coolDown: Double = 30, report: @escaping @Sendable (String) -> Void = { _ in }) {
    self.failureThreshold = max(1, failureThreshold)
    self.coolDown = max(0, coolDown)
    self.report = report
  }

  public var state: State { inner.withLock { $0.state } }

  /// Whether a call may go through now: always when closed; when open and the cool-down is
  /// over, exactly one caller (the probe) gets true and the circuit turns half-open.
  public func tryAcquire() -> Bool {
    let (allowed, message) = inner.withLock { s -> (Bool, String?) in
      switch s.state {
      case .closed:
        return (true, nil)
      case .open where EventTime.now().milliseconds >= s.openUntil:
        s.state = .halfOpen
        return (true, "circuit half-open: letting one probe through")
      case .open, .halfOpen:
        return (false, nil)
      }
    }
    if let message { report(message) }
    return allowed
  }

  /// Blocks until a call may go through (see ``tryAcquire()``), checking about every 50 ms.
  /// Returns false when `shouldStop()` turned true first.
  public func acquire(shouldStop: () -> Bool) -> Bool {
    while !shouldStop() {
      if tryAcquire() { return true }
      sleepMilliseconds(50)
    }
    return false
  }

  /// Blocks while the circuit is open and cooling down (a worker takes no new work then).
  /// Returns at once when closed, or when the cool-down is over (the next ``acquire`` probes).
  public func waitWhileOpen(shouldStop: () -> Bool) {
    while !shouldStop() {
      let wait = inner.withLock { s in s.state == .open ? EventTime.now().milliseconds < s.openUntil : s.state == .halfOpen }
      if !wait { return }
      sleepMilliseconds(50)
    }
  }

  /// Gives back a permit that was not used for a call (the caller found nothing to do): if it
  /// was the probe, the next caller probes instead. Every ``tryAcquire()`` that returned true
  /// ends in exactly one of ``succeeded()``, ``failed(_:)`` or this.
  public func cancel() {
    inner.withLock { s in
      if s.state == .halfOpen {
        s.state = .open
        s.openUntil = EventTime.now().milliseconds
      }
    }
  }

  /// Records a successful call: the circuit closes.
  public func succeeded() {
    let wasOpen = inner.withLock { s -> Bool in
      let was = s.state != .closed
      s = Inner()
      return was
    }
    if wasOpen { report("circuit closed: the downstream answers again") }
  }

  /// Records a failed call; may open the circuit.
  /// - Returns: true when the circuit is now open (the caller should wait, not give up).
  @discardableResult
  public func failed(_ reason: String) -> Bool {
    let (open, message) = inner.withLock { s -> (Bool, String?) in
      s.failures += 1
      let trip = s.state == .halfOpen || (s.state == .closed && s.failures >= failureThreshold)
      guard trip else { return (s.state != .closed, nil) }
      let reopened = s.state == .halfOpen
      s.state = .open
      s.openUntil = EventTime.now().milliseconds + Int64(coolDown * 1000)
      let text =
        reopened
        ? "circuit open again: the probe failed (\(reason)); pausing for \(coolDown) s"
        : "circuit open after \(s.failures) consecutive failures (last: \(reason)); pausing new work for \(coolDown) s"
      return (true, text)
    }
    if let message { report(message) }
    return open
  }
}
