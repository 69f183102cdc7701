import ArgumentParser
import EvtBus
import EvtProcess
import EvtServices

struct Tail: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tail",
    _superCommandName: "evt",
    abstract: "Print the latest events, and with -f new ones as they arrive.",
    discussion: """
      Shows the last N events of the given types (all types by default; globs like 'user.*' are matched against every type ever published), merged in time order. Nothing is acknowledged or changed: tail only reads.

      --validate checks each event against the schema of the version it carries (see evt schema) and reports a breach or an unknown version on standard error, one line each; every event is still printed and the exit code is unchanged.

      --since takes an ISO-8601 time (2026-11-27T10:00:00Z), a duration ago (90s, 15m, 2h, 1d) or a stream id (1764237600000-0); without -n it then prints every event since.

      Examples:
        evt tail -n 20 'user.*'
        evt tail -f --since 10m
        evt tail --json -n 1000 > events.ndjson
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var output: OutputOptions
  @OptionGroup var streaming: StreamingOptions

  @Argument(help: ArgumentHelp("Event types or globs (default: all).", valueName: "type|pattern"))
  var types: [String] = []

  @Option(
    name: .customShort("n"), parsing: .unconditional,
    help: ArgumentHelp("How many of the latest events to print (default 10).", valueName: "n"))
  var count: Int?

  @Flag(name: .shortAndLong, help: "Keep printing new events until interrupted.")
  var follow = false

  @Option(help: ArgumentHelp("Start at an ISO-8601 time, a duration ago (15m) or a stream id.", valueName: "time|id"))
  var since: String?

  @Flag(
    name: .customLong("validate"),
    help: "Check each event against its schema version and report a breach on standard error; every event is still printed.")
  var checkSchemas = false

  func validate() throws {
    if let count, !(0...10_000_000).contains(count) { throw ValidationError("-n must be between 0 and 10000000") }
    try SinceParser.validate(since)
  }

  func run() throws {
    let selection = try TypeSelection(types)
    try connection.check()
    let redis = try connection.connectReading()
    let keys = try connection.keys()
    let watcher = StreamWatcher(connection: redis, keys: keys, selection: selection)
    let validation = checkSchemas ? SchemaValidation(connection: redis, keys: keys, builtIns: ServiceTypes.contracts) : nil
    let request = TailRequest(last: count ?? (since == nil ? 10 : nil), since: since.flatMap(SinceParser.parse), follow: follow)
    if follow { Shutdown.install() }
    let out = OutputBuffer()
    let format = output.format
    let reconnect = Reconnect(connection: redis) { Terminal.note($0) }
    // With -f, a reader that went away ends tail at once, not at the next event.
    let shouldStop = { Shutdown.isRequested || (follow && Terminal.outputClosed()) }
    let eachLine = streaming.writesEachLine
    try watcher.tail(request, reconnect: reconnect, shouldStop: shouldStop) { (batch) throws(BusError) in
      for entry in batch {
        if let problem = try validation?.problem(entry) {
          try out.flush()  // the report follows the events before it
          Terminal.note(problem)
        }
        try out.event(entry, format)
        if eachLine { try out.flush() }
      }
      try out.flush()
    }
    if follow && !Shutdown.isRequested && Terminal.outputClosed() { throw CommandExit(code: EvtExit.outputClosed) }
  }
}
