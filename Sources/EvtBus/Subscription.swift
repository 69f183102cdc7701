import EvtRedis
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Handles deliveries for a subscription: prints them, runs a command for each, …
public protocol DeliveryHandler: AnyObject {
  /// Handles a batch in order and returns the entries that were handled successfully (they
  /// are acknowledged in a consumer group). May return early when `shouldStop()` turns true;
  /// unhandled entries stay pending. Throwing stops the subscription without acknowledging
  /// anything of this batch.
  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult
}

/// What a handler did with a batch.
public struct HandlerResult: Sendable {
  /// Entries whose handling succeeded.
  public var succeeded: [StreamEntry]
  /// Entries whose handling failed (left pending in a group).
  public var failed: Int
  public init(succeeded: [StreamEntry], failed: Int = 0) {
    self.succeeded = succeeded
    self.failed = failed
  }
}

/// When a subscription ends.
public struct SubscriptionLimits: Sendable {
  /// Stop after this many events were handled (successfully or not).
  public var count: Int?
  /// Stop once nothing more is available right now.
  public var untilEmpty = false
  /// Stop with ``SubscriptionOutcome/timedOut`` when no event arrives for this many seconds.
  public var idleTimeout: Double?
  /// Most events fetched per read.
  public var batchSize = 500

  public init(count: Int? = nil, untilEmpty: Bool = false, idleTimeout: Double? = nil, batchSize: Int = 500) {
    self.count = count
    self.untilEmpty = untilEmpty
    self.idleTimeout = idleTimeout
    self.batchSize = batchSize
  }
}

/// Why a subscription returned.
public enum SubscriptionEnd: Sendable, Equatable {
  /// `--count` reached, or nothing left with `--until-empty`.
  case finished
  /// A shutdown was requested (SIGINT/SIGTERM).
  case stopped
  /// The idle timeout passed without an event.
  case timedOut
}

/// How a subscription ended and how many events it handled.
public struct SubscriptionOutcome: Sendable, Equatable {
  public var end: SubscriptionEnd
  public var handled: Int
  public var failed: Int

  public init(end: SubscriptionEnd, handled: Int, failed: Int) {
    self.end = end
    self.handled = handled
    self.failed = failed
  }
}

/// Runs the read → handle → acknowledge loop of `subscribe`.
///
/// In a consumer group an entry is acknowledged only after its handler succeeded; a failed or
/// unfinished entry stays pending. On a shutdown request the loop finishes the event in hand,
/// acknowledges it and returns ``SubscriptionEnd/stopped``.
public enum Subscription {
  /// How long one blocking read waits before the loop checks for shutdown and new types.
  public static let pollMilliseconds = 500

  public static func run(
    group consumer: GroupConsumer, limits: SubscriptionLimits, handler: DeliveryHandler, shouldStop: () -> Bool
  ) throws(BusError) -> SubscriptionOutcome {
    try loop(limits: limits, shouldStop: shouldStop) { (max, block) throws(BusError) in
      try consumer.read(max: max, blockMilliseconds: block)
    } handle: { (batch) throws(BusError) in
      let result = try handler.handle(batch, shouldStop: shouldStop)
      try consumer.ack(result.succeeded)
      return result
    }
  }

  public static func run(
    live watcher: StreamWatcher, limits: SubscriptionLimits, handler: DeliveryHandler, shouldStop: () -> Bool
  ) throws(BusError) -> SubscriptionOutcome {
    try loop(limits: limits, shouldStop: shouldStop) { (max, block) throws(BusError) in
      try watcher.poll(blockMilliseconds: block ?? 0, count: max).map { Delivery(entry: $0, deliveryCount: 1) }
    } handle: { (batch) throws(BusError) in
      try handler.handle(batch, shouldStop: shouldStop)
    }
  }

  private static func loop(
    limits: SubscriptionLimits, shouldStop: () -> Bool,
    read: (Int, Int?) throws(BusError) -> [Delivery],
    handle: ([Delivery]) throws(BusError) -> HandlerResult
  ) throws(BusError) -> SubscriptionOutcome {
    var outcome = SubscriptionOutcome(end: .finished, handled: 0, failed: 0)
    var lastActivity = EventTime.now()
    while true {
      if shouldStop() {
        outcome.end = .stopped
        return outcome
      }
      var max = limits.batchSize
      if let count = limits.count {
        let remaining = count - outcome.handled - outcome.failed
        if remaining <= 0 { return outcome }
        max = min(max, remaining)
      }
      var block: Int? = limits.untilEmpty ? nil : pollMilliseconds
      if let idle = limits.idleTimeout {
        let left = Int(idle * 1000) - Int(EventTime.now().milliseconds - lastActivity.milliseconds)
        if left <= 0 {
          outcome.end = .timedOut
          return outcome
        }
        if let b = block { block = min(b, left) }
      }
      let batch = try read(max, block)
      if batch.isEmpty {
        if limits.untilEmpty { return outcome }
        continue
      }
      let result = try handle(batch)
      outcome.handled += result.succeeded.count
      outcome.failed += result.failed
      lastActivity = EventTime.now()
    }
  }
}

// MARK: - Shutdown

/// SIGINT/SIGTERM handling shared by long-running commands: the first signal asks for a
/// graceful stop (``isRequested`` turns true); a second one exits at once with 130.
public enum Shutdown {
  public static func install() {
    signal(SIGINT, onSignal)
    signal(SIGTERM, onSignal)
  }

  public static var isRequested: Bool { shutdownRequested.load(ordering: .relaxed) != 0 }
}

private let shutdownRequested = Atomic<Int>(0)

private func onSignal(_ sig: Int32) {
  if shutdownRequested.exchange(1, ordering: .relaxed) != 0 { _exit(130) }
}
