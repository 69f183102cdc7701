import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

package struct Dashboard: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "dashboard",
    _superCommandName: "evt",
    abstract: "Serve web pages of streams, groups, lag and dead letters.",
    discussion: """
      Pages: the overview (every type with its length, publish rate over the last hour and last event; every group with a red, amber or green state, lag, pending, consumers, what its workers handled and their processing times), a type (its latest events, search by event id, correlation id or time, a live tail, its schema), a group (consumers, pending entries, lag over time) and dead letters (filter, replay, purge). Redis is read every --interval however many people look.

      Read-only unless started with --allow-actions; replay and purge then need the token (printed at start, or the first line of --token-file), given at /login or as 'Authorization: Bearer TOKEN', and ask for confirmation. Listening on anything but loopback needs --token-file, and every page then needs the token.

      A group is red when it breaks a --check threshold and amber when it breaks a --warn one (the syntax of 'evt stats --check').

      The web server is the program evt-dashboard, installed next to evt; evt dashboard runs it.

      Examples:
        evt dashboard
        evt dashboard --listen 127.0.0.1:9000 --allow-actions
        evt dashboard --listen 0.0.0.0:8080 --token-file /etc/evt/dashboard-token --check 'lag<5000,dlq=0'
      """
  )

  /// Set by the evt-dashboard program: serves the dashboard in this process. In evt itself
  /// it is `nil`, and the command execs evt-dashboard.
  nonisolated(unsafe) package static var serve:
    ((DashboardSettings, @escaping @Sendable (_ host: String, _ port: Int) -> Void) throws -> Void)?

  @OptionGroup var connection: ConnectionOptions

  @Option(help: ArgumentHelp("Address to listen on (port 0: any free port).", valueName: "host:port"))
  var listen = "127.0.0.1:8080"

  @Flag(help: "Allow replaying and purging dead letters from the pages (with the token).")
  var allowActions = false

  @Option(
    help: ArgumentHelp("Read the token from this file (first line, 16 characters or more) instead of generating one.", valueName: "path"))
  var tokenFile: String?

  @Option(parsing: .unconditional, help: ArgumentHelp("How often Redis is read for the figures.", valueName: "duration"))
  var interval = DurationArgument(milliseconds: 5000)

  @Option(help: ArgumentHelp("A group breaking one of these thresholds is red.", valueName: "thresholds"))
  var check = "lag<10000,idle<5m"

  @Option(help: ArgumentHelp("A group breaking one of these thresholds (and no --check one) is amber.", valueName: "thresholds"))
  var warn = "lag<1000,idle<1m,dlq=0"

  package init() {}

  package func validate() throws {
    try interval.check("--interval", 1000...3_600_000)
    for (name, text) in [("--check", check), ("--warn", warn)] {
      do { _ = try StatsCheck(text) } catch { throw ValidationError("\(name): \(error.message)") }
    }
    do {
      let (host, _) = try Self.address(listen)
      if !Self.isLoopback(host) && tokenFile == nil {
        throw ValidationError(
          "listening on \(host) needs --token-file: the pages show event data, so every page then needs the token")
      }
    } catch let error as BusError {
      throw ValidationError(error.message)
    }
  }

  package func run() throws {
    try connection.check()
    let token = try tokenFile.map { path throws(BusError) in
      let text = try Input.secret(fromFile: path, what: "--token-file", noun: "token")
      guard text.count >= 16 else {
        throw BusError(.invalidArgument, "--token-file \(Printable.escaped(path)): the token must be 16 characters or more")
      }
      return text
    }
    guard let serve = Self.serve else { try Self.execServer() }
    let (host, port) = try Self.address(listen)
    let settings = DashboardSettings(
      host: host, port: port, allowActions: allowActions, token: token ?? DashboardSettings.randomToken(), tokenGenerated: token == nil,
      pagesNeedToken: !Self.isLoopback(host), intervalMilliseconds: interval.milliseconds, check: try StatsCheck(check),
      warn: try StatsCheck(warn), connect: try connection.connector(), keys: try connection.keys())
    try serve(settings) { host, port in
      let shown = host.contains(":") ? "[\(host)]" : host
      var lines = ["evt dashboard: http://\(shown):\(port)/ (\(settings.allowActions ? "actions allowed" : "read-only"); Ctrl-C to stop)"]
      if settings.allowActions && settings.tokenGenerated {
        lines.append("token for replay and purge (log in at http://\(shown):\(port)/login): \(settings.token)")
      }
      Terminal.writeAll(1, Array((lines.joined(separator: "\n") + "\n").utf8))
    }
  }

  /// Runs evt-dashboard, from the directory evt is in, with this command line.
  private static func execServer() throws(BusError) -> Never {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let exe = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    let directory = exe.contains("/") ? String(exe[..<exe.lastIndex(of: "/")!]) : "."
    let server = directory + "/evt-dashboard"
    let arguments = [server] + CommandLine.arguments.dropFirst()
    var argv = arguments.map { strdup($0) }
    argv.append(nil)
    execv(server, argv)
    let reason = String(cString: strerror(errno))
    throw BusError(
      .unavailable,
      "evt dashboard needs the program evt-dashboard next to evt (\(Printable.escaped(server)): \(reason)); build it with 'swift build --product evt-dashboard'"
    )
  }

  /// `HOST:PORT`, `[V6]:PORT` or `:PORT` (loopback).
  static func address(_ text: String) throws(BusError) -> (host: String, port: Int) {
    let (host, port) = try ListenAddress.parse(text, option: "--listen", port: 8080)
    guard host.utf8.count <= 253, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else {
      throw BusError(.invalidArgument, "--listen \(JSON.quoted(text)): the host is not an address or a name")
    }
    return (host, port)
  }

  static func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || (host.hasPrefix("127.") && host.split(separator: ".").count == 4)
  }
}
