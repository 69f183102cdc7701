import EvtRedis

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
  /// With `untilEmpty` in a group: while consumers that look dead still hold entries, wait
  /// until they are reclaimed (after the claim-idle time) instead of ending. (Live consumers
  /// busy with entries are always waited for.)
  public var waitPending = false

  public init(count: Int? = nil, untilEmpty: Bool = false, idleTimeout: Double? = nil, batchSize: Int = 500, waitPending: Bool = false) {
    self.count = count
    self.untilEmpty = untilEmpty
    self.idleTimeout = idleTimeout
    self.batchSize = batchSize
    self.waitPending = waitPending
  }
}

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
  /// Events whose handling failed and that were left pending (no dead letters configured, or
  /// a shutdown interrupted their retries).
  public var failed: Int
  /// Events moved to the dead letters.
  public var deadLettered: Int
  /// Events fetched but not handled because the subscription was stopping (a signal, a
  /// closed output): given back to the group, pending for any consumer to reclaim.
  public var givenBack = 0
  /// With `untilEmpty` in a group: entries that consumers which look dead (no read or claim
  /// for a while) still held when it ended, by consumer; they are reclaimed after the
  /// claim-idle time.
  public var pendingElsewhere: [PendingCount] = []

  public struct PendingCount: Sendable, Equatable {
    public var consumer: String
    public var count: Int
  }

  public init(end: SubscriptionEnd, handled: Int, failed: Int, deadLettered: Int = 0) {
    self.end = end
    self.handled = handled
    self.failed = failed
    self.deadLettered = deadLettered
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

  /// Consumes as a group member. With `deadLetters`, entries that are not valid envelopes, and
  /// entries delivered more than `maxDeliveries` times (poison messages), are dead-lettered at
  /// once, and a failed event is retried in this process by `retry` (waiting
  /// its backoff) and dead-lettered after the last attempt or a permanent failure. Without
  /// `deadLetters`, failed events stay pending.
  public static func run(
    group consumer: GroupConsumer, limits: SubscriptionLimits, handler: DeliveryHandler, retry: RetryPolicy = RetryPolicy(),
    deadLetters: DeadLetterQueue? = nil, maxDeliveries: Int? = nil, contracts: EventContracts = .bus,
    reconnect: Reconnect? = nil, shouldStop: @escaping () -> Bool
  ) throws(BusError) -> SubscriptionOutcome {
    let keeper = consumer.claimIdleMilliseconds.map { ClaimKeeper(consumer: consumer, claimIdleMilliseconds: $0) }
    defer { keeper?.stop() }
    let processor = GroupBatchProcessor(
      consumer: consumer, handler: handler, retry: retry, deadLetters: deadLetters, maxDeliveries: maxDeliveries,
      contracts: contracts, keeper: keeper, shouldStop: shouldStop)
    var elsewhere: [SubscriptionOutcome.PendingCount] = []
    let end = try loop(limits: limits, shouldStop: shouldStop, reconnect: reconnect, afterReconnect: consumer.afterReconnect) {
      (max, block) throws(BusError) in
      handler.waitUntilReady(shouldStop: shouldStop)
      if shouldStop() { return [] }
      return try consumer.read(max: max, blockMilliseconds: block, exact: limits.count != nil)
    } handle: { (batch) throws(BusError) in
      try processor.process(batch)
    } drained: { () throws(BusError) -> Bool in
      // Empty for this consumer; is anything still held by another one? A live consumer
      // (busy with its batch) is waited for; one that looks dead is reported — or, with
      // waitPending, waited for until its entries are reclaimed.
      let held = try consumer.pendingElsewhere()
      let busy = held.filter { $0.idle < consumer.livenessMilliseconds }
      elsewhere = held.filter { $0.idle >= consumer.livenessMilliseconds }.map { .init(consumer: $0.consumer, count: $0.count) }
      guard !busy.isEmpty || (!elsewhere.isEmpty && limits.waitPending) else { return true }
      sleepSeconds(0.2, unless: shouldStop)
      return false
    }.end
    var outcome = SubscriptionOutcome(
      end: end, handled: processor.handled, failed: processor.leftPending, deadLettered: processor.deadLettered)
    outcome.givenBack = processor.givenBack
    if end == .finished && limits.untilEmpty { outcome.pendingElsewhere = elsewhere }
    return outcome
  }

  /// The entry's envelope, or why it cannot be handled at all: it is not a valid envelope, or
  /// it breaks its type's contract.
  static func validate(_ entry: StreamEntry, contracts: EventContracts) -> Result<Envelope, HandlerFailure> {
    guard let raw = entry.event else {
      let fields = (entry.fields ?? []).map(\.name).joined(separator: ", ")
      return .failure(HandlerFailure("malformed entry: no \"\(EventWriter.field)\" field (fields: \(fields))", permanent: true))
    }
    do {
      let envelope = try Envelope.decode(raw)
      if let violation = contracts.violation(of: envelope) {
        return .failure(HandlerFailure("breaks its contract: \(violation)", permanent: true))
      }
      return .success(envelope)
    } catch {
      return .failure(HandlerFailure("malformed entry: \(error.message)", permanent: true))
    }
  }

  public static func run(
    live watcher: StreamWatcher, limits: SubscriptionLimits, handler: DeliveryHandler, reconnect: Reconnect? = nil,
    shouldStop: () -> Bool
  ) throws(BusError) -> SubscriptionOutcome {
    try loop(limits: limits, shouldStop: shouldStop, reconnect: reconnect, afterReconnect: {}) { (max, block) throws(BusError) in
      try watcher.poll(blockMilliseconds: block ?? 0, count: max).map { Delivery(entry: $0, deliveryCount: 1) }
    } handle: { (batch) throws(BusError) in
      try handler.handle(batch, shouldStop: shouldStop)
    }
  }

  private static func loop(
    limits: SubscriptionLimits, shouldStop: () -> Bool, reconnect: Reconnect?, afterReconnect: () -> Void,
    read: (Int, Int?) throws(BusError) -> [Delivery],
    handle: ([Delivery]) throws(BusError) -> HandlerResult,
    drained: () throws(BusError) -> Bool = { true }
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
      let batch: [Delivery]
      let result: HandlerResult
      do {
        batch = try read(max, block)
        if batch.isEmpty {
          if limits.untilEmpty, try drained() { return outcome }
          continue
        }
        result = try handle(batch)
      } catch {
        // What was read but not acknowledged stays pending and comes back after reconnecting.
        guard let reconnect, error.isConnectionLoss else { throw error }
        guard reconnect.recover(from: error, shouldStop: shouldStop) else {
          outcome.end = .stopped
          return outcome
        }
        afterReconnect()
        lastActivity = EventTime.now()
        continue
      }
      outcome.handled += result.succeeded.count
      outcome.failed += result.failed
      lastActivity = EventTime.now()
    }
  }
}

/// Handles one batch of a group: dead-letters what cannot be handled at all, runs the handler,
/// acknowledges successes, retries failures with backoff and dead-letters what is exhausted.
private final class GroupBatchProcessor {
  let consumer: GroupConsumer
  let handler: DeliveryHandler
  let retry: RetryPolicy
  let deadLetters: DeadLetterQueue?
  let maxDeliveries: Int?
  let contracts: EventContracts
  let keeper: ClaimKeeper?
  let shouldStop: () -> Bool
  private(set) var handled = 0
  private(set) var deadLettered = 0
  private(set) var leftPending = 0
  private(set) var givenBack = 0

  init(
    consumer: GroupConsumer, handler: DeliveryHandler, retry: RetryPolicy, deadLetters: DeadLetterQueue?, maxDeliveries: Int?,
    contracts: EventContracts, keeper: ClaimKeeper?, shouldStop: @escaping () -> Bool
  ) {
    self.contracts = contracts
    self.keeper = keeper
    self.consumer = consumer
    self.handler = handler
    self.retry = retry
    self.deadLetters = deadLetters
    self.maxDeliveries = maxDeliveries
    self.shouldStop = shouldStop
  }

  /// Returns every delivery of the batch that was dealt with (what `--count` counts). What
  /// the handler did not get to because the subscription is stopping is given back to the
  /// group.
  func process(_ batch: [Delivery]) throws(BusError) -> HandlerResult {
    keeper?.hold(batch.map(\.entry))
    defer { keeper?.release() }
    let valid = try triage(batch)
    let result = try handler.handle(valid, shouldStop: shouldStop)
    try acknowledge(result.succeeded)
    handled += result.succeeded.count
    for (delivery, failure) in result.failures { try settle(delivery, failure) }
    var dealtWith = Set(result.succeeded.map(\.id))
    for f in result.failures { dealtWith.insert(f.delivery.entry.id) }
    let untouched = valid.filter { !dealtWith.contains($0.entry.id) }.map(\.entry)
    if !untouched.isEmpty {
      try consumer.giveBack(untouched)
      givenBack += untouched.count
    }
    let untouchedIDs = Set(untouched.map(\.id))
    return HandlerResult(succeeded: batch.map(\.entry).filter { !untouchedIDs.contains($0.id) })
  }

  private func acknowledge(_ entries: [StreamEntry]) throws(BusError) {
    if !handler.acknowledgesSuccesses { try consumer.ack(entries) }
  }

  /// The deliveries worth handling; malformed entries and poison messages go to the dead
  /// letters at once.
  private func triage(_ batch: [Delivery]) throws(BusError) -> [Delivery] {
    var valid: [Delivery] = []
    var own: [StreamEntry] = []
    defer { handled += own.count }
    for var d in batch {
      var failure: HandlerFailure?
      switch Subscription.validate(d.entry, contracts: contracts) {
      case .success(let envelope):
        if DeadLetterQueue.isOwnFailure(envelope, group: consumer.group) {
          // This group's own dead letter announced: never fed back to it.
          own.append(d.entry)
          continue
        }
        d.envelope = envelope
      case .failure(let problem): failure = problem
      }
      guard let dlq = deadLetters else {
        valid.append(d)
        continue
      }
      if failure == nil, let limit = maxDeliveries, d.deliveryCount > limit {
        // Delivered again and again without being acknowledged: it keeps killing workers.
        failure = HandlerFailure("poison message: delivered \(d.deliveryCount) times (limit \(limit))", permanent: true)
      }
      if let failure {
        try dlq.bury(d, failure: failure, attempts: 0, consumer: consumer.consumer)
        deadLettered += 1
      } else {
        valid.append(d)
      }
    }
    try consumer.ack(own)
    return valid
  }

  /// Retries a failed delivery while the policy allows, then dead-letters it — unless a
  /// shutdown interrupted it, in which case it stays pending for a later delivery.
  private func settle(_ delivery: Delivery, _ first: HandlerFailure) throws(BusError) {
    guard let dlq = deadLetters else {
      leftPending += 1
      return
    }
    var failure: HandlerFailure? = first
    var attempt = 1
    while let f = failure, retry.shouldRetry(after: f, attempt: attempt), !shouldStop() {
      attempt += 1
      sleepSeconds(retry.delay(beforeAttempt: attempt), unless: shouldStop)
      if shouldStop() { break }
      var retried = delivery
      retried.attempt = attempt
      let again = try handler.handle([retried], shouldStop: shouldStop)
      try acknowledge(again.succeeded)
      handled += again.succeeded.count
      failure = again.failures.first?.failure
    }
    guard let failure else { return }
    if failure.interrupted || (shouldStop() && retry.shouldRetry(after: failure, attempt: attempt)) {
      leftPending += 1
    } else {
      try dlq.bury(delivery, failure: failure, attempts: attempt, consumer: consumer.consumer)
      deadLettered += 1
    }
  }
}

/// Sleeps for `seconds`, waking early when `stop()` turns true (checked every 50 ms).
public func sleepSeconds(_ seconds: Double, unless stop: () -> Bool = { false }) {
  var left = Int(seconds * 1000)
  while left > 0 && !stop() {
    sleepMilliseconds(min(left, 50))
    left -= 50
  }
}
