import ArgumentParser
import EvtBus

struct Pending: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pending",
    _superCommandName: "evt",
    abstract: "Show what each consumer group has delivered but not acknowledged.",
    discussion: """
      For each group and consumer: the number of pending entries, how long the oldest has waited since it was last delivered, and the highest delivery count among them (a high count hints at a poison message). Consumers with nothing pending are listed too. Nothing is changed.

      Examples:
        evt pending
        evt pending --group email-worker --json | jq .pending
      """
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var output: OutputOptions

  @Option(name: .shortAndLong, help: ArgumentHelp("Only this consumer group.", valueName: "group"))
  var group: String?

  func validate() throws {
    if let group {
      do { try GroupConsumer.validateGroupName(group) } catch { throw ValidationError(error.message) }
    }
  }

  func run() throws {
    try connection.check()
    let report = PendingReport(connection: try connection.connectReading(), keys: try connection.keys())
    let rows = try report.summaries(group: group)
    let out = OutputBuffer()
    if output.format == .json {
      for row in rows { try out.line(row.json) }
    } else {
      let table =
        [["GROUP", "CONSUMER", "PENDING", "OLDEST-IDLE", "MAX-DELIVERIES"]]
        + rows.map { [$0.group, $0.consumer, String($0.pending), Self.duration($0.oldestIdleMilliseconds), String($0.maxDeliveries)] }
      for line in TextTable.lines(table) { try out.line(Array(line.utf8)) }
    }
    try out.flush()
  }

  static func duration(_ ms: Int) -> String {
    if ms < 1000 { return "\(ms)ms" }
    let s = ms / 1000
    if s < 120 { return "\(s)s" }
    if s < 7200 { return "\(s / 60)m" }
    return "\(s / 3600)h"
  }
}
