import ArgumentParser
import EvtBus

struct Migrate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    _superCommandName: "evt",
    abstract: "Move a namespace's data from the key layout of an earlier evt to the current one.",
    discussion: """
      Earlier versions kept a type's events in NS:stream:<type>, dead letters per group in NS:dlq:<group>, done markers in NS:done:<group>:<type>:<id> and users in NS:user:<id>. Now every key of a type carries the type as its hash tag (NS:{<type>}:stream, NS:{<type>}:dlq:<group>, …) so a Redis Cluster spreads types over its masters. Readers refuse a namespace that still has old keys until it is migrated.

      Stream ids, consumer groups with their pending entries, and expiry times are kept. Stop the namespace's consumers first; publishers may keep running: a type stream already written under the new layout is merged into a copy (the old entries first, then the new, in steps of at most 500 entries per call into Redis) that replaces it in one script once it has caught up, so no event a publisher confirmed meanwhile is lost. Safe to run again after an interruption. Prints what was moved.

      Old keys that are not what an earlier evt wrote (a type's stream that is not a stream, a type or group name the current layout cannot hold) are listed and nothing is moved (exit 65): fix or delete them, then run it again.

      Examples:
        evt migrate --dry-run
        evt migrate --namespace shop
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Flag(help: "Only count what would be moved.")
  var dryRun = false

  func run() throws {
    try connection.check()
    let report = try LegacyLayout.migrate(try connection.connect(), try connection.keys(), dryRun: dryRun)
    let verb = dryRun ? "would move" : "moved"
    Terminal.note(
      "\(verb) \(report.streams) type stream\(report.streams == 1 ? "" : "s"), \(report.deadLetters) dead letter\(report.deadLetters == 1 ? "" : "s"), \(report.replayed) replayed event\(report.replayed == 1 ? "" : "s"), \(report.markers) done marker\(report.markers == 1 ? "" : "s") and \(report.users) user key\(report.users == 1 ? "" : "s")"
    )
  }
}
