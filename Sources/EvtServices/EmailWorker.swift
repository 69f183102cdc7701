import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// How the email worker runs.
public struct EmailWorkerOptions: Sendable {
  /// The consumer group (one per service).
  public var group = "email-worker"
  /// Consumer name prefix; each handler thread adds `-1`, `-2`, …
  public var consumerName = GroupConsumer.defaultName()
  /// Handler threads in this process, each a consumer of the group with its own connection.
  public var concurrency = 1
  public var from = Mail.Address("noreply@evt.localhost", name: "evt")
  public var retry = RetryPolicy()
  public var maxDeliveries = 10
  /// Seconds after which another consumer's unacknowledged event is claimed.
  public var claimIdle = 60.0
  /// Consecutive mailer failures that open the circuit, and its cool-down in seconds.
  /// Keep it at most `retry.maxAttempts`, or an outage could exhaust an event's attempts
  /// before the circuit opens.
  public var breakerThreshold = 3
  public var breakerCoolDown = 30.0
  /// How long an event is remembered as done (seconds).
  public var doneTTL = DoneMarkers.defaultTTL
  /// Exit once nothing is left to do, instead of waiting for events.
  public var untilEmpty = false
  /// With `untilEmpty`: wait while other consumers still hold events.
  public var waitPending = false
  /// Log every mail sent (with its processing time); otherwise only circuit changes, dead
  /// letters, reconnections and errors.
  public var logEachMail = true

  public init() {}
}

/// The email service: a consumer group on `user.created` and `order.placed` that sends a
/// welcome mail or an order confirmation and publishes `email.sent`.
///
/// Delivery: at least once to the mailer, exactly once in effect for `email.sent` — each event
/// is checked against its done marker before a mail is sent, and the marker, the
/// acknowledgement and `email.sent` are written in one script after it was sent. Only a crash
/// between sending and that script sends a mail again (with the same Message-ID, so the outbox
/// keeps one file and a receiving server can tell). Failures are retried with backoff and then
/// dead-lettered; a mailer that keeps failing opens the circuit breaker, and events then wait
/// pending instead of being dead-lettered.
public final class EmailWorker: Sendable {
  public static let types = [ServiceTypes.userCreated, ServiceTypes.orderPlaced]
  public static let sentType = ServiceTypes.emailSent

  let options: EmailWorkerOptions
  let keys: Keys
  let mailer: any Mailer
  let connect: @Sendable () throws(BusError) -> RedisConnection
  let log: @Sendable (String) -> Void
  let breaker: CircuitBreaker
  /// The processing time of every mail sent by this worker.
  public let timings = Timings()

  /// - Parameters:
  ///   - connect: opens a new connection (one per handler thread).
  ///   - log: one line per notable thing: mails sent with their processing time, circuit
  ///     state changes, reconnections, dead letters.
  public init(
    keys: Keys, mailer: any Mailer, options: EmailWorkerOptions, connect: @escaping @Sendable () throws(BusError) -> RedisConnection,
    log: @escaping @Sendable (String) -> Void
  ) {
    self.keys = keys
    self.mailer = mailer
    self.options = options
    self.connect = connect
    self.log = log
    self.breaker = CircuitBreaker(failureThreshold: options.breakerThreshold, coolDown: options.breakerCoolDown, report: log)
  }

  /// Runs the handler threads until a shutdown is requested (or, with `untilEmpty`, until
  /// nothing is left), and returns their outcomes added up.
  /// - Throws: the first error that stopped a thread (the others are stopped then).
  public func run(shouldStop: @escaping @Sendable () -> Bool) throws(BusError) -> SubscriptionOutcome {
    let failure = Locked<BusError?>(nil)
    let total = Locked(SubscriptionOutcome(end: .finished, handled: 0, failed: 0))
    let stop: @Sendable () -> Bool = { shouldStop() || failure.withLock { $0 != nil } }
    var threads: [pthread_t] = []
    for i in 1...max(1, options.concurrency) {
      threads.append(
        startThread { [self] in
          do throws(BusError) {
            let outcome = try runConsumer(number: i, shouldStop: stop)
            total.withLock {
              $0.handled += outcome.handled
              $0.failed += outcome.failed
              $0.deadLettered += outcome.deadLettered
              $0.givenBack += outcome.givenBack
              // Every handler thread sees the same consumers elsewhere (its siblings excluded below).
              if $0.pendingElsewhere.isEmpty { $0.pendingElsewhere = outcome.pendingElsewhere }
              if outcome.end != .finished { $0.end = outcome.end }
            }
          } catch {
            failure.withLock { if $0 == nil { $0 = error } }
          }
        })
    }
    for t in threads { pthread_join(t, nil) }
    if let error = failure.withLock({ $0 }) { throw error }
    var outcome = total.withLock { $0 }
    let siblings = Set((1...max(1, options.concurrency)).map { "\(options.consumerName)-\($0)" })
    outcome.pendingElsewhere.removeAll { siblings.contains($0.consumer) }
    return outcome
  }

  private func runConsumer(number: Int, shouldStop: @escaping () -> Bool) throws(BusError) -> SubscriptionOutcome {
    let redis = try connect()
    let consumer = try GroupConsumer(
      connection: redis, keys: keys, group: options.group,
      consumer: options.concurrency > 1 ? "\(options.consumerName)-\(number)" : options.consumerName,
      selection: try TypeSelection(Self.types), start: .beginning)
    consumer.claimIdleMilliseconds = Int(options.claimIdle * 1000)
    let handler = EmailHandler(worker: self, consumer: consumer)
    let deadLetters = DeadLetterQueue(connection: redis, keys: keys, group: options.group)
    deadLetters.onBury = { [log] delivery, failure in
      log("dead-lettered \(delivery.entry.type) entry \(delivery.entry.id): \(failure.reason)")
    }
    return try Subscription.run(
      group: consumer, limits: SubscriptionLimits(untilEmpty: options.untilEmpty, batchSize: 1, waitPending: options.waitPending),
      handler: handler,
      retry: options.retry, deadLetters: deadLetters, maxDeliveries: options.maxDeliveries, contracts: ServiceTypes.contracts,
      reconnect: Reconnect(connection: redis, report: log), shouldStop: shouldStop)
  }
}

/// Handles the deliveries of one consumer thread.
final class EmailHandler: DeliveryHandler {
  let worker: EmailWorker
  let consumer: GroupConsumer
  let users: UserStore
  let done: DoneMarkers

  init(worker: EmailWorker, consumer: GroupConsumer) {
    self.worker = worker
    self.consumer = consumer
    self.users = UserStore(connection: consumer.connection, keys: worker.keys)
    self.done = DoneMarkers(
      connection: consumer.connection, keys: worker.keys, group: worker.options.group, ttlSeconds: worker.options.doneTTL,
      contracts: ServiceTypes.contracts)
  }

  var acknowledgesSuccesses: Bool { true }

  func waitUntilReady(shouldStop: () -> Bool) {
    worker.breaker.waitWhileOpen(shouldStop: shouldStop)
  }

  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    var result = HandlerResult(succeeded: [])
    for d in batch where !shouldStop() {
      if let failure = try process(d, shouldStop: shouldStop) {
        result.failures.append((d, failure))
      } else {
        result.succeeded.append(d.entry)
      }
    }
    return result
  }

  /// Sends the mail for one event and completes it; returns why it failed, if it did.
  private func process(_ delivery: Delivery, shouldStop: () -> Bool) throws(BusError) -> HandlerFailure? {
    let started = EventTime.now().milliseconds
    guard let event = delivery.envelope ?? delivery.entry.event.flatMap({ try? Envelope.decode($0) }) else {
      return HandlerFailure("not an envelope", permanent: true)
    }
    if try done.isDone(type: event.type, eventID: event.id) {
      return try acknowledgeDone(delivery, event, "was already done; acknowledged without a second mail")
    }
    let message: OutgoingMail
    switch try compose(event) {
    case .success(let m): message = m
    case .failure(let f): return f
    }
    switch try send(message.mail, holding: delivery.entry, event: event, shouldStop: shouldStop) {
    case .sent: break
    case .failed(let failure): return failure
    case .alreadyDone:
      return try acknowledgeDone(delivery, event, "was completed by another consumer while the mailer was down; not mailed again")
    }

    let elapsed = EventTime.now().milliseconds - started
    worker.timings.record(milliseconds: elapsed)
    var data: [JSONValue.Member] = [
      .init("userId", .string(message.userId)), .init("type", .string(message.kind)), .init("recipient", .string(message.mail.to.email)),
    ]
    if let orderId = message.orderId { data.append(.init("orderId", .string(orderId))) }
    data.append(.init("messageId", .string("<\(message.mail.messageID)>")))
    data.append(.init("processingMs", .number(String(elapsed))))
    let sent: Envelope
    do {
      sent = try Envelope.create(
        type: EmailWorker.sentType, data: .object(data),
        headers: [
          ("correlationId", event.correlationID), ("causationId", event.id), ("source", "evt run-email-worker"),
        ])
    } catch {
      throw BusError(error)
    }
    let first = try done.complete(delivery.entry, type: event.type, eventID: event.id, publishing: [sent])
    guard worker.options.logEachMail else { return nil }
    worker.log(
      "sent \(message.kind) mail to \(message.mail.to.email) for \(event.type) \(event.id) in \(elapsed) ms"
        + (first ? "" : " (another consumer completed it meanwhile; email.sent not repeated)"))
    return nil
  }

  /// Acknowledges an event this group already completed (nothing is published again).
  private func acknowledgeDone(_ delivery: Delivery, _ event: Envelope, _ why: String) throws(BusError) -> HandlerFailure? {
    try done.complete(delivery.entry, type: event.type, eventID: event.id)
    worker.log("\(event.type) \(event.id) \(why)")
    return nil
  }

  enum SendOutcome {
    case sent
    case alreadyDone
    case failed(HandlerFailure)
  }

  /// Sends through the circuit breaker. While the circuit is open the event is held — it stays
  /// pending, its claim refreshed so no other consumer takes it for abandoned, its attempts not
  /// counted — and sent when the mailer is back (unless it was completed elsewhere meanwhile).
  private func send(_ mail: Mail, holding entry: StreamEntry, event: Envelope, shouldStop: () -> Bool) throws(BusError)
    -> SendOutcome
  {
    let touchEvery = Int64(max(100, worker.options.claimIdle * 1000 / 3))
    var waited = false
    while true {
      var lastTouch = EventTime.now().milliseconds
      var lost = false
      var touchError: BusError?
      let go = worker.breaker.acquire(shouldStop: { shouldStop() || lost || touchError != nil }) {
        waited = true
        let now = EventTime.now().milliseconds
        guard now - lastTouch >= touchEvery else { return }
        lastTouch = now
        do throws(BusError) { lost = try !consumer.touch(entry) } catch { touchError = error }
      }
      if let touchError { throw touchError }
      if lost { return .failed(HandlerFailure("another consumer took the event over while the mailer was down", interrupted: true)) }
      guard go else { return .failed(HandlerFailure("stopped while waiting for the mailer", interrupted: true)) }
      do throws(BusError) {
        if waited, try done.isDone(type: event.type, eventID: event.id) {
          worker.breaker.cancel()
          return .alreadyDone
        }
      } catch {
        worker.breaker.cancel()
        throw error
      }
      do {
        try worker.mailer.send(mail)
        worker.breaker.succeeded()
        return .sent
      } catch {
        if error.permanent {
          worker.breaker.succeeded()  // the mailer works; this message is refused
          return .failed(HandlerFailure("the mail to \(mail.to.email) was refused: \(error.message)", permanent: true))
        }
        if error.messageOnly {
          // The server answers; only this message is turned away for now (its recipient's
          // mailbox is busy or full): its own attempts count, the circuit stays closed.
          worker.breaker.succeeded()
          return .failed(HandlerFailure("the mail to \(mail.to.email) was deferred: \(error.message)"))
        }
        if worker.breaker.failed(error.message) {
          waited = true
          continue
        }
        return .failed(HandlerFailure("mailer: \(error.message)"))
      }
    }
  }

  struct OutgoingMail {
    var mail: Mail
    var kind: String
    var userId: String
    var orderId: String?
  }

  /// The mail an event calls for, or why there is none.
  private func compose(_ event: Envelope) throws(BusError) -> Result<OutgoingMail, HandlerFailure> {
    let data = event.data
    let from = worker.options.from
    let domain = from.email.split(separator: "@").last.map(String.init) ?? "evt.localhost"
    func mail(_ kind: String, to: Mail.Address, subject: String, body: String) -> Mail {
      Mail(
        from: from, to: to, subject: subject, body: body, messageID: Mail.messageID(eventID: event.id, kind: kind, domain: domain),
        headers: [("X-Evt-Event-Id", event.id), ("X-Evt-Correlation-Id", event.correlationID)])
    }
    // Whatever the contract said: nothing reaches a mail header or an SMTP command unchecked.
    func recipient(_ email: String, _ name: String) -> Result<Mail.Address, HandlerFailure> {
      if let why = EmailAddress.problem(email) {
        return .failure(HandlerFailure("refusing to mail \(JSON.quoted(email)): not a valid email address (\(why))", permanent: true))
      }
      do throws(BusError) {
        return .success(Mail.Address(email, name: try UserValidation.name(name)))
      } catch {
        return .failure(HandlerFailure("refusing to mail \(JSON.quoted(email)): \(error.message)", permanent: true))
      }
    }
    switch event.type {
    case UserStore.createdType:
      let userId = data["userId"]?.stringValue ?? ""
      let name = data["name"]?.stringValue ?? ""
      let email = data["email"]?.stringValue ?? ""
      let to: Mail.Address
      switch recipient(email, name) {
      case .success(let address): to = address
      case .failure(let f): return .failure(f)
      }
      let body = "Hi \(name),\n\nwelcome aboard! Your account for \(email) is ready.\n\n-- \(from.name ?? from.email)\n"
      let m = mail("welcome", to: to, subject: "Welcome, \(to.name ?? name)!", body: body)
      return .success(OutgoingMail(mail: m, kind: "welcome", userId: userId))
    case ServiceTypes.orderPlaced:
      let orderId = data["orderId"]?.stringValue ?? ""
      let userId = data["userId"]?.stringValue ?? ""
      guard let user = try users.user(id: userId) else {
        return .failure(HandlerFailure("order \(orderId): unknown user \(userId)", permanent: true))
      }
      let to: Mail.Address
      switch recipient(user.email, user.name) {
      case .success(let address): to = address
      case .failure(let f): return .failure(f)
      }
      var body = "Hi \(user.name),\n\nthank you for your order \(orderId).\n"
      if case .array(let items)? = data["items"], !items.isEmpty {
        body += "\n" + items.map { "  - \(Self.describe($0))\n" }.joined()
      }
      if case .number(let total)? = data["total"] { body += "\nTotal: \(total)\n" }
      body += "\n-- \(from.name ?? from.email)\n"
      let m = mail(
        "order_confirmation", to: to, subject: "Your order \(orderId) is confirmed", body: body)
      return .success(OutgoingMail(mail: m, kind: "order_confirmation", userId: userId, orderId: orderId))
    default:
      return .failure(HandlerFailure("the email worker does not handle \(event.type)", permanent: true))
    }
  }

  /// One order line: a string as is; an object by its name (or sku, or title) and quantity.
  static func describe(_ item: JSONValue) -> String {
    if let s = item.stringValue { return s }
    let label = ["name", "title", "sku", "id"].lazy.compactMap { item[$0]?.stringValue }.first
    guard let label else { return String(decoding: item.serialized, as: UTF8.self) }
    if let q = item["quantity"] ?? item["qty"], case .number(let n) = q { return "\(label) x \(n)" }
    return label
  }
}
