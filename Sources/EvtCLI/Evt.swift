import ArgumentParser
import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// The `evt` root command.
public struct Evt: ParsableCommand {
  public static let version = "0.1.0"

  public static let configuration = CommandConfiguration(
    commandName: "evt",
    abstract: "Publish, consume and inspect events on Redis Streams.",
    discussion: """
      Events live in Redis Streams (NS:stream:<type>) and are consumed by consumer groups with acknowledgements, so nothing is lost while a consumer is down.

      Examples:
        evt create-user --name Ada --email ada@example.com
        evt run-email-worker --outbox ./outbox
        evt publish order.placed --data '{"orderId":"o-1","userId":"42"}'
        evt tail -f 'user.*'
        evt subscribe --group mailer --exec './send-mail.sh' user.created
      """,
    version: version,
    subcommands: [
      Publish.self, Tail.self, Subscribe.self, ReplayDLQ.self, Pending.self, CreateUser.self, GetUser.self, RunEmailWorker.self,
      Schema.self,
    ]
  )

  public init() {}

  /// Parses the command line, runs the command and exits. Errors become one line on standard
  /// error (`evt: error: …`) and the documented exit code; help and version go to stdout.
  public static func main() -> Never {
    signal(SIGPIPE, SIG_IGN)
    do {
      var command = try parseAsRoot()
      try command.run()
      Glibc.exit(0)
    } catch let e as CommandExit {
      Glibc.exit(e.code)
    } catch let e as BusError {
      Terminal.error(e.message)
      Glibc.exit(EvtExit.code(for: e.kind))
    } catch {
      let code = exitCode(for: error)
      if code == .success { exit(withError: error) }  // --help, --version, completions
      let message = self.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
      let sub = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }
      let known = configuration.subcommands.map { $0._commandName }
      let help = sub.flatMap { known.contains($0) ? "evt \($0) --help" : nil } ?? "evt --help"
      Terminal.error("\(message) (see '\(help)')")
      Glibc.exit(code.rawValue)
    }
  }
}
