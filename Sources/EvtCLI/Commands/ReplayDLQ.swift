import ArgumentParser
import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

struct ReplayDLQ: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay-dlq",
    _superCommandName: "evt",
    abstract: "List, replay or purge dead letters.",
    discussion: """
      Replaying sends each selected dead letter back to the group that failed it (NS:{<type>}:replay:GROUP, read by that group's consumers beside their type streams); other groups that handled the event never see it again. Each entry leaves the dead letters in the same step that re-queues it. The replayed envelope keeps its id and gains a replayedAt header.

      Examples:
        evt replay-dlq --list
        evt replay-dlq --group email-worker --type 'order.*' --dry-run
        evt replay-dlq --group email-worker --error 'unknown user'
        evt replay-dlq --group email-worker --purge --yes
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var output: OutputOptions

  @Option(name: .shortAndLong, help: ArgumentHelp("Only this group's dead letters (default: every group).", valueName: "group"))
  var group: String?

  @Option(help: ArgumentHelp("Only events of this type or glob.", valueName: "type"))
  var type: String?

  @Option(help: ArgumentHelp("Only the event with this id.", valueName: "id"))
  var id: String?

  @Option(help: ArgumentHelp("Only dead letters since an ISO-8601 time, a duration ago (15m) or a stream id.", valueName: "time"))
  var since: String?

  @Option(help: ArgumentHelp("Only dead letters whose error contains this text.", valueName: "text"))
  var error: String?

  @Option(parsing: .unconditional, help: ArgumentHelp("At most N dead letters (per group).", valueName: "n"))
  var limit: Int?

  @Flag(help: "Print the dead letters; change nothing.")
  var list = false

  @Flag(help: "Say what would be replayed; change nothing.")
  var dryRun = false

  @Flag(help: "Delete the selected dead letters for good.")
  var purge = false

  @Flag(help: "Do not ask before purging (needed when not on a terminal).")
  var yes = false

  func validate() throws {
    if [list, dryRun, purge].filter({ $0 }).count > 1 { throw ValidationError("--list, --dry-run and --purge exclude each other") }
    if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
    try SinceParser.validate(since)
    if let type { try validatePattern(type) }
    if let group {
      do { try GroupConsumer.validateGroupName(group) } catch { throw ValidationError(error.message) }
    }
  }

  private func validatePattern(_ text: String) throws {
    do { try EventType.validatePattern(text) } catch { throw ValidationError(error.message) }
  }

  func run() throws {
    try connection.check()
    let store = DeadLetterStore(connection: try connection.connectReading(), keys: try connection.keys())
    let filter = DeadLetterFilter(type: type, eventID: id, since: since.flatMap(SinceParser.parse), errorText: error)
    var letters: [DeadLetter] = []
    for g in try group.map({ [$0] }) ?? store.groups() {
      letters += try store.list(group: g, filter: filter, limit: limit)
    }
    let out = OutputBuffer()
    if list {
      for d in letters {
        try out.line(output.format == .json ? d.json : Array(Self.readable(d).utf8))
      }
      return try out.flush()
    }
    if dryRun {
      for d in letters { try out.line(Array("would replay \(Self.readable(d))".utf8)) }
      try out.flush()
      return Terminal.note("\(letters.count) dead letter\(letters.count == 1 ? "" : "s") would be replayed")
    }
    if purge { return try purgeAll(letters, store) }

    let progress = Terminal.isTerminal(2) && letters.count > 100 ? ProgressLine() : nil
    let outcome = try store.replayAll(letters, group: group) { done in
      progress?.show("replayed \(done)/\(letters.count)", force: done == letters.count)
    }
    progress?.end()
    for message in outcome.skipped { Terminal.note(message) }
    let replayed = outcome.replayed
    let skipped = outcome.skipped.count
    Terminal.note("replayed \(replayed) dead letter\(replayed == 1 ? "" : "s")" + (skipped > 0 ? "; \(skipped) could not be replayed" : ""))
  }

  private func purgeAll(_ letters: [DeadLetter], _ store: DeadLetterStore) throws {
    guard !letters.isEmpty else { return Terminal.note("no dead letters to purge") }
    if !yes {
      guard Terminal.isTerminal(0) else {
        throw BusError(.invalidArgument, "refusing to purge \(letters.count) dead letters without --yes (not on a terminal)")
      }
      Terminal.writeAll(2, Array("Delete \(letters.count) dead letter\(letters.count == 1 ? "" : "s") for good? [y/N] ".utf8))
      guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { return Terminal.note("nothing purged") }
    }
    let n = try store.purge(letters)
    Terminal.note("purged \(n) dead letter\(n == 1 ? "" : "s")")
  }

  /// One line per dead letter; every field is escaped (they hold event content and error
  /// text from handlers).
  static func readable(_ d: DeadLetter) -> String {
    let time = d.fields["time"] ?? d.dlqID.time.iso
    let parts = [
      time, d.group, d.type, d.eventID ?? "(not an envelope)", "attempts=\(d.fields["attempts"] ?? "?")", d.error,
    ]
    return parts.map(Printable.escaped).joined(separator: "  ")
  }
}
