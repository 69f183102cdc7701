import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// Handles one batch of a group: dead-letters what cannot be handled at all, runs the handler,
/// acknowledges successes, retries failures with backoff and dead-letters what is exhausted.
final class GroupBatchProcessor {
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
