import ArgumentParser
import EvtBus

extension Schema {
  /// `evt schema show TYPE [--version V] [--json]`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Print a registered schema of a type: the latest version, or --version V.",
      discussion: "Exit codes: 0 shown, 66 the type has no such version."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The event type.", valueName: "type"))
    var type: String

    @Option(name: .customLong("version"), parsing: .unconditional, help: ArgumentHelp("The version to print.", valueName: "n"))
    var number: Int?

    @Flag(help: "Print only the schema itself (JSON).")
    var json = false

    func validate() throws {
      if let number, !(1...1_000_000_000).contains(number) { throw ValidationError("--version must be between 1 and 1000000000") }
    }

    func run() throws {
      try connection.check()
      let registry = try connection.schemaRegistry(try connection.connect())
      try Self.show(type, version: number, json: json, registry)
    }

    static func show(_ type: String, version number: Int?, json: Bool, _ registry: SchemaRegistry) throws {
      let found = try number.map { try registry.version(type, $0) } ?? registry.latest(type)
      let out = OutputBuffer()
      guard let found else {
        if number == nil, let builtIn = registry.builtIns[type] {
          // Registered as the type's first version when it is first used.
          if !json { try out.line(Array("\(type) built-in contract (not registered yet: version 1 once used)".utf8)) }
          try out.line(builtIn.source)
          return try out.flush()
        }
        throw BusError(.notFound, "\(Printable.escaped(type)) has no schema\(number.map { " version \($0)" } ?? "") registered")
      }
      if !json {
        let mode = try registry.compatibility(type)
        try out.line(Array("\(type) version \(found.version) (compatibility: \(mode.rawValue))".utf8))
      }
      try out.line(found.schema.source)
      try out.flush()
    }
  }
}
