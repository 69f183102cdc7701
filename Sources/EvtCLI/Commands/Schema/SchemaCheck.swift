import ArgumentParser
import EvtBus

extension Schema {
  /// `evt schema check TYPE FILE|- [--stored N] [--since T]`.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Check a candidate schema before registering it: the compatibility rule, and the events already stored.",
      discussion: """
        Prints one line for each way registering the candidate would break something: a compatibility reason against the latest version, and each stored event of the type (the last --stored N, default 1000, or every one since --since) whose data the candidate refuses, with its id and why. Changes nothing. For CI: exit 0 when nothing would break, 65 with findings (or a schema evt refuses).

        Examples:
          evt schema check invoice.paid invoice-paid.json
          evt schema check invoice.paid - --since 7d < invoice-paid.json
        """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The event type.", valueName: "type"))
    var type: String

    @Argument(help: ArgumentHelp("The candidate schema file, or - for standard input.", valueName: "file"))
    var file: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Check the last N stored events (default 1000; at most 100000).", valueName: "n"))
    var stored: Int?

    @Option(help: ArgumentHelp("Check every stored event since this time, duration ago or stream id.", valueName: "when"))
    var since: String?

    func validate() throws {
      if let stored, !(0...100_000).contains(stored) { throw ValidationError("--stored must be between 0 and 100000") }
      try SinceParser.validate(since)
    }

    func run() throws {
      try connection.check()
      let source = try Schema.candidate(file, for: type)
      let registry = try connection.schemaRegistry(try connection.connectReading())
      let (findings, checked) = try registry.check(type, candidate: source, stored: stored, since: since.flatMap(SinceParser.parse))
      let out = OutputBuffer()
      for f in findings { try out.line(Array(Printable.escaped(f.description).utf8)) }
      try out.flush()
      Terminal.note("checked \(checked) stored event\(checked == 1 ? "" : "s"): \(findings.count) finding\(findings.count == 1 ? "" : "s")")
      if !findings.isEmpty { throw CommandExit(code: EvtExit.badData) }
    }
  }
}
