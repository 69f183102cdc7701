import EvtBus
import EvtRedis
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// How the email worker runs.
public struct EmailWorkerOptions: Sendable {
  /// The consumer group (one per service).
  public var group = Self.defaultGroup
  public static let defaultGroup = "email-worker"
  /// Consumer name prefix; each handler thread adds `-1`, `-2`, …
  public var consumerName = GroupConsumer.defaultName()
  /// Handler threads in this process, each a consumer of the group with its own connection.
  public var concurrency = 1
  public var from = Mail.Address("noreply@evt.localhost", name: "evt")
  public var retry = RetryPolicy()
  public var maxDeliveries = GroupConsumer.defaultMaxDeliveries
  /// Seconds after which another consumer's unacknowledged event is claimed.
  public var claimIdle = Double(GroupConsumer.defaultClaimIdleMilliseconds) / 1000
  /// Consecutive mailer failures that open the circuit, and its cool-down in seconds. The
  /// threshold must be at most `retry.maxAttempts` (``validate()``), or an outage could
  /// exhaust an event's attempts before the circuit opens.
  public var breakerThreshold = Self.defaultBreakerThreshold
  public var breakerCoolDown = Self.defaultBreakerCoolDown
  public static let defaultBreakerThreshold = 3
  public static let defaultBreakerCoolDown = 30.0
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

  /// Throws `.invalidArgument` naming the first rule the options break.
  public func validate() throws(BusError) {
    try GroupConsumer.validateGroupName(group)
    try GroupConsumer.validateConsumerName(consumerName)
    guard (1...256).contains(concurrency) else { throw BusError(.invalidArgument, "concurrency must be between 1 and 256") }
    guard breakerThreshold >= 1 else { throw BusError(.invalidArgument, "the breaker threshold must be 1 or more") }
    guard breakerThreshold <= retry.maxAttempts else {
      throw BusError(
        .invalidArgument,
        "the breaker threshold (\(breakerThreshold)) must not exceed the attempts per event (\(retry.maxAttempts)), or a mailer outage would dead-letter events"
      )
    }
  }
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
  let logger: Logger
  /// The circuit breaker all handler threads share.
  public let breaker: CircuitBreaker
  /// The processing time of every mail sent by this worker.
  public let timings = Timings()
  /// Told what every handler thread does, beside the processing figures kept in Redis
  /// (metrics, heartbeats); called from all handler threads.
  let observe: (any ConsumerObserver & Sendable)?
  /// The handler threads' connections: an outage is logged once, not once per thread.
  public let outage = Reconnect.Outage()

  /// - Parameters:
  ///   - connect: opens a new connection (one per handler thread).
  ///   - logger: one line per notable thing: mails sent with their processing time (info),
  ///     circuit state changes, reconnections, dead letters (warning); with the group, the
  ///     consumer and the event's id and type as metadata.
  ///   - observe: told what every handler thread does (metrics, heartbeats); must be thread-safe.
  public init(
    keys: Keys, mailer: any Mailer, options: EmailWorkerOptions, connect: @escaping @Sendable () throws(BusError) -> RedisConnection,
    logger: Logger, observe: (any ConsumerObserver & Sendable)? = nil
  ) {
    self.keys = keys
    self.mailer = mailer
    self.options = options
    self.connect = connect
    var logger = logger
    logger[metadataKey: "group"] = "\(options.group)"
    self.logger = logger
    self.observe = observe
    self.breaker = CircuitBreaker(failureThreshold: options.breakerThreshold, coolDown: options.breakerCoolDown) { [logger] in
      logger.warning("\($0)")
    }
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
    let name = options.concurrency > 1 ? "\(options.consumerName)-\(number)" : options.consumerName
    var log = logger
    log[metadataKey: "consumer"] = "\(name)"
    let consumer = try GroupConsumer(
      connection: redis, keys: keys, group: options.group, consumer: name, selection: try TypeSelection(Self.types), start: .beginning)
    consumer.claimIdleMilliseconds = Int(options.claimIdle * 1000)
    let recorder = ProcessingStatsRecorder(connection: redis, keys: keys, group: options.group)
    consumer.observer = observe.map { ConsumerObservers([recorder, $0]) } ?? recorder
    let handler = EmailHandler(
      group: options.group, composer: MailComposer(users: UserStore(connection: redis, keys: keys), from: options.from), mailer: mailer,
      breaker: breaker, timings: timings, log: options.logEachMail ? log : nil)
    let deadLetters = DeadLetterQueue(connection: redis, keys: keys, group: options.group)
    deadLetters.logEach(to: log)
    let done = DoneMarkers(
      connection: redis, keys: keys, group: options.group, ttlSeconds: options.doneTTL, contracts: ServiceTypes.contracts)
    done.onAlreadyDone = { [log] key, what in
      log.info("\(key.type) \(key.id) \(what)", metadata: ["event_id": "\(key.id)", "type": "\(key.type)"])
    }
    var reconnect = Reconnect(connection: redis) { [log] in log.warning("\($0)") }
    reconnect.outage = outage
    return try Subscription.run(
      group: consumer, limits: SubscriptionLimits(untilEmpty: options.untilEmpty, batchSize: 1, waitPending: options.waitPending),
      handler: handler, retry: options.retry, deadLetters: deadLetters, doneMarkers: done, maxDeliveries: options.maxDeliveries,
      contracts: ServiceTypes.contracts, reconnect: reconnect, shouldStop: shouldStop)
  }
}
