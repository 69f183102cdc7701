import ArgumentParser
import EvtBus
import EvtServices

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    _superCommandName: "evt",
    abstract: "Event contracts: the built-in ones, and JSON Schemas registered for your own types.",
    discussion: """
      Examples:
        evt schema
        evt schema order.placed --json
        evt schema register invoice.paid invoice-paid.json
        evt schema show invoice.paid --version 1
        evt schema versions invoice.paid
        evt schema mode invoice.paid full
      """,
    subcommands: [Contracts.self, Register.self, Check.self, Show.self, Versions.self, Mode.self],
    defaultSubcommand: Contracts.self
  )
}

extension Schema {
  /// `evt schema [TYPE]`: the built-in contracts (the services' types and event.failed).
  struct Contracts: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "contracts",
      abstract: "Show the built-in contracts that publish and consumer groups enforce.",
      discussion: """
        Without arguments, lists every built-in type that has a contract, one line each (--json: one JSON object per type). With TYPE, shows that type's fields. Exit code 66 for a type without one.
        """
    )

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("An event type.", valueName: "type"))
    var type: String?

    func run() throws {
      let contracts = ServiceTypes.contracts
      var schemas = contracts.schemas.values.sorted { $0.type < $1.type }
      if let type {
        guard let schema = contracts[type] else { throw BusError(.notFound, "\(JSON.quoted(type)) has no contract: its data is free-form") }
        schemas = [schema]
      }
      let out = OutputBuffer()
      for schema in schemas {
        if output.format == .json {
          try out.line(Self.json(schema).serialized)
        } else {
          try out.line(Array(schema.type.utf8))
          for f in schema.fields {
            var kinds = f.types.map(\.rawValue).joined(separator: " | ")
            if f.nullable { kinds += " | null" }
            if !f.allowed.isEmpty { kinds += " (\(f.allowed.joined(separator: ", ")))" }
            if !f.constraints.isEmpty { kinds += " (\(f.constraints.joined(separator: ", ")))" }
            try out.line(Array("  \(f.name)\(f.required ? "" : "?"): \(kinds)".utf8))
          }
        }
      }
      try out.flush()
    }

    /// `{"type":…,"fields":[{"name","types","required","nullable","allowed"}]}`.
    static func json(_ schema: EventSchema) -> JSONValue {
      .object([
        .init("type", .string(schema.type)),
        .init(
          "fields",
          .array(
            schema.fields.map { f in
              var members: [JSONValue.Member] = [
                .init("name", .string(f.name)), .init("types", .array(f.types.map { .string($0.rawValue) })),
                .init("required", .bool(f.required)),
              ]
              if f.nullable { members.append(.init("nullable", .bool(true))) }
              if !f.allowed.isEmpty { members.append(.init("allowed", .array(f.allowed.map { .string($0) }))) }
              if let format = f.format { members.append(.init("format", .string(format.rawValue))) }
              if let max = f.maxBytes { members.append(.init("maxBytes", .number(String(max)))) }
              return .object(members)
            })),
      ])
    }
  }
}
