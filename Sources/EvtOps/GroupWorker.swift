import EvtBus
import EvtRedis
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// A long-running member of a consumer group, with everything an operator expects wired
/// around it: the processing figures kept in Redis for `evt stats`, the log of group events,
/// Prometheus metrics with `/healthz` and `/readyz`, a heartbeat file, a warning per dead
/// letter, reconnection with one log line per outage, and the claim keeper. `evt subscribe
/// --group` and `evt run-email-worker` are each a ``GroupWorker`` with their own handler.
///
/// Delivery is what ``Subscription/run(group:limits:handler:retry:deadLetters:doneMarkers:maxDeliveries:contracts:reconnect:shouldStop:)``
/// promises: at least once, each event acknowledged after its handler succeeded (or after it
/// was dead-lettered). With ``Options/concurrency`` above 1, each member is a consumer of its
/// own (`NAME-1`, `NAME-2`, …) on its own connection and thread; events are spread among them
/// by Redis, so order across members is not kept. The handler and done-marker factories and
/// `shouldStop` are called on each member's thread: with one member, only on the thread that
/// calls ``run(on:shouldStop:)``.
package final class GroupWorker: @unchecked Sendable {
  /// What a worker is: its group and consumer, what it reads, how it retries, what it serves.
  package struct Options: Sendable {
    package var group: String
    /// The consumer's name; with ``concurrency`` above 1, a prefix (`NAME-1`, `NAME-2`, …).
    package var consumerName = GroupConsumer.defaultName()
    package var selection: TypeSelection
    /// Where the group starts when it is created.
    package var start = GroupStart.beginning
    /// Members in this process, each with its own connection (the first on the calling thread).
    package var concurrency = 1
    package var limits = SubscriptionLimits()
    /// Read the next batch on a second connection while this one is handled (for handlers
    /// that are fast and do not care about a shutdown leaving a batch fetched).
    package var readAhead = false
    /// Claim another consumer's entries idle this long (milliseconds); nil: never.
    package var claimIdleMilliseconds: Int? = GroupConsumer.defaultClaimIdleMilliseconds
    package var retry = RetryPolicy()
    package var maxDeliveries: Int? = GroupConsumer.defaultMaxDeliveries
    /// The contracts events are checked against before their handler sees them.
    package var contracts = EventContracts.bus
    /// Serve `/metrics`, `/healthz` and `/readyz` here (`HOST:PORT`, `:PORT` for loopback).
    package var metricsAddress: String?
    /// Touch this file on every turn of the loop.
    package var heartbeatFile: String?

    package init(group: String, selection: TypeSelection) {
      self.group = group
      self.selection = selection
    }
  }

  /// One member of the worker, as its handler and done markers are made for it.
  package struct Member {
    /// The consumer's name in the group.
    package let name: String
    /// The member's own connection (not to be shared with other threads).
    package let connection: RedisConnection
    /// The worker's logger with the member's consumer name as metadata.
    package let logger: Logger
  }

  package let options: Options
  let keys: Keys
  let connect: @Sendable () throws(BusError) -> RedisConnection
  /// The group's log: the logger given, with the group as metadata.
  package let logger: Logger
  let breaker: CircuitBreaker?
  /// The observers all members share (metrics, heartbeat).
  let observers: ConsumerObservers
  let metrics: BusMetrics?
  let makeHandler: (Member) throws(BusError) -> DeliveryHandler
  let makeDoneMarkers: ((Member) -> DoneMarkers)?
  /// The members' connections: an outage is logged once, not once per member.
  package let outage = Reconnect.Outage()

  /// - Parameters:
  ///   - connect: opens a new connection (one per member, and one for the readiness probe).
  ///   - logger: the group's log (its metadata carries the group); each member adds its name.
  ///   - breaker: a circuit breaker the handlers share; `/readyz` is not ready while it is open.
  ///   - handler: makes each member's handler.
  ///   - doneMarkers: makes each member's done markers, for handlers with side effects that
  ///     must happen once (see ``DoneMarkers``).
  /// - Throws: `.invalidArgument` when the heartbeat file cannot be created.
  package init(
    options: Options, keys: Keys, connect: @escaping @Sendable () throws(BusError) -> RedisConnection, logger: Logger,
    breaker: CircuitBreaker? = nil, handler: @escaping (Member) throws(BusError) -> DeliveryHandler,
    doneMarkers: ((Member) -> DoneMarkers)? = nil
  ) throws(BusError) {
    self.options = options
    self.keys = keys
    self.connect = connect
    var logger = logger
    logger[metadataKey: "group"] = "\(options.group)"
    self.logger = logger
    self.breaker = breaker
    self.makeHandler = handler
    self.makeDoneMarkers = doneMarkers
    let metrics = options.metricsAddress.map { _ in BusMetrics(group: options.group) }
    var all: [any ConsumerObserver] = []
    if let metrics { all.append(metrics) }
    if let path = options.heartbeatFile { all.append(try Heartbeat(path: path)) }
    self.observers = ConsumerObservers(all)
    self.metrics = metrics
  }

  /// Starts the HTTP listener for metrics and health when ``Options/metricsAddress`` is set,
  /// and logs where it listens.
  /// - Throws: `.invalidArgument` for an address that cannot be listened on.
  package func serve() throws(BusError) {
    guard let address = options.metricsAddress, let metrics else { return }
    let probe = ReadinessProbe(
      connect: connect, keys: keys, group: options.group, selection: options.selection, metrics: metrics, breaker: breaker,
      outage: outage)
    let server = try OpsServer(address: address, metrics: metrics, probe: probe)
    server.start()
    logger.info("serving /metrics, /healthz and /readyz on http://\(server.address)")
  }

  /// Runs the members until `shouldStop` says so (or, with `limits.untilEmpty`, until nothing
  /// is left) and returns their outcomes added up. The first member runs on the calling
  /// thread, on `connection` when given (else a new one); the others on threads of their own.
  /// - Throws: the first error that stopped a member (the others are stopped then).
  package func run(on connection: RedisConnection? = nil, shouldStop: @escaping () -> Bool) throws(BusError)
    -> SubscriptionOutcome
  {
    let count = max(1, options.concurrency)
    let failure = Locked<BusError?>(nil)
    let total = Locked(SubscriptionOutcome(end: .finished, handled: 0, failed: 0))
    let shouldStop = UncheckedSendable(shouldStop)
    let stop: @Sendable () -> Bool = { shouldStop.value() || failure.withLock { $0 != nil } }
    @Sendable func member(_ number: Int, _ connection: UncheckedSendable<RedisConnection?>) {
      do throws(BusError) {
        let redis: RedisConnection
        if let given = connection.value { redis = given } else { redis = try connect() }
        let outcome = try runMember(number: number, connection: redis, shouldStop: stop)
        total.withLock { $0.add(outcome) }
      } catch {
        failure.withLock { if $0 == nil { $0 = error } }
      }
    }
    let threads = (1..<count + 1).dropFirst().map { number in startThread { member(number, UncheckedSendable(nil)) } }
    member(1, UncheckedSendable(connection))
    for t in threads { pthread_join(t, nil) }
    if let error = failure.withLock({ $0 }) { throw error }
    var outcome = total.withLock { $0 }
    // Every member sees the same consumers elsewhere; its siblings are not among them.
    let siblings = Set((1...count).map(name))
    outcome.pendingElsewhere.removeAll { siblings.contains($0.consumer) }
    return outcome
  }

  private func name(_ number: Int) -> String {
    options.concurrency > 1 ? "\(options.consumerName)-\(number)" : options.consumerName
  }

  private func runMember(number: Int, connection redis: RedisConnection, shouldStop: @escaping () -> Bool) throws(BusError)
    -> SubscriptionOutcome
  {
    var log = logger
    log[metadataKey: "consumer"] = "\(name(number))"
    let me = Member(name: name(number), connection: redis, logger: log)
    let consumer = try GroupConsumer(
      connection: redis, keys: keys, group: options.group, consumer: me.name, selection: options.selection, start: options.start)
    consumer.claimIdleMilliseconds = options.claimIdleMilliseconds
    consumer.readAhead = options.readAhead
    consumer.observer = ConsumerObservers([
      ProcessingStatsRecorder(connection: redis, keys: keys, group: options.group), ConsumerLog(logger: log), observers,
    ])
    let deadLetters = DeadLetterQueue(connection: redis, keys: keys, group: options.group)
    deadLetters.logEach(to: log)
    var reconnect = Reconnect(connection: redis) { [log] in log.warning("\($0)") }
    reconnect.outage = outage
    return try Subscription.run(
      group: consumer, limits: options.limits, handler: try makeHandler(me), retry: options.retry, deadLetters: deadLetters,
      doneMarkers: makeDoneMarkers?(me), maxDeliveries: options.maxDeliveries, contracts: options.contracts, reconnect: reconnect,
      shouldStop: shouldStop)
  }
}

extension SubscriptionOutcome {
  /// Adds another member's outcome to this one: counts add up, an end other than finished
  /// wins, and the consumers elsewhere (the same for every member) are kept once.
  mutating func add(_ other: SubscriptionOutcome) {
    handled += other.handled
    failed += other.failed
    deadLettered += other.deadLettered
    givenBack += other.givenBack
    if pendingElsewhere.isEmpty { pendingElsewhere = other.pendingElsewhere }
    if other.end != .finished { end = other.end }
  }
}

/// A value handed to another thread whose safety the type system cannot see: the members'
/// closures (documented as called on each member's thread) and the first member's connection,
/// which stays on the calling thread.
struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
