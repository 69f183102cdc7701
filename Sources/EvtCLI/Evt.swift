import ArgumentParser
import EvtBus
import EvtProcess
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// The `evt` root command.
package struct Evt: ParsableCommand {
  package static let version = "0.1.0"

  package static let configuration = CommandConfiguration(
    commandName: "evt",
    abstract: "Publish, consume and inspect events on Redis Streams.",
    discussion: """
      Events live in Redis Streams (NS:{<type>}:stream) and are consumed by consumer groups with acknowledgements, so nothing is lost while a consumer is down.

      Examples:
        evt create-user --name Ada --email ada@example.com
        evt run-email-worker --outbox ./outbox
        evt publish order.placed --data '{"orderId":"o-1","userId":"42"}'
        evt tail -f 'user.*'
        evt subscribe --group mailer --exec './send-mail.sh' user.created
        evt stats --check 'lag<1000,dlq=0'
        evt trim --max-age 7d
      """,
    version: version,
    subcommands: [
      Publish.self, Tail.self, Subscribe.self, ReplayDLQ.self, Pending.self, CreateUser.self, GetUser.self, RunEmailWorker.self,
      Schema.self, Bench.self, Migrate.self, Stats.self, Trim.self, Dashboard.self, Version.self, ContextCommand.self,
    ]
  )

  package init() {}

  /// Parses the command line, runs the command and exits. Errors become one line on standard
  /// error (`evt: error: …`) and the documented exit code; help and version go to stdout. A
  /// closed standard output ends the command quietly with 141, like a tool killed by SIGPIPE.
  package static func main() -> Never {
    signal(SIGPIPE, SIG_IGN)
    Heap.keepForBatches()
    Arguments.hidePasswords()
    if let bad = Arguments.firstInvalidUTF8() {
      Terminal.error("argument \(bad) is not valid UTF-8 (see 'evt --help')")
      Glibc.exit(EvtExit.usage)
    }
    let arguments = Array(CommandLine.arguments.dropFirst())
    // A command line that starts with a subcommand is parsed by that subcommand alone (each
    // names evt as its super command, so help and usage read the same): ArgumentParser then
    // builds neither the whole command tree nor the completion-script parser, about a
    // millisecond of every one-shot command's start. Completion scripts go through the root.
    let direct = arguments.first.flatMap { name in configuration.subcommands.first { $0._commandName == name } }
      .flatMap { arguments.contains { $0.hasPrefix("--generate-completion") } ? nil : $0 }
    let parser = direct ?? Evt.self
    do {
      var command = try direct.map { try $0.parseAsRoot(Array(arguments.dropFirst())) } ?? parseAsRoot()
      try command.run()
      Glibc.exit(0)
    } catch let e as CommandExit {
      Glibc.exit(e.code)
    } catch var e as BusError {
      if e.serverMessage?.hasPrefix("NOAUTH") == true { e.message += ": give it in the URL, EVT_REDIS_PASSWORD or --password-file" }
      if e.kind != .outputClosed { Terminal.error(e.message) }
      Glibc.exit(EvtExit.code(for: e.kind))
    } catch {
      let code = parser.exitCode(for: error)
      if code == .success { parser.exit(withError: error) }  // --help, --version, completions
      let known = configuration.subcommands.map { $0._commandName }
      let sub = arguments.first { !$0.hasPrefix("-") }
      var message = parser.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
      if let sub, !known.contains(sub), arguments.first == sub {
        message = "unknown command \(JSON.quoted(sub))"
        if let close = Arguments.closest(sub, among: known) { message += "; did you mean '\(close)'?" }
      } else if let sub, let type = configuration.subcommands.first(where: { $0._commandName == sub }),
        let unknown = Arguments.unknownOption(in: arguments, help: helpMessage(for: type, columns: 1000))
      {
        // ArgumentParser checks a command's rules before it reports options it does not know.
        message = "unknown option '\(unknown)'"
      }
      let help = sub.flatMap { known.contains($0) ? "evt \($0) --help" : nil } ?? "evt --help"
      Terminal.error("\(message) (see '\(help)')")
      Glibc.exit(code.rawValue)
    }
  }
}

/// Checks on the raw command line.
enum Arguments {
  /// The 1-based position of the first argument that is not valid UTF-8 (Swift would replace
  /// its bad bytes silently), or `nil`.
  static func firstInvalidUTF8() -> Int? {
    for i in 1..<Int(CommandLine.argc) {
      guard let p = CommandLine.unsafeArgv[i] else { continue }
      let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))
      if String(validating: bytes, as: UTF8.self) == nil { return i }
    }
    return nil
  }

  /// Overwrites the password in a `--redis-url` or `--smtp` argument with `*` in the
  /// process's own argument memory (what `ps` and `/proc/PID/cmdline` show), once Swift has
  /// copied the arguments. It narrows the window in which other users can read it; a file
  /// or the environment keeps it off the command line entirely.
  static func hidePasswords() {
    let arguments = CommandLine.arguments  // copied before the memory is changed
    var secretNext = false
    for i in 1..<min(arguments.count, Int(CommandLine.argc)) {
      let a = arguments[i]
      let joined = ["--redis-url=", "--smtp="].first { a.hasPrefix($0) }
      let isURL = secretNext || joined != nil
      secretNext = a == "--redis-url" || a == "--smtp"
      guard isURL, let p = CommandLine.unsafeArgv[i] else { continue }
      // The secrets of the value (after `--redis-url=` when the option is joined to it).
      let prefix = joined?.utf8.count ?? 0
      let value = String(decoding: a.utf8.dropFirst(prefix), as: UTF8.self)
      for r in RedisURL.secretRanges(in: value) where prefix + r.upperBound <= strlen(p) {
        for k in r { p[prefix + k] = CChar(bitPattern: UInt8(ascii: "*")) }
      }
    }
  }

  /// The first `--option` among `arguments` that the command's help does not mention.
  static func unknownOption(in arguments: [String], help: String) -> String? {
    for a in arguments where a.hasPrefix("--") && a.count > 2 {
      let name = String(a.split(separator: "=", maxSplits: 1)[0])
      var found = false
      var rest = help[...]
      while let r = rest.firstRange(of: name) {
        let next = rest[r.upperBound...].first
        if next == nil || !(next!.isLetter || next!.isNumber || next! == "-") {
          found = true
          break
        }
        rest = rest[r.upperBound...]
      }
      if !found { return name }
    }
    return nil
  }

  /// The name among `names` closest to `word` (at most two edits away), for "did you mean".
  static func closest(_ word: String, among names: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
      var previous = Array(0...b.count)
      for (i, ca) in a.enumerated() {
        var current = [i + 1]
        for (j, cb) in b.enumerated() {
          current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
        }
        previous = current
      }
      return previous[b.count]
    }
    let w = Array(word.prefix(64))
    let best = names.map { ($0, distance(w, Array($0))) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= 2 || names.contains(where: { $0.hasPrefix(word) && word.count >= 3 }) else { return nil }
    return names.first { $0.hasPrefix(word) && word.count >= 3 } ?? best.0
  }
}
