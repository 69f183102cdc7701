import ArgumentParser
import EvtBus

extension Schema {
  /// `evt schema delete TYPE --version V [--force]`.
  struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "delete",
      abstract: "Delete one version of a type's schema.",
      discussion: """
        Refused (exit 73) while a consumer group of the type has not acknowledged an event carrying that version — pending, or not yet delivered to it — since a consumer would dead-letter it as an unknown version; --force deletes it anyway. Exit 66 when the version is not registered. Version numbers are never given out again; when the latest version is deleted, the highest one left is the latest, and when none is left the type is free-form again.
        """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The event type.", valueName: "type"))
    var type: String

    @Option(help: ArgumentHelp("The version to delete.", valueName: "n"))
    var version: Int

    @Flag(help: "Delete it even while unacknowledged events carry it.")
    var force = false

    func validate() throws {
      guard (1...1_000_000_000).contains(version) else { throw ValidationError("--version must be between 1 and 1000000000") }
    }

    func run() throws {
      try connection.check()
      let registry = try connection.schemaRegistry(try connection.connect())
      let latest = try registry.delete(type, version: version, force: force)
      let now = latest.map { "the latest is now version \($0)" } ?? "no version is left: its data is free-form"
      let out = OutputBuffer()
      try out.line(Array("deleted \(type) version \(version); \(now)".utf8))
      try out.flush()
    }
  }
}
