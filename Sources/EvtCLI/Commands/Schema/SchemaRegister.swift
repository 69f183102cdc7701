import ArgumentParser
import EvtBus

extension Schema {
  /// `evt schema register TYPE FILE|-`.
  struct Register: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "register",
      abstract: "Register a JSON Schema (draft 2020-12) as the next version of a type's contract.",
      discussion: """
        Reads the schema from FILE (or standard input for -), checks it, and stores it in Redis as the type's next version (1, 2, …), on the type's slot, where every evt process finds it. A schema that is already the latest version is not registered again (exit 0). A new version must keep the type's compatibility rule (evt schema mode; backward by default: it accepts every event the previous version accepted); otherwise it is refused with every reason.

        Supported: the draft 2020-12 keywords listed in the README; anything else (an unknown keyword, $id, $anchor, a remote $ref, unevaluated*, another format) is refused with the keyword and its JSON pointer.

        Exit codes: 0 registered (or already the latest), 64 bad type name, 65 the schema is refused or breaks the compatibility rule, 73 other registrations kept overtaking this one.
        """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The event type.", valueName: "type"))
    var type: String

    @Argument(help: ArgumentHelp("The schema file, or - for standard input.", valueName: "file"))
    var file: String

    func run() throws {
      try connection.check()
      let source = try Schema.candidate(file, for: type)
      let registry = try connection.schemaRegistry(try connection.connect())
      let (version, isNew) = try registry.register(type, source: source)
      let out = OutputBuffer()
      try out.line(Array("\(type) version \(version)\(isNew ? "" : " (already the latest)")".utf8))
      try out.flush()
    }
  }
}
