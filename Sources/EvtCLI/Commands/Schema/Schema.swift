import ArgumentParser
import EvtBus
import EvtServices

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    _superCommandName: "evt",
    abstract: "Event contracts: JSON Schemas with versions, for the built-in types and your own.",
    discussion: """
      Examples:
        evt schema
        evt schema order.placed --json
        evt schema contracts
        evt schema register invoice.paid invoice-paid.json
        evt schema show invoice.paid --version 1
        evt schema versions invoice.paid
        evt schema mode invoice.paid full
        evt schema delete invoice.paid --version 1
      """,
    subcommands: [List.self, Contracts.self, Register.self, Check.self, Show.self, Versions.self, Mode.self, Delete.self],
    defaultSubcommand: List.self
  )
}

extension Schema {
  /// The schema document of `file` (`-`: standard input), compiled once to refuse a bad one
  /// before any connection is made.
  static func candidate(_ file: String, for type: String) throws -> [UInt8] {
    let source = try Input.fileArgument(file, limit: JSONSchema.maxSize)
    do { _ = try JSONSchema.compile(source) } catch {
      throw BusError(.badData, "the schema for \(Printable.escaped(type)): \(error.message)")
    }
    return source
  }
}

extension ConnectionOptions {
  /// The schema registry on `redis`, which knows the built-in contracts of evt's services.
  func schemaRegistry(_ redis: RedisConnection) throws(BusError) -> SchemaRegistry {
    SchemaRegistry(connection: redis, keys: try keys(), builtIns: ServiceTypes.contracts)
  }
}

extension Schema {
  /// `evt schema [TYPE [--version V] [--json]]`: every type with a schema, or one schema.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List the types that have a schema, with their versions; with TYPE, print its schema.",
      discussion: """
        One line per type: its versions, the latest, its compatibility rule, and whether its first version is a built-in contract (--json: one JSON object per type). Built-in types not used yet are listed as built-in: their contract is registered as version 1 the first time it is needed. With TYPE, prints the latest schema of TYPE (or --version V) like 'evt schema show'.
        """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("An event type.", valueName: "type"))
    var type: String?

    @Option(name: .customLong("version"), parsing: .unconditional, help: ArgumentHelp("With TYPE: the version to print.", valueName: "n"))
    var number: Int?

    func validate() throws {
      if let number, !(1...1_000_000_000).contains(number) { throw ValidationError("--version must be between 1 and 1000000000") }
      if number != nil && type == nil { throw ValidationError("--version needs a type") }
    }

    func run() throws {
      try connection.check()
      let registry = try connection.schemaRegistry(try connection.connect())
      if let type { return try Show.show(type, version: number, json: output.format == .json, registry) }
      let registered = try registry.types()
      let out = OutputBuffer()
      for type in Set(registered + registry.builtIns.types).sorted() {
        let versions = try registry.versions(type)
        let builtIn = registry.builtIns[type] != nil
        let mode = try registry.compatibility(type)
        if output.format == .json {
          var members: [JSONValue.Member] = [
            .init("type", .string(type)), .init("versions", .array(versions.map { .number(String($0)) })),
          ]
          if let latest = versions.last { members.append(.init("latest", .number(String(latest)))) }
          members += [.init("mode", .string(mode.rawValue)), .init("builtIn", .bool(builtIn))]
          try out.line(JSONValue.object(members).serialized)
        } else if versions.isEmpty {
          try out.line(Array("\(type)  built-in, not used yet (version 1 once used)".utf8))
        } else {
          let list = versions.map(String.init).joined(separator: ", ")
          try out.line(Array("\(type)  versions \(list) (latest \(versions.last!), \(mode.rawValue)\(builtIn ? ", built-in" : ""))".utf8))
        }
      }
      try out.flush()
    }
  }

  /// `evt schema contracts [TYPE]`: the built-in contracts as evt carries them.
  struct Contracts: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "contracts",
      abstract: "Print the built-in contracts (JSON Schemas) that publish and consumer groups enforce.",
      discussion: """
        One line per built-in type: the type and its JSON Schema (--json: {"type":…,"schema":…}). These are the first version of each built-in type in the schema registry, and what an event of the type without a schema version is checked against. With TYPE, only that type; exit code 66 for a type without one. Needs no Redis.
        """
    )

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("An event type.", valueName: "type"))
    var type: String?

    func run() throws {
      let contracts = ServiceTypes.contracts
      var types = contracts.types
      if let type {
        guard contracts[type] != nil else {
          throw BusError(.notFound, "\(JSON.quoted(type)) has no built-in contract: its data is free-form")
        }
        types = [type]
      }
      let out = OutputBuffer()
      for type in types {
        let schema = contracts[type]!
        if output.format == .json {
          var line = Array(#"{"type":"#.utf8)
          JSON.writeString(type, to: &line)
          line += Array(#","schema":"#.utf8) + schema.source + [UInt8(ascii: "}")]
          try out.line(line)
        } else {
          try out.line(Array("\(type): ".utf8) + schema.source)
        }
      }
      try out.flush()
    }
  }
}
