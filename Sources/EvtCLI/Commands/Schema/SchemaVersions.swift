import ArgumentParser
import EvtBus

extension Schema {
  /// `evt schema versions TYPE`.
  struct Versions: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "versions",
      abstract: "List the registered versions of a type's schema, oldest first (exit 66 when it has none)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The event type.", valueName: "type"))
    var type: String

    func run() throws {
      try connection.check()
      let versions = try connection.schemaRegistry(try connection.connect()).versions(type)
      guard !versions.isEmpty else { throw BusError(.notFound, "\(Printable.escaped(type)) has no schema registered") }
      let out = OutputBuffer()
      for v in versions { try out.line(Array(String(v).utf8)) }
      try out.flush()
    }
  }
}
