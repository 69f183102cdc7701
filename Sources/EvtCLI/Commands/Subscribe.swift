import ArgumentParser
import EvtBus
import EvtOps
import EvtProcess
import EvtServices
import Logging

#if canImport(Glibc)
  import Glibc
#endif

struct Subscribe: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "subscribe",
    _superCommandName: "evt",
    abstract: "Receive events: live, or durably as a member of a consumer group.",
    discussion: """
      Without --group every subscriber sees every new event (nothing is acknowledged). With --group, subscribers with the same group share the work and each event is acknowledged only after it was handled: printed, or its --exec command exited 0. A failed event stays pending. The group is created on first use at the start of the retained history (--start latest to skip it).

      --exec runs the command through /bin/sh -c for each event, with the envelope on standard input and EVT_ID, EVT_TYPE, EVT_STREAM_ID, EVT_DELIVERY (group deliveries), EVT_ATTEMPT (attempts in this process), EVT_CORRELATION_ID, EVT_CAUSATION_ID, TRACEPARENT (W3C) and EVT_HEADER_<NAME> for each header in its environment. An 'evt publish' run by the command carries the flow on: correlation id, the handled event as causation id, and the trace.

      A group checks each event against the schema of the version it carries (see evt schema) and dead-letters a breach or an unknown version. Without --group, --validate makes the same check and logs a breach as a warning on standard error; the event is still handled.

      With --group, the processing figures are kept in Redis for 'evt stats'; --metrics-addr serves Prometheus metrics, /healthz and /readyz; --heartbeat-file is touched on every turn of the loop. Log lines (reconnects, handler problems) go to standard error as text, json or logfmt (--log-format).

      SIGINT/SIGTERM finish the event in hand, acknowledge it and exit 0. Exit codes: 0 done, 1 some event was dead-lettered or left pending, 75 --timeout passed without an event.

      Examples:
        evt subscribe 'user.*'
        evt subscribe --group mailer --exec 'jq -r .data.email >> sent.txt' user.created
        evt subscribe --group ci --count 1 --timeout 30 order.placed
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var output: OutputOptions
  @OptionGroup var streaming: StreamingOptions

  @Argument(help: ArgumentHelp("Event types or globs ('*' for all).", valueName: "type|pattern"))
  var types: [String]

  @Option(name: .shortAndLong, help: ArgumentHelp("Consume durably as a member of this consumer group.", valueName: "group"))
  var group: String?

  @Option(help: ArgumentHelp("Consumer name within the group (default: HOST-PID).", valueName: "name"))
  var consumer: String?

  @Option(help: ArgumentHelp("Where a new group starts: beginning (default), latest, or a stream id.", valueName: "where"))
  var start: String?

  @Option(help: ArgumentHelp("Run this shell command for each event (envelope on stdin).", valueName: "command"))
  var exec: String?

  @Flag(
    name: .customLong("validate"),
    help: "Without --group: check each event against its schema version and log a breach; every event is still handled.")
  var checkSchemas = false

  @OptionGroup(title: "Retries, dead letters and crash recovery (with --group)") var recovery: GroupRecoveryOptions

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "On SIGINT/SIGTERM/SIGHUP, how long a running --exec command may finish before it is stopped and its event left pending.",
      valueName: "duration"))
  var shutdownTimeout = DurationArgument(milliseconds: 30_000)

  @OptionGroup(title: "Logs, metrics and health") var operations: OperationsOptions

  @Option(name: .shortAndLong, parsing: .unconditional, help: ArgumentHelp("Exit after handling N events.", valueName: "n"))
  var count: Int?

  @Flag(help: "Exit once every available event has been handled.")
  var untilEmpty = false

  @Flag(help: "With --until-empty and --group: wait while other consumers still hold events, instead of ending.")
  var waitPending = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Exit with code 75 when no event arrives for this long, like 30s or 1h30m.", valueName: "duration"))
  var timeout: DurationArgument?

  func validate() throws {
    if let count, count < 1 { throw ValidationError("--count must be 1 or more") }
    try timeout?.check("--timeout", DurationArgument.oneMillisecondToThirtyDays)
    if group == nil {
      if consumer != nil { throw ValidationError("--consumer needs --group") }
      if start != nil { throw ValidationError("--start needs --group") }
      if waitPending { throw ValidationError("--wait-pending needs --group") }
      if operations.metricsAddr != nil { throw ValidationError("--metrics-addr needs --group") }
      if operations.heartbeatFile != nil { throw ValidationError("--heartbeat-file needs --group") }
    } else if checkSchemas {
      throw ValidationError("--validate is for subscribers without --group: a group checks every event and dead-letters a breach")
    }
    if waitPending && !untilEmpty { throw ValidationError("--wait-pending needs --until-empty") }
    if let start, groupStart(start) == nil {
      throw ValidationError("--start '\(Printable.escaped(start))' must be beginning, latest, or a stream id like 1764237600000-0")
    }
    if let exec, exec.allSatisfy(\.isWhitespace) { throw ValidationError("--exec needs a command") }
    try shutdownTimeout.check("--shutdown-timeout", DurationArgument.zeroToADay)
    do {
      if let group { try GroupConsumer.validateGroupName(group) }
      if let consumer { try GroupConsumer.validateConsumerName(consumer) }
    } catch {
      throw ValidationError(error.message)
    }
  }

  func run() throws {
    let selection = try TypeSelection(types)
    let front = try ConsumerFrontEnd("evt.subscribe", connection: connection, operations: operations, metadata: logMetadata)
    let printer = exec == nil ? PrintHandler(format: output.format, eachLine: streaming.writesEachLine) : nil
    let handler: DeliveryHandler = printer ?? front.execHandler(exec!, shutdownTimeout: shutdownTimeout.seconds)
    // A closed output (the reader of a pipe went away) ends the subscription like a signal.
    let shouldStop = { Shutdown.isRequested || printer?.outputClosed == true || Terminal.outputClosed() }
    guard group != nil else {
      return try report(front.runLive(selection, limits: limits, validate: checkSchemas, handler: handler, shouldStop: shouldStop), printer)
    }
    let options = workerOptions(front, selection)
    let worker = try GroupWorker(options: options, keys: front.keys, connect: try connection.connector(), logger: front.logger) { _ in
      handler
    }
    try report(front.run(worker, shouldStop: shouldStop), printer)
  }

  private var consumerName: String { consumer ?? GroupConsumer.defaultName() }

  /// With --group, the group and consumer are in every log line.
  private var logMetadata: Logger.Metadata {
    group.map { ["group": "\($0)", "consumer": "\(consumerName)"] } ?? [:]
  }

  private func workerOptions(_ front: ConsumerFrontEnd, _ selection: TypeSelection) -> GroupWorker.Options {
    var options = front.workerOptions(group: group!, consumer: consumerName, selection: selection, recovery: recovery)
    options.start = groupStart(start ?? "beginning")!
    options.limits = limits
    options.readAhead = exec == nil  // printing is fast: the next batch may be read while this one is printed
    options.contracts = ServiceTypes.contracts
    return options
  }

  /// One event at a time with --exec, so a shutdown leaves nothing fetched but unhandled.
  private var limits: SubscriptionLimits {
    SubscriptionLimits(
      count: count, untilEmpty: untilEmpty, idleTimeout: timeout?.seconds, batchSize: exec == nil ? 500 : 1, waitPending: waitPending)
  }

  /// Says how the subscription ended, and exits with the code that tells scripts.
  private func report(_ outcome: SubscriptionOutcome, _ printer: PrintHandler?) throws {
    if printer?.outputClosed == true || (!Shutdown.isRequested && outcome.end == .stopped && Terminal.outputClosed()) {
      // What was written is acknowledged; the rest went back to the group. Quietly, like
      // any tool whose reader went away.
      throw CommandExit(code: EvtExit.outputClosed)
    }
    if outcome.end == .timedOut {
      Terminal.error("no event arrived within \(timeout!) (handled \(outcome.handled))")
      throw CommandExit(code: EvtExit.timeout)
    }
    if outcome.end == .stopped {
      if outcome.givenBack > 0 {
        Terminal.note(
          "stopped; \(outcome.givenBack) fetched event\(outcome.givenBack == 1 ? " was" : "s were") not printed and stay\(outcome.givenBack == 1 ? "s" : "") pending for the group"
        )
      }
      if outcome.failed > 0 {
        Terminal.note("stopped; \(outcome.failed) event\(outcome.failed == 1 ? "" : "s") left pending for redelivery")
      }
      if outcome.deadLettered == 0 { return }
    }
    if outcome.failed > 0 || outcome.deadLettered > 0 || !outcome.pendingElsewhere.isEmpty {
      var parts: [String] = []
      if outcome.deadLettered > 0 { parts.append("\(outcome.deadLettered) dead-lettered (see evt replay-dlq --list)") }
      if outcome.failed > 0 { parts.append("\(outcome.failed) left pending") }
      if !outcome.pendingElsewhere.isEmpty { parts.append(PendingElsewhere.describe(outcome.pendingElsewhere)) }
      Terminal.error("handled \(outcome.handled) events; " + parts.joined(separator: "; "))
      throw CommandExit(code: EvtExit.failure)
    }
  }

  private func groupStart(_ text: String) -> GroupStart? {
    switch text {
    case "beginning", "0": return .beginning
    case "latest", "$": return .latest
    default: return StreamID(text).map(GroupStart.after)
    }
  }
}
