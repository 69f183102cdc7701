import ArgumentParser
import EvtBus
import EvtServices

struct CreateUser: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create-user",
    _superCommandName: "evt",
    abstract: "Create a user and publish its user.created event, atomically.",
    discussion: """
      The name is trimmed and must not be empty (at most 200 characters); the email address must be valid, and unique without regard to letter case. The user (a new UUID id, name, email, createdAt) is stored in NS:{users}:user:<id> with the index NS:{users}:user-email:<address>, and user.created (data: userId, email, name) is published in the same Lua script: never one without the other. Prints the user as JSON.

      Exit codes: 0 created, 65 invalid name, address, id or --data, 73 the address (or --id) is taken. Nothing is written unless the user is created.

      Examples:
        evt create-user --name 'Ada Lovelace' --email ada@example.com
        evt create-user --data '{"name":"Alan Turing","email":"alan@example.com"}'
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Option(help: ArgumentHelp("The user's name.", valueName: "name"))
  var name: String?

  @Option(help: ArgumentHelp("The user's email address.", valueName: "address"))
  var email: String?

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("The user as JSON {\"name\":…,\"email\":…}: text, @FILE, or - for standard input.", valueName: "json"))
  var data: String?

  @Option(help: ArgumentHelp("The user's id, for imports (default: a new UUID); refused if taken.", valueName: "id"))
  var id: String?

  @Option(help: ArgumentHelp("Correlation id for the user.created event (default: the event's id).", valueName: "id"))
  var correlationId: String?

  func validate() throws {
    if data != nil {
      if name != nil || email != nil { throw ValidationError("give either --data or --name and --email, not both") }
    } else {
      guard name != nil else { throw ValidationError("missing --name (or --data)") }
      guard email != nil else { throw ValidationError("missing --email (or --data)") }
    }
    if let correlationId, let problem = TraceContext.correlationIDProblem(correlationId) {
      throw ValidationError("--correlation-id: \(problem)")
    }
  }

  func run() throws {
    try connection.check()
    // Validate before connecting, so bad input never needs Redis.
    let newUser: NewUser
    if let data {
      newUser = try NewUser(json: try Input.dataArgument(data, limit: 64 * 1024), id: id)
    } else {
      newUser = try NewUser(name: name ?? "", email: email ?? "", id: id)
    }
    let store = UserStore(connection: try connection.connectReading(), keys: try connection.keys())
    let created = try store.create(newUser, headers: correlationId.map { [("correlationId", $0)] } ?? [])
    let out = OutputBuffer()
    try out.line(created.user.json.serialized)
    try out.flush()
  }
}
