import ArgumentParser
import EvtBus
import EvtProcess

struct Stats: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats",
    _superCommandName: "evt",
    abstract: "Show streams, consumer groups, lag, dead letters and processing times.",
    discussion: """
      Per type: stream length, first and last event time and events added in the last minute. Per consumer group on it: lag (entries the group has not read yet; "unknown" where Redis cannot tell), pending (read, not acknowledged), how long the oldest pending entry has waited, and each consumer with its idle time. Per group and type: dead letters (size, oldest), and what the group's workers recorded over --window: handled, retried, failed, dead-lettered, processing time p50/p95/p99 (within 12.5%). Nothing is changed.

      --check takes thresholds, comma-separated: lag, pending, idle (oldest pending entry's wait), dlq (dead letters) or length, an operator (< <= > >= = !=) and a number (a duration for idle). It prints nothing when all hold; otherwise one line per broken threshold on standard error and exit 1.

      Examples:
        evt stats
        evt stats 'order.*' --json | jq '.types[].groups[].lag'
        evt stats --watch --interval 1s
        evt stats --check 'lag<1000,dlq=0,idle<5m'
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: ArgumentHelp("Event types or globs (default: all).", valueName: "type|pattern"))
  var types: [String] = []

  @Flag(help: "Print one JSON object (with --watch, one per line).")
  var json = false

  @Flag(help: "Redraw every --interval until interrupted (in place on a terminal, like top).")
  var watch = false

  @Option(parsing: .unconditional, help: ArgumentHelp("With --watch: time between redraws.", valueName: "duration"))
  var interval = DurationArgument(milliseconds: 2000)

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Processing figures over this last stretch (whole minutes, up to 2h).", valueName: "duration"))
  var window = DurationArgument(milliseconds: 300_000)

  @Option(help: ArgumentHelp("Exit 1 naming each threshold broken, like 'lag<1000,dlq=0,idle<5m'.", valueName: "thresholds"))
  var check: String?

  func validate() throws {
    try interval.check("--interval", 100...DurationArgument.day)
    try window.check("--window", 60_000...7_200_000)
    if check != nil && watch { throw ValidationError("--check and --watch cannot be used together") }
    if check != nil && json { throw ValidationError("--check and --json cannot be used together") }
    if let check { do { _ = try StatsCheck(check) } catch { throw ValidationError(error.message) } }
  }

  func run() throws {
    let selection = try TypeSelection(types)
    try connection.check()
    let stats = StreamStats(connection: try connection.connectReading(), keys: try connection.keys())
    let minutes = Int(window.milliseconds / 60_000)
    if let check {
      let types = try stats.collect(selection, windowMinutes: minutes)
      StatsView.warnUnreadable(types)
      let broken = try StatsCheck(check).broken(types)
      for line in broken { Terminal.error(line) }
      if !broken.isEmpty { throw CommandExit(code: EvtExit.failure) }
      return
    }
    let out = OutputBuffer()
    let redraw = watch && !json && Terminal.isTerminal(1)
    if watch { Shutdown.install() }
    if redraw { try out.line(Array("\u{1B}[2J".utf8)) }
    repeat {
      let now = EventTime.now()
      let types = try stats.collect(selection, windowMinutes: minutes, now: now)
      if !redraw { StatsView.warnUnreadable(types) }
      if json {
        try out.line(StatsView.json(types, now: now, windowMinutes: minutes))
      } else if redraw {
        // Like top: from the top left, each line over the old one, the rest of the old screen
        // cleared (no blank frame between two).
        let lines =
          ["evt stats  \(now.iso)  every \(interval)  (Ctrl-C to stop)"] + StatsView.lines(types, now: now, windowMinutes: minutes)
        try out.line(Array("\u{1B}[H".utf8) + Array(lines.joined(separator: "\u{1B}[K\n").utf8) + Array("\u{1B}[K\u{1B}[J".utf8))
      } else {
        for line in StatsView.lines(types, now: now, windowMinutes: minutes) { try out.line(Array(line.utf8)) }
        if watch { try out.line([]) }
      }
      try out.flush()
      if watch { sleepSeconds(interval.seconds, unless: { Shutdown.isRequested }) }
    } while watch && !Shutdown.isRequested
  }
}

/// How `evt stats` shows its figures.
enum StatsView {
  /// One line on standard error per per-minute figures key that could not be read; the rest
  /// of the figures are shown (and judged) without it.
  static func warnUnreadable(_ types: [TypeStats]) {
    for t in types {
      for g in t.groups {
        for key in g.processing.unreadable {
          Terminal.note("warning: \(key) is not a hash of processing figures; left out of group \(g.name)'s figures")
        }
      }
    }
  }

  static func lines(_ types: [TypeStats], now: EventTime, windowMinutes: Int) -> [String] {
    if types.isEmpty { return ["no event types yet"] }
    var out: [String] = []
    for t in types {
      let rate = t.lastMinute >= StreamStats.rateCap ? "≥\(t.lastMinute)" : String(t.lastMinute)
      out.append(
        "\(Printable.escaped(t.type))  length \(t.length)  first \(t.first.map { $0.time.iso } ?? "-")  last \(t.last.map { $0.time.iso } ?? "-")  last minute \(rate)"
      )
      var rows = [["  GROUP", "LAG", "PENDING", "OLDEST-IDLE", "CONSUMERS", "HANDLED", "RETRIED", "FAILED", "DEAD", "P50", "P95", "P99"]]
      for g in t.groups {
        let p = g.processing
        rows.append([
          "  " + Printable.escaped(g.name), g.lag.map(String.init) ?? "unknown", String(g.pending),
          g.oldestPendingIdleMilliseconds.map(Pending.duration) ?? "-",
          String(g.consumers.count), String(p.handled), String(p.retried), String(p.failed), String(p.deadLettered),
          time(p.percentile(0.5)), time(p.percentile(0.95)), time(p.percentile(0.99)),
        ])
      }
      if t.groups.isEmpty { rows = [["  (no consumer groups)"]] }
      out += TextTable.lines(rows)
      for g in t.groups where !g.consumers.isEmpty {
        let list = g.consumers.map {
          "\(Printable.escaped($0.name)) (pending \($0.pending), idle \(Pending.duration($0.idleMilliseconds)))"
        }
        out.append("  consumers of \(Printable.escaped(g.name)): " + list.joined(separator: ", "))
      }
      for d in t.deadLetters {
        out.append("  dead letters of \(Printable.escaped(d.group)): \(d.size), oldest \(d.oldest.map { $0.time.iso } ?? "-")")
      }
    }
    out.append("(processing figures: last \(windowMinutes) minute\(windowMinutes == 1 ? "" : "s"))")
    return out
  }

  static func time(_ us: Int64?) -> String {
    guard let us else { return "-" }
    if us < 1000 { return "\(us)µs" }
    if us < 1_000_000 { return String(format1(Double(us) / 1000)) + "ms" }
    return String(format1(Double(us) / 1_000_000)) + "s"
  }

  private static func format1(_ v: Double) -> String {
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }

  static func json(_ types: [TypeStats], now: EventTime, windowMinutes: Int) -> [UInt8] {
    func n(_ v: Int) -> JSONValue { .number(String(v)) }
    func optional(_ v: Int?) -> JSONValue { v.map(n) ?? .null }
    func id(_ v: StreamID?) -> JSONValue { v.map { .string($0.description) } ?? .null }
    func time(_ v: StreamID?) -> JSONValue { v.map { .string($0.time.iso) } ?? .null }
    func ms(_ us: Int64?) -> JSONValue { us.map { .number(String(Double($0) / 1000)) } ?? .null }
    let list = types.map { t -> JSONValue in
      .object([
        .init("type", .string(t.type)), .init("length", n(t.length)), .init("firstId", id(t.first)), .init("firstTime", time(t.first)),
        .init("lastId", id(t.last)), .init("lastTime", time(t.last)), .init("lastMinute", n(t.lastMinute)),
        .init(
          "groups",
          .array(
            t.groups.map { g in
              let p = g.processing
              return .object([
                .init("group", .string(g.name)), .init("lag", optional(g.lag)), .init("entriesRead", optional(g.entriesRead)),
                .init("lastDeliveredId", id(g.lastDelivered)), .init("pending", n(g.pending)),
                .init("oldestPendingIdleMs", optional(g.oldestPendingIdleMilliseconds)),
                .init(
                  "consumers",
                  .array(
                    g.consumers.map {
                      .object([.init("name", .string($0.name)), .init("pending", n($0.pending)), .init("idleMs", n($0.idleMilliseconds))])
                    })),
                .init(
                  "processing",
                  .object([
                    .init("handled", n(p.handled)), .init("retried", n(p.retried)), .init("failed", n(p.failed)),
                    .init("deadLettered", n(p.deadLettered)), .init("p50Ms", ms(p.percentile(0.5))), .init("p95Ms", ms(p.percentile(0.95))),
                    .init("p99Ms", ms(p.percentile(0.99))),
                    .init("unreadableKeys", .array(p.unreadable.map { .string($0) })),
                  ])),
              ])
            })),
        .init(
          "deadLetters",
          .array(
            t.deadLetters.map {
              .object([.init("group", .string($0.group)), .init("size", n($0.size)), .init("oldestTime", time($0.oldest))])
            })),
      ])
    }
    return JSONValue.object([.init("time", .string(now.iso)), .init("windowMinutes", n(windowMinutes)), .init("types", .array(list))])
      .serialized
  }
}
