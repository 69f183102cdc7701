/// Handles deliveries for a subscription: prints them, runs a command for each, …
public protocol DeliveryHandler: AnyObject {
  /// Handles a batch in order and returns the entries that were handled successfully (they
  /// are acknowledged in a consumer group). May return early when `shouldStop()` turns true;
  /// unhandled entries stay pending. Throwing stops the subscription without acknowledging
  /// anything of this batch.
  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult

  /// Called in a consumer group before each read: a handler that cannot take new work now (its
  /// circuit breaker is open) blocks here until it can, or until `shouldStop()` turns true.
  /// The default returns at once.
  func waitUntilReady(shouldStop: () -> Bool)

  /// True when the handler acknowledges what it handled itself, in the same transaction as its
  /// own writes (an idempotency marker, a follow-up event); the subscription then does not
  /// acknowledge those entries again. The default is false.
  var acknowledgesSuccesses: Bool { get }
}

extension DeliveryHandler {
  public func waitUntilReady(shouldStop: () -> Bool) {}
  public var acknowledgesSuccesses: Bool { false }
}

/// What a handler did with a batch.
public struct HandlerResult: Sendable {
  /// Entries whose handling succeeded.
  public var succeeded: [StreamEntry]
  /// Deliveries whose handling failed, and why.
  public var failures: [(delivery: Delivery, failure: HandlerFailure)]
  public var failed: Int { failures.count }

  public init(succeeded: [StreamEntry], failures: [(delivery: Delivery, failure: HandlerFailure)] = []) {
    self.succeeded = succeeded
    self.failures = failures
  }
}
