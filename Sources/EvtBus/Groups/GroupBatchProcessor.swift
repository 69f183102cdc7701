import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// Handles one batch of a group — the one place that decides what becomes of a delivery:
/// dead-letters what cannot be handled at all, acknowledges what is already done, hands the
/// rest to the handler (through its gate, holding what is not ready), completes successes
/// (marker + acknowledgement + follow-up events in one step), retries failures with backoff
/// and dead-letters what is exhausted. While it works, the batch's claims are kept fresh.
final class GroupBatchProcessor {
  let consumer: GroupConsumer
  let handler: DeliveryHandler
  let retry: RetryPolicy
  let deadLetters: DeadLetterQueue?
  let doneMarkers: DoneMarkers?
  let maxDeliveries: Int?
  let contracts: EventContracts
  let keeper: ClaimKeeper?
  let shouldStop: () -> Bool
  /// The registered schemas events are checked against (by the version each carries).
  let schemas: SchemaCache
  private(set) var handled = 0
  private(set) var deadLettered = 0
  private(set) var leftPending = 0
  private(set) var givenBack = 0

  init(
    consumer: GroupConsumer, handler: DeliveryHandler, retry: RetryPolicy, deadLetters: DeadLetterQueue?, doneMarkers: DoneMarkers?,
    maxDeliveries: Int?, contracts: EventContracts, keeper: ClaimKeeper?, shouldStop: @escaping () -> Bool
  ) {
    self.contracts = contracts
    self.keeper = keeper
    self.consumer = consumer
    self.handler = handler
    self.retry = retry
    self.deadLetters = deadLetters
    self.doneMarkers = doneMarkers
    self.maxDeliveries = maxDeliveries
    self.shouldStop = shouldStop
    self.schemas = SchemaCache(registry: SchemaRegistry(connection: consumer.connection, keys: consumer.keys, builtIns: contracts))
  }

  /// Before reading new work: waits while the handler's gate is closed to new work.
  func waitForGate() {
    handler.gate?.waitWhileOpen(shouldStop: shouldStop)
  }

  /// Returns how many deliveries of the batch were dealt with (what `--count` counts); none
  /// fails here (failures are retried or dead-lettered). What the handler did not get to
  /// because the subscription is stopping is given back to the group.
  func process(_ batch: [Delivery]) throws(BusError) -> (handled: Int, failed: Int) {
    keeper?.hold(batch)
    defer { keeper?.release() }
    var valid = try triage(batch)
    valid = try skipDone(valid)
    let result = try handle(valid)
    try complete(result.completed)
    for (delivery, failure) in result.failures { try settle(delivery, failure) }
    leftPending += result.notReady.count  // stopping while they waited: they stay pending
    if result.failures.isEmpty && result.notReady.isEmpty && result.completed.count == valid.count {
      return (batch.count, 0)  // the usual case: every one dealt with
    }
    // Stream ids are unique per stream only: an entry is known by both.
    func key(_ e: StreamEntry) -> String { "\(e.stream) \(e.id)" }
    var dealtWith = Set(result.completed.map { key($0.entry) })
    for f in result.failures { dealtWith.insert(key(f.delivery.entry)) }
    for d in result.notReady { dealtWith.insert(key(d.entry)) }
    let untouched = valid.map(\.entry).filter { !dealtWith.contains(key($0)) }
    if !untouched.isEmpty {
      try consumer.giveBack(untouched)
      givenBack += untouched.count
    }
    return (batch.count - untouched.count, 0)
  }

  /// Hands deliveries to the handler: all at once, or — behind a gate — one at a time, each
  /// with its permit, holding one that is not ready until the gate lets it through again.
  private func handle(_ deliveries: [Delivery]) throws(BusError) -> HandlerResult {
    guard let gate = handler.gate else { return try timed(deliveries) }
    var total = HandlerResult(completed: [])
    for d in deliveries {
      if shouldStop() { break }
      total.add(try handleGated(d, gate))
    }
    return total
  }

  private func handleGated(_ delivery: Delivery, _ gate: CircuitBreaker) throws(BusError) -> HandlerResult {
    var waited = false
    while true {
      guard gate.acquire(shouldStop: shouldStop) else { return HandlerResult(completed: [], notReady: [delivery]) }
      if waited, let done = doneMarkers, let key = delivery.envelope?.key {
        // Completed elsewhere while it waited: the permit goes back unused.
        let isDone: Bool
        do { isDone = try done.isDone(delivery.entry, eventID: key.id) } catch {
          gate.cancel()
          throw error
        }
        if isDone {
          gate.cancel()
          return HandlerResult(completed: [.done(delivery)])
        }
      }
      let result: HandlerResult
      do { result = try timed([delivery]) } catch {
        gate.cancel()
        throw error
      }
      // A permit the handler did not use (it failed before reaching its downstream) goes
      // back, so the circuit cannot stay half-open with nobody probing; once the handler
      // reported a success or a failure this changes nothing.
      gate.cancel()
      if result.notReady.isEmpty { return result }
      waited = true
    }
  }

  /// The handler's work, told to the observer: each success with its share of the time the
  /// handler took, each failure.
  private func timed(_ deliveries: [Delivery]) throws(BusError) -> HandlerResult {
    guard let observer = consumer.observer else { return try handler.handle(deliveries, shouldStop: shouldStop) }
    let start = EventTime.nowMicroseconds()
    let result = try handler.handle(deliveries, shouldStop: shouldStop)
    let each = Double(EventTime.nowMicroseconds() - start) / 1_000_000 / Double(max(1, deliveries.count))
    var type = ""
    var run = 0
    for c in result.completed {
      if c.entry.type != type {
        if run > 0 { observer.handled(type: type, count: run, seconds: each) }
        type = c.entry.type
        run = 0
      }
      run += 1
    }
    if run > 0 { observer.handled(type: type, count: run, seconds: each) }
    for f in result.failures { observer.failed(type: f.delivery.entry.type) }
    return result
  }

  /// Deliveries whose event this group already completed are acknowledged, not handed over.
  private func skipDone(_ deliveries: [Delivery]) throws(BusError) -> [Delivery] {
    guard let done = doneMarkers else { return deliveries }
    var rest: [Delivery] = []
    var finished: [Completion] = []
    for d in deliveries {
      if let e = d.envelope, try done.isDone(d.entry, eventID: e.id) {
        finished.append(.done(d))
        done.onAlreadyDone?(e.key, "was already done; acknowledged without handling it again")
      } else {
        rest.append(d)
      }
    }
    try complete(finished, announced: true)
    return rest
  }

  /// Writes what a success means: plain acknowledgements pipelined; a done marker with its
  /// acknowledgement and follow-up events in one script each.
  private func complete(_ completions: [Completion], announced: Bool = false) throws(BusError) {
    var plain: [StreamEntry] = []
    for c in completions {
      guard let done = doneMarkers, c.marker != nil || !c.followUps.isEmpty else {
        plain.append(c.entry)
        continue
      }
      let key = c.marker ?? EventKey(type: c.entry.type, id: c.entry.id.description)
      let first = try done.complete(c.entry, eventID: key.id, publishing: c.followUps)
      if !first && !announced {
        done.onAlreadyDone?(key, "was completed by another consumer meanwhile; it was acknowledged")
      }
    }
    consumer.ackWithNextRead(plain)
    handled += completions.count
  }

  /// The deliveries worth handling; malformed entries and poison messages go to the dead
  /// letters at once.
  private func triage(_ batch: [Delivery]) throws(BusError) -> [Delivery] {
    // The batch is filled in place (its envelopes set); what cannot be handled is taken out.
    var valid = batch
    var dropped: [Int] = []
    var own: [StreamEntry] = []
    defer { handled += own.count }
    for i in valid.indices {
      var failure: HandlerFailure?
      switch Subscription.validate(valid[i].entry, contracts: contracts) {
      case .success(let envelope):
        if DeadLetterQueue.isOwnFailure(envelope, group: consumer.group) {
          // This group's own dead letter announced: never fed back to it.
          own.append(valid[i].entry)
          dropped.append(i)
          continue
        }
        valid[i].envelope = envelope
        if let problem = try schemas.problem(envelope) { failure = HandlerFailure(problem, permanent: true) }
      case .failure(let problem): failure = problem
      }
      guard let dlq = deadLetters else { continue }
      if failure == nil, let limit = maxDeliveries, valid[i].deliveryCount > limit {
        // Delivered again and again without being acknowledged: it keeps killing workers.
        failure = HandlerFailure("poison message: delivered \(valid[i].deliveryCount) times (limit \(limit))", permanent: true)
      }
      if let failure {
        try dlq.bury(valid[i], failure: failure, attempts: 0, consumer: consumer.consumer)
        deadLettered += 1
        consumer.observer?.deadLettered(type: valid[i].entry.type)
        dropped.append(i)
      }
    }
    for i in dropped.reversed() { valid.remove(at: i) }
    consumer.ackWithNextRead(own)
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
      consumer.observer?.retried(type: delivery.entry.type)
      sleepSeconds(retry.delay(beforeAttempt: attempt), unless: shouldStop)
      if shouldStop() { break }
      var retried = delivery
      retried.attempt = attempt
      let again = try handle([retried])
      try complete(again.completed)
      if !again.notReady.isEmpty || (again.completed.isEmpty && again.failures.isEmpty) {
        leftPending += 1  // stopping before or while it waited for the gate: it stays pending
        return
      }
      failure = again.failures.first?.failure
    }
    guard let failure else { return }
    if failure.interrupted || (shouldStop() && retry.shouldRetry(after: failure, attempt: attempt)) {
      leftPending += 1
    } else {
      try dlq.bury(delivery, failure: failure, attempts: attempt, consumer: consumer.consumer)
      deadLettered += 1
      consumer.observer?.deadLettered(type: delivery.entry.type)
    }
  }
}
