import EvtBus
import EvtOps
import EvtRedis
import Logging

/// How the email worker runs.
package struct EmailWorkerOptions: Sendable {
  /// The consumer group (one per service).
  package var group = Self.defaultGroup
  package static let defaultGroup = "email-worker"
  /// Consumer name prefix; each handler thread adds `-1`, `-2`, …
  package var consumerName = GroupConsumer.defaultName()
  /// Handler threads in this process, each a consumer of the group with its own connection.
  package var concurrency = 1
  package var from = Mail.Address("noreply@evt.localhost", name: "evt")
  package var retry = RetryPolicy()
  package var maxDeliveries = GroupConsumer.defaultMaxDeliveries
  /// Seconds after which another consumer's unacknowledged event is claimed.
  package var claimIdle = Double(GroupConsumer.defaultClaimIdleMilliseconds) / 1000
  /// Consecutive mailer failures that open the circuit, and its cool-down in seconds. The
  /// threshold must be at most `retry.maxAttempts` (``validate()``), or an outage could
  /// exhaust an event's attempts before the circuit opens.
  package var breakerThreshold = Self.defaultBreakerThreshold
  package var breakerCoolDown = Self.defaultBreakerCoolDown
  package static let defaultBreakerThreshold = 3
  package static let defaultBreakerCoolDown = 30.0
  /// How long an event is remembered as done (seconds).
  package var doneTTL = DoneMarkers.defaultTTL
  /// Exit once nothing is left to do, instead of waiting for events.
  package var untilEmpty = false
  /// With `untilEmpty`: wait while other consumers still hold events.
  package var waitPending = false
  /// Log every mail sent (with its processing time); otherwise only circuit changes, dead
  /// letters, reconnections and errors.
  package var logEachMail = true
  /// Serve `/metrics`, `/healthz` and `/readyz` here (see ``GroupWorker/Options/metricsAddress``).
  package var metricsAddress: String?
  /// Touch this file on every turn of each handler's loop.
  package var heartbeatFile: String?

  package init() {}

  /// Throws `.invalidArgument` naming the first rule the options break.
  package func validate() throws(BusError) {
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
package final class EmailWorker: Sendable {
  package static let types = [ServiceTypes.userCreated, ServiceTypes.orderPlaced]
  package static let sentType = ServiceTypes.emailSent

  /// The circuit breaker all handler threads share.
  package let breaker: CircuitBreaker
  /// The processing time of every mail sent by this worker.
  package let timings: Timings
  /// The consumer group's members, one per handler thread.
  package let group: GroupWorker

  /// - Parameters:
  ///   - connect: opens a new connection (one per handler thread).
  ///   - logger: one line per notable thing: mails sent with their processing time (info),
  ///     circuit state changes, reconnections, dead letters (warning); with the group, the
  ///     consumer and the event's id and type as metadata.
  /// - Throws: `.invalidArgument` for options ``EmailWorkerOptions/validate()`` refuses, or a
  ///   heartbeat file that cannot be created.
  package init(
    keys: Keys, mailer: any Mailer, options: EmailWorkerOptions, connect: @escaping @Sendable () throws(BusError) -> RedisConnection,
    logger: Logger
  ) throws(BusError) {
    try options.validate()
    var groupLog = logger
    groupLog[metadataKey: "group"] = "\(options.group)"
    let breaker = CircuitBreaker(failureThreshold: options.breakerThreshold, coolDown: options.breakerCoolDown) { [groupLog] in
      groupLog.warning("\($0)")
    }
    self.breaker = breaker
    let timings = Timings()
    self.timings = timings
    var worker = GroupWorker.Options(group: options.group, selection: try TypeSelection(Self.types))
    worker.consumerName = options.consumerName
    worker.concurrency = options.concurrency
    worker.limits = SubscriptionLimits(untilEmpty: options.untilEmpty, batchSize: 1, waitPending: options.waitPending)
    worker.claimIdleMilliseconds = Int(options.claimIdle * 1000)
    worker.retry = options.retry
    worker.maxDeliveries = options.maxDeliveries
    worker.contracts = ServiceTypes.contracts
    worker.metricsAddress = options.metricsAddress
    worker.heartbeatFile = options.heartbeatFile
    group = try GroupWorker(
      options: worker, keys: keys, connect: connect, logger: logger, breaker: breaker,
      handler: { member in
        EmailHandler(
          group: options.group, composer: MailComposer(users: UserStore(connection: member.connection, keys: keys), from: options.from),
          mailer: mailer, breaker: breaker, timings: timings, log: options.logEachMail ? member.logger : nil)
      },
      doneMarkers: { member in
        let done = DoneMarkers(
          connection: member.connection, keys: keys, group: options.group, ttlSeconds: options.doneTTL, contracts: ServiceTypes.contracts)
        done.onAlreadyDone = { [log = member.logger] key, what in
          log.info("\(key.type) \(key.id) \(what)", metadata: ["event_id": "\(key.id)", "type": "\(key.type)"])
        }
        return done
      })
  }

  /// Runs the handler threads until `shouldStop` says so (or, with `untilEmpty`, until nothing
  /// is left), and returns their outcomes added up.
  /// - Throws: the first error that stopped a thread (the others are stopped then).
  package func run(on connection: RedisConnection? = nil, shouldStop: @escaping () -> Bool) throws(BusError)
    -> SubscriptionOutcome
  {
    try group.run(on: connection, shouldStop: shouldStop)
  }
}
