import EvtBus
import EvtOps
import EvtProcess
import EvtRedis
import EvtServices
import Logging

/// What the long-running consumers (`subscribe`, `run-email-worker`) do around their work:
/// logging set up first (so warnings about the connection options are log records in json and
/// logfmt), the options checked before any I/O, the first connection refused when the
/// namespace still holds an earlier evt's key layout, the metrics listener, and the signals.
struct ConsumerFrontEnd {
  let logger: Logger
  let keys: Keys
  let connection: ConnectionOptions
  let operations: OperationsOptions

  init(_ label: String, connection: ConnectionOptions, operations: OperationsOptions, metadata: Logger.Metadata = [:]) throws(BusError) {
    logger = try operations.logger(label, metadata: metadata)
    try connection.check()
    keys = try connection.keys()
    self.connection = connection
    self.operations = operations
  }

  /// A group worker's options from the command line's recovery and operations options.
  func workerOptions(group: String, consumer: String?, selection: TypeSelection, recovery: GroupRecoveryOptions) -> GroupWorker.Options {
    var options = GroupWorker.Options(group: group, selection: selection)
    if let consumer { options.consumerName = consumer }
    options.claimIdleMilliseconds = recovery.claimIdleMilliseconds
    options.retry = recovery.retry
    options.maxDeliveries = recovery.maxDeliveries
    options.metricsAddress = operations.metricsAddr
    options.heartbeatFile = operations.heartbeatFile
    return options
  }

  /// Connects (failing fast, with one message, when Redis is not there), starts the metrics
  /// listener, installs the signal handlers, says `announce` and runs the worker.
  func run(
    _ worker: GroupWorker, announce: String? = nil, shouldStop: @escaping () -> Bool = { Shutdown.isRequested }
  ) throws(BusError) -> SubscriptionOutcome {
    let first = try connection.connectReading()
    try worker.serve()
    Shutdown.install()
    if let announce { worker.logger.info("\(announce)") }
    return try worker.run(on: first, shouldStop: shouldStop)
  }

  /// Reads new events of `selection` as they arrive, outside any group (nothing acknowledged);
  /// with `validate`, each event that breaks its schema is a warning in the log first.
  func runLive(
    _ selection: TypeSelection, limits: SubscriptionLimits, validate: Bool, handler: DeliveryHandler,
    shouldStop: @escaping () -> Bool
  ) throws(BusError) -> SubscriptionOutcome {
    let redis = try connection.connectReading()
    var handler = handler
    if validate {
      handler = ValidatingHandler(handler, validation: SchemaValidation(connection: redis, keys: keys, builtIns: ServiceTypes.contracts)) {
        [logger] in
        logger.warning("\($0)")
      }
    }
    var reconnect = Reconnect(connection: redis) { [logger] in logger.warning("\($0)") }
    reconnect.outage = Reconnect.Outage()
    Shutdown.install()
    let watcher = StreamWatcher(connection: redis, keys: keys, selection: selection)
    try watcher.startAtEnd()
    return try Subscription.run(live: watcher, limits: limits, handler: handler, reconnect: reconnect, shouldStop: shouldStop)
  }

  /// Runs `command` through /bin/sh for each event; its problems are log warnings and, in json
  /// or logfmt, each line it writes to standard error is a record of its own, escaped.
  func execHandler(_ command: String, shutdownTimeout: Double) -> ExecHandler {
    func fields(_ d: Delivery) -> Logger.Metadata {
      ["event_id": "\(d.envelope?.id ?? "")", "type": "\(d.entry.type)", "stream_id": "\(d.entry.id)", "attempt": "\(d.attempt)"]
    }
    let exec = ExecHandler(command: command, shutdownTimeout: shutdownTimeout) { [logger] message, delivery in
      logger.warning("\(message)", metadata: fields(delivery))
    }
    if operations.structuredLogs {
      exec.stderrLine = { [logger] line, delivery in
        var f = fields(delivery)
        f["stream"] = "stderr"
        logger.notice("\(String(decoding: line, as: UTF8.self))", metadata: f)
      }
    }
    return exec
  }
}
