import ArgumentParser
import EvtBus

extension SchemaCompatibility: ExpressibleByArgument {}

extension Schema {
  /// `evt schema mode TYPE [MODE]`.
  struct Mode: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mode",
      abstract: "Print or set the compatibility rule of a type's schema versions.",
      discussion: """
        backward (the default): a new version accepts every event the previous one accepted. forward: the previous version accepts every event the new one does. full: both. none: no rule.
        """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The event type.", valueName: "type"))
    var type: String

    @Argument(help: ArgumentHelp("backward, forward, full or none.", valueName: "mode"))
    var mode: SchemaCompatibility?

    func run() throws {
      try connection.check()
      do { try EventType.validate(type) } catch { throw BusError(.invalidArgument, error.message) }
      let registry = try connection.schemaRegistry(try connection.connect())
      if let mode { try registry.setCompatibility(mode, for: type) }
      let out = OutputBuffer()
      try out.line(Array(try registry.compatibility(type).rawValue.utf8))
      try out.flush()
    }
  }
}
