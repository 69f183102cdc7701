/// Told what a group consumer does, as it does it: the hooks behind `evt stats`' processing
/// figures (``ProcessingStatsRecorder``), Prometheus metrics and heartbeat files. Called on the
/// consumer's thread; an observer must be quick and must not throw.
public protocol ConsumerObserver: AnyObject {
  /// Before each read of the loop (at least every ``Subscription/pollMilliseconds`` while idle).
  func loopTurned()
  /// `count` events of `type` handled successfully, each in `seconds` (a batch's time shared out).
  func handled(type: String, count: Int, seconds: Double)
  /// A failed event of `type` is tried again in this process.
  func retried(type: String)
  /// A handler failed on an event of `type` (each failed attempt).
  func failed(type: String)
  /// An event of `type` went to the dead letters.
  func deadLettered(type: String)
  /// The group was created again after Redis lost it (a restart without persistence).
  func groupRecreated(streams: [String])
  /// The consumer's connection was lost and made again.
  func reconnected()
  /// The subscription ended (whatever the reason).
  func ended()
}

extension ConsumerObserver {
  public func loopTurned() {}
  public func handled(type: String, count: Int, seconds: Double) {}
  public func retried(type: String) {}
  public func failed(type: String) {}
  public func deadLettered(type: String) {}
  public func groupRecreated(streams: [String]) {}
  public func reconnected() {}
  public func ended() {}
}

/// Several observers told the same things, in order (as thread-safe as its members).
public final class ConsumerObservers: ConsumerObserver, @unchecked Sendable {
  public let all: [any ConsumerObserver]
  public init(_ all: [any ConsumerObserver]) { self.all = all }
  public func loopTurned() { for o in all { o.loopTurned() } }
  public func handled(type: String, count: Int, seconds: Double) { for o in all { o.handled(type: type, count: count, seconds: seconds) } }
  public func retried(type: String) { for o in all { o.retried(type: type) } }
  public func failed(type: String) { for o in all { o.failed(type: type) } }
  public func deadLettered(type: String) { for o in all { o.deadLettered(type: type) } }
  public func groupRecreated(streams: [String]) { for o in all { o.groupRecreated(streams: streams) } }
  public func reconnected() { for o in all { o.reconnected() } }
  public func ended() { for o in all { o.ended() } }
}
