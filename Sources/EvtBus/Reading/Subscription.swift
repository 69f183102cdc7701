import EvtRedis

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
  /// `deadLetters`, failed events stay pending. With `doneMarkers`, completions that record
  /// their event as done (``Completion/done(_:publishing:)``) write marker, acknowledgement and
  /// follow-up events in one script, and events already done are acknowledged unhandled.
  public static func run(
    group consumer: GroupConsumer, limits: SubscriptionLimits, handler: DeliveryHandler, retry: RetryPolicy = RetryPolicy(),
    deadLetters: DeadLetterQueue? = nil, doneMarkers: DoneMarkers? = nil, maxDeliveries: Int? = nil,
    contracts: EventContracts = .bus, reconnect: Reconnect? = nil, shouldStop: @escaping () -> Bool
  ) throws(BusError) -> SubscriptionOutcome {
    let keeper = consumer.claimIdleMilliseconds.map { ClaimKeeper(consumer: consumer, claimIdleMilliseconds: $0) }
    defer {
      keeper?.stop()
      consumer.observer?.ended()
    }
    let processor = GroupBatchProcessor(
      consumer: consumer, handler: handler, retry: retry, deadLetters: deadLetters, doneMarkers: doneMarkers,
      maxDeliveries: maxDeliveries, contracts: contracts, keeper: keeper, shouldStop: shouldStop)
    var elsewhere: [GroupConsumer.PendingElsewhere] = []
    // Acknowledgements ride with the next read; what is left goes out when the loop ends.
    let end: SubscriptionOutcome
    do {
      end = try loop(
        limits: limits, shouldStop: shouldStop, reconnect: reconnect, afterReconnect: consumer.afterReconnect,
        poll: { consumer.pollMilliseconds }
      ) {
        (max, block) throws(BusError) in
        consumer.observer?.loopTurned()
        processor.waitForGate()
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
        elsewhere = held.filter { $0.idle >= consumer.livenessMilliseconds }
        guard !busy.isEmpty || (!elsewhere.isEmpty && limits.waitPending) else { return true }
        sleepSeconds(0.2, unless: shouldStop)
        return false
      }
    } catch {
      _ = try? consumer.endReading()
      throw error
    }
    let givenBackAhead = try consumer.endReading()
    var outcome = SubscriptionOutcome(
      end: end.end, handled: processor.handled, failed: processor.leftPending, deadLettered: processor.deadLettered)
    outcome.givenBack = processor.givenBack + givenBackAhead
    if end.end == .finished && limits.untilEmpty { outcome.pendingElsewhere = elsewhere }
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
      let (envelope, violation) = try Envelope.decode(raw, checking: contracts)
      if let violation { return .failure(HandlerFailure("breaks its contract: \(violation)", permanent: true)) }
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
      let result = try handler.handle(batch, shouldStop: shouldStop)
      return (result.completed.count, result.failed)
    }
  }

  private static func loop(
    limits: SubscriptionLimits, shouldStop: () -> Bool, reconnect: Reconnect?, afterReconnect: () -> Void,
    poll: () -> Int = { pollMilliseconds },
    read: (Int, Int?) throws(BusError) -> [Delivery],
    handle: ([Delivery]) throws(BusError) -> (handled: Int, failed: Int),
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
      var block: Int? = limits.untilEmpty ? nil : poll()
      if let idle = limits.idleTimeout {
        let left = Int(idle * 1000) - Int(EventTime.now().milliseconds - lastActivity.milliseconds)
        if left <= 0 {
          outcome.end = .timedOut
          return outcome
        }
        if let b = block { block = min(b, left) }
      }
      let batch: [Delivery]
      let result: (handled: Int, failed: Int)
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
      outcome.handled += result.handled
      outcome.failed += result.failed
      lastActivity = EventTime.now()
    }
  }
}
