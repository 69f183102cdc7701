import ArgumentParser
import EvtBus

struct Subscribe: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "subscribe",
    abstract: "Receive events: live, or durably as a member of a consumer group.",
    discussion: """
      Without --group every subscriber sees every new event (nothing is acknowledged). With --group, subscribers with the same group share the work and each event is acknowledged only after it was handled: printed, or its --exec command exited 0. A failed event stays pending. The group is created on first use at the start of the retained history (--start latest to skip it).

      --exec runs the command through /bin/sh -c for each event, with the envelope on standard input and EVT_ID, EVT_TYPE, EVT_STREAM_ID, EVT_DELIVERY (group deliveries) and EVT_ATTEMPT (attempts in this process) in its environment.

      SIGINT/SIGTERM finish the event in hand, acknowledge it and exit 0. Exit codes: 0 done, 1 some event was dead-lettered or left pending, 75 --timeout passed without an event.

      Examples:
        evt subscribe 'user.*'
        evt subscribe --group mailer --exec 'jq -r .data.email >> sent.txt' user.created
        evt subscribe --group ci --count 1 --timeout 30 order.placed
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var output: OutputOptions

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

  @OptionGroup(title: "Retries, dead letters and crash recovery (with --group)") var recovery: GroupRecoveryOptions

  @Option(
    help: ArgumentHelp(
      "On SIGINT/SIGTERM, how long a running --exec command may finish before it is stopped and its event left pending.",
      valueName: "seconds"))
  var shutdownTimeout: Double = 30

  @Option(name: .shortAndLong, help: ArgumentHelp("Exit after handling N events.", valueName: "n"))
  var count: Int?

  @Flag(help: "Exit once every available event has been handled.")
  var untilEmpty = false

  @Option(help: ArgumentHelp("Exit with code 75 when no event arrives for this many seconds.", valueName: "seconds"))
  var timeout: Double?

  func validate() throws {
    if let count, count < 1 { throw ValidationError("--count must be 1 or more") }
    if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be more than 0 seconds") }
    if group == nil {
      if consumer != nil { throw ValidationError("--consumer needs --group") }
      if start != nil { throw ValidationError("--start needs --group") }
    }
    if let start, groupStart(start) == nil {
      throw ValidationError("--start '\(start)' must be beginning, latest, or a stream id like 1764237600000-0")
    }
    if let exec, exec.allSatisfy(\.isWhitespace) { throw ValidationError("--exec needs a command") }
    if !(shutdownTimeout >= 0 && shutdownTimeout <= 86_400) {
      throw ValidationError("--shutdown-timeout must be between 0 and 86400 seconds")
    }
  }

  func run() throws {
    let selection = try TypeSelection(types)
    try connection.check()
    let keys = try connection.keys()
    let handler: DeliveryHandler
    if let exec {
      handler = ExecHandler(command: exec, shutdownTimeout: shutdownTimeout) { Terminal.note($0) }
    } else {
      handler = PrintHandler(format: output.format)
    }
    // One event at a time with --exec, so a shutdown leaves nothing fetched but unhandled.
    let limits = SubscriptionLimits(count: count, untilEmpty: untilEmpty, idleTimeout: timeout, batchSize: exec == nil ? 500 : 1)
    let redis = try connection.connect()
    let reconnect = Reconnect(connection: redis) { Terminal.note($0) }
    Shutdown.install()
    let outcome: SubscriptionOutcome
    if let group {
      let member = try GroupConsumer(
        connection: redis, keys: keys, group: group, consumer: consumer ?? GroupConsumer.defaultName(),
        selection: selection, start: groupStart(start ?? "beginning")!)
      member.claimIdleMilliseconds = recovery.claimIdleMilliseconds
      outcome = try Subscription.run(
        group: member, limits: limits, handler: handler,
        retry: recovery.retry, deadLetters: DeadLetterQueue(connection: redis, keys: keys, group: group),
        maxDeliveries: recovery.maxDeliveries,
        reconnect: reconnect
      ) { Shutdown.isRequested }
    } else {
      let watcher = StreamWatcher(connection: redis, keys: keys, selection: selection)
      try watcher.startAtEnd()
      outcome = try Subscription.run(live: watcher, limits: limits, handler: handler, reconnect: reconnect) { Shutdown.isRequested }
    }
    if outcome.end == .timedOut {
      let seconds = timeout! == timeout!.rounded() ? String(Int(timeout!)) : String(timeout!)
      Terminal.error("no event arrived within \(seconds) seconds (handled \(outcome.handled))")
      throw CommandExit(code: EvtExit.timeout)
    }
    if outcome.end == .stopped {
      if outcome.failed > 0 {
        Terminal.note("stopped; \(outcome.failed) event\(outcome.failed == 1 ? "" : "s") left pending for redelivery")
      }
      if outcome.deadLettered == 0 { return }
    }
    if outcome.failed > 0 || outcome.deadLettered > 0 {
      var parts: [String] = []
      if outcome.deadLettered > 0 { parts.append("\(outcome.deadLettered) dead-lettered (see evt replay-dlq --list)") }
      if outcome.failed > 0 { parts.append("\(outcome.failed) left pending") }
      Terminal.error("handled \(outcome.handled) events; " + parts.joined(separator: ", "))
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

/// Prints each delivery; in a group the batch is acknowledged only once it was written out.
final class PrintHandler: DeliveryHandler {
  let format: EventFormat
  let out = OutputBuffer()

  init(format: EventFormat) { self.format = format }

  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    for d in batch { try out.event(d.entry, format) }
    try out.flush()
    return HandlerResult(succeeded: batch.map(\.entry))
  }
}
