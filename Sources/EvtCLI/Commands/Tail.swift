import ArgumentParser
import EvtBus

struct Tail: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tail",
    abstract: "Print the latest events, and with -f new ones as they arrive.",
    discussion: """
      Shows the last N events of the given types (all types by default; globs like 'user.*' are matched against every type ever published), merged in time order. Nothing is acknowledged or changed: tail only reads.

      --since takes an ISO-8601 time (2026-11-27T10:00:00Z), a duration ago (90s, 15m, 2h, 1d) or a stream id (1764237600000-0); without -n it then prints every event since.

      Examples:
        evt tail -n 20 'user.*'
        evt tail -f --since 10m
        evt tail --json -n 1000 > events.ndjson
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var output: OutputOptions

  @Argument(help: ArgumentHelp("Event types or globs (default: all).", valueName: "type|pattern"))
  var types: [String] = []

  @Option(name: .customShort("n"), help: ArgumentHelp("How many of the latest events to print (default 10).", valueName: "n"))
  var count: Int?

  @Flag(name: .shortAndLong, help: "Keep printing new events until interrupted.")
  var follow = false

  @Option(help: ArgumentHelp("Start at an ISO-8601 time, a duration ago (15m) or a stream id.", valueName: "time|id"))
  var since: String?

  func validate() throws {
    if let count, count < 0 { throw ValidationError("-n must be 0 or more") }
    if let since, SinceParser.parse(since) == nil {
      throw ValidationError("--since '\(since)' is not an ISO-8601 time, a duration like 15m, or a stream id")
    }
  }

  func run() throws {
    let selection = try TypeSelection(types)
    try connection.check()
    let redis = try connection.connect()
    let watcher = StreamWatcher(connection: redis, keys: try connection.keys(), selection: selection)
    let request = TailRequest(last: count ?? (since == nil ? 10 : nil), since: since.flatMap(SinceParser.parse), follow: follow)
    if follow { Shutdown.install() }
    let out = OutputBuffer()
    let format = output.format
    let reconnect = Reconnect(connection: redis) { Terminal.note($0) }
    try watcher.tail(request, reconnect: reconnect, shouldStop: { Shutdown.isRequested }) { (batch) throws(BusError) in
      for entry in batch { try out.event(entry, format) }
      try out.flush()
    }
  }
}

/// Parses `--since` values into the first stream id to include.
enum SinceParser {
  static func parse(_ text: String) -> StreamID? {
    if text.first?.isNumber == true, text.allSatisfy({ $0.isNumber || $0 == "-" }), let id = StreamID(text) {
      return id
    }
    if let unit = text.last, let n = Int(text.dropLast()), n >= 0 {
      let ms: Int64
      switch unit {
      case "s": ms = 1000
      case "m": ms = 60_000
      case "h": ms = 3_600_000
      case "d": ms = 86_400_000
      default: return nil
      }
      return StreamID(milliseconds: UInt64(max(0, EventTime.now().milliseconds - Int64(n) * ms)))
    }
    if let t = EventTime(iso: text), t.milliseconds >= 0 { return StreamID(milliseconds: UInt64(t.milliseconds)) }
    return nil
  }
}
