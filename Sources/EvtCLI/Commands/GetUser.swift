import ArgumentParser
import EvtBus
import EvtServices

struct GetUser: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "get-user",
    _superCommandName: "evt",
    abstract: "Print a user of the user service as JSON.",
    discussion: """
      Looks the user up by id, or by email address (in any letter case) when the argument contains '@'. Exit code 66 when there is no such user.

      Examples:
        evt get-user 0b6f2c1e-7d8a-4c36-9d57-3f0a2b9e4c11
        evt get-user ADA@example.com
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: ArgumentHelp("The user's id or email address.", valueName: "id|email"))
  var user: String

  func run() throws {
    try connection.check()
    let store = UserStore(connection: try connection.connectReading(), keys: try connection.keys())
    guard let found = try store.find(user) else { throw BusError(.notFound, "no user \(JSON.quoted(user))") }
    let out = OutputBuffer()
    try out.line(found.json.serialized)
    try out.flush()
  }
}
