import ArgumentParser
import EvtBus

struct Trim: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trim",
    _superCommandName: "evt",
    abstract: "Remove old events that every consumer group has finished with.",
    discussion: """
      Trims each selected type's stream to --maxlen entries or --max-age, but never removes an entry some consumer group has not read yet or not acknowledged: the lowest id any group still needs (its first pending entry, else the entry after its last-delivered id) bounds the trim. One line per stream says what went, and what was kept and for which group. Each group's replay stream (events replayed from its dead letters) is trimmed to what the group has acknowledged. With --dead-letters, each group's dead letters are trimmed to the same --maxlen / --max-age (they are read by no group).

      --ignore-groups trims to the target even where groups have not finished (like XTRIM). --dry-run changes nothing and says what would go.

      Examples:
        evt trim --max-age 7d
        evt trim order.placed --maxlen 100000 --dry-run
        evt trim --maxlen 0 --dead-letters 'event.*'
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: ArgumentHelp("Event types or globs (default: all).", valueName: "type|pattern"))
  var types: [String] = []

  @Option(parsing: .unconditional, help: ArgumentHelp("Keep at most the newest N entries of each stream.", valueName: "n"))
  var maxlen: Int?

  @Option(parsing: .unconditional, help: ArgumentHelp("Remove entries older than this, like 7d or 12h.", valueName: "duration"))
  var maxAge: DurationArgument?

  @Flag(help: "Also trim each group's dead letters to --maxlen / --max-age.")
  var deadLetters = false

  @Flag(help: "Trim to the target even where a group has not read or acknowledged the entries.")
  var ignoreGroups = false

  @Flag(help: "Change nothing; say what would be removed.")
  var dryRun = false

  @Flag(help: "One JSON object per stream instead of a line of text.")
  var json = false

  func validate() throws {
    if (maxlen == nil) == (maxAge == nil) { throw ValidationError("give exactly one of --maxlen N and --max-age DURATION") }
    if let maxlen, !(0...1_000_000_000_000).contains(maxlen) { throw ValidationError("--maxlen must be between 0 and 10^12") }
    try maxAge?.check("--max-age", 1...DurationText.maxMilliseconds)
  }

  func run() throws {
    let selection = try TypeSelection(types)
    try connection.check()
    let retention = Retention(connection: try connection.connectReading(), keys: try connection.keys())
    let target: TrimTarget =
      maxlen.map { .maxLength($0) } ?? .before(EventTime(milliseconds: EventTime.now().milliseconds - maxAge!.milliseconds))
    let results = try retention.trim(selection, to: target, ignoringGroups: ignoreGroups, deadLetters: deadLetters, dryRun: dryRun)
    let out = OutputBuffer()
    for r in results {
      if json {
        try out.line(
          JSONValue.object([
            .init("type", .string(r.type)), .init("kind", .string(r.kind.rawValue)), .init("group", r.group.map { .string($0) } ?? .null),
            .init("key", .string(r.key)), .init("removed", .number(String(r.removed))), .init("kept", .number(String(r.kept))),
            .init("heldBy", r.heldBy.map { .string($0.group) } ?? .null),
            .init("firstNeeded", r.heldBy.map { .string($0.firstNeeded.description) } ?? .null), .init("dryRun", .bool(dryRun)),
          ]).serialized)
        continue
      }
      var what = "\(Printable.escaped(r.type)) \(r.kind.rawValue)"
      if let group = r.group { what += " of \(Printable.escaped(group))" }
      var line = "\(what): \(dryRun ? "would remove" : "removed") \(r.removed) entr\(r.removed == 1 ? "y" : "ies")"
      if let held = r.heldBy, r.kept > 0 {
        line +=
          "; kept \(r.kept) for group \(Printable.escaped(held.group)), which has not finished \(held.firstNeeded) (\(held.firstNeeded.time.iso)) and later ones"
      }
      try out.line(Array(line.utf8))
    }
    try out.flush()
  }
}
