import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

struct ContextCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "context",
    _superCommandName: "evt",
    abstract: "Save connection settings under a name and use them with --context.",
    discussion: """
      A context is one TOML file in $XDG_CONFIG_HOME/evt/contexts (default ~/.config/evt/contexts), readable by you alone: the URL, namespace, timeouts, TLS files and where the password is (--password-file or --password-env; written into the file only with --store-password). Every command takes --context NAME (env: EVT_CONTEXT); 'evt context use NAME' makes one the default. A flag beats its environment variable, which beats the context, which beats the default; a context's password and client certificate go only to the context's own URL.

      Examples:
        evt context save prod --redis-url rediss://redis.prod:6380 --tls-ca-file ca.pem --password-file ~/.prod-pass
        evt context use prod
        evt context list
        evt stats --context staging
        evt context show prod
        evt context edit prod
        evt context rm prod
      """,
    subcommands: [Save.self, List.self, Show.self, Use.self, Remove.self, Edit.self],
    defaultSubcommand: List.self
  )

  static func nameArgument() -> ArgumentHelp { ArgumentHelp("The context's name.", valueName: "name") }

  struct Save: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "save", abstract: "Save the connection options given under NAME (replacing a context of that name).")

    @Argument(help: ContextCommand.nameArgument()) var name: String
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Take the password from this environment variable when the context is used.", valueName: "variable"))
    var passwordEnv: String?

    @Flag(help: "Write a password given in --redis-url into the context file (default: refuse it).")
    var storePassword = false

    func run() throws {
      try ContextStore.validate(name)
      var c = Context(name: name)
      if let text = connection.redisURL {
        let url: RedisURL
        do { url = try RedisURL(parsing: text) } catch { throw BusError(error) }
        if let password = url.password {
          guard storePassword else {
            throw BusError(
              .invalidArgument,
              "the URL holds a password: give --password-file or --password-env, or --store-password to write it into the context file")
          }
          c.strings["password"] = password
          c.strings["url"] = try Self.withoutPassword(text)
        } else {
          c.strings["url"] = text
        }
      }
      c.strings["namespace"] = connection.namespace
      c.strings["connect_timeout"] = connection.connectTimeout?.description
      c.strings["command_timeout"] = connection.commandTimeout?.description
      c.strings["password_file"] = try connection.passwordFile.map(Self.absolute)
      c.strings["password_env"] = passwordEnv
      c.strings["tls_ca_file"] = try connection.tls.tlsCAFile.map(Self.absolute)
      c.strings["tls_cert_file"] = try connection.tls.tlsCertFile.map(Self.absolute)
      c.strings["tls_key_file"] = try connection.tls.tlsKeyFile.map(Self.absolute)
      c.strings["tls_server_name"] = connection.tls.tlsServerName
      if connection.tls.tlsInsecure { c.tlsInsecure = true }
      let file = try ContextStore.path(name)
      // What will be read back is checked the same way now (a usage error here).
      do { _ = try ContextStore.parse(Array(c.toml.utf8), name: name, file: file) } catch {
        throw BusError(.invalidArgument, error.message)
      }
      try ContextStore.write(c.toml, to: file)
      Terminal.note("saved context \(name) in \(Printable.escaped(file))")
    }

    /// The URL text with its password (and the `:` before it) cut out.
    static func withoutPassword(_ text: String) throws(BusError) -> String {
      var b = Array(text.utf8)
      for r in RedisURL.secretRanges(in: text).reversed() {
        var range = r
        if range.lowerBound > 0, b[range.lowerBound - 1] == UInt8(ascii: ":") { range = (range.lowerBound - 1)..<range.upperBound }
        if range.lowerBound > 0, b[range.lowerBound - 1] == UInt8(ascii: "/"), range.upperBound < b.count,
          b[range.upperBound] == UInt8(ascii: "@")
        {
          range = range.lowerBound..<(range.upperBound + 1)  // no user left: no '@' either
        }
        if range.lowerBound >= 9, String(decoding: b[(range.lowerBound - 9)..<range.lowerBound], as: UTF8.self) == "password=" {
          continue  // a unix:// query's password: cut below
        }
        b.removeSubrange(range)
      }
      var out = String(decoding: b, as: UTF8.self)
      if out.contains("password=") {
        out = out.split(separator: "&").filter { !$0.contains("password=") }.joined(separator: "&")
        if out.hasSuffix("?") { out.removeLast() }
      }
      do { _ = try RedisURL(parsing: out) } catch { throw BusError(error) }
      return out
    }

    static func absolute(_ path: String) throws(BusError) -> String {
      if path.hasPrefix("/") { return path }
      var buffer = [CChar](repeating: 0, count: 4096)
      guard getcwd(&buffer, buffer.count) != nil else { throw BusError(.output, "cannot tell the current folder") }
      let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return cwd + "/" + path
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the contexts; '*' marks the one in use.")

    func run() throws {
      let current = try? ContextStore.selected()
      let out = OutputBuffer()
      for name in try ContextStore.names() {
        try out.line(Array(((name == current ? "* " : "  ") + name).utf8))
      }
      try out.flush()
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Print a context's settings (the one in use by default); secrets are masked.")

    @Argument(help: ContextCommand.nameArgument()) var name: String?

    func run() throws {
      var chosen = name
      if chosen == nil { chosen = try ContextStore.selected() }
      guard let chosen else { throw BusError(.configuration, "no context is in use (evt context use NAME)") }
      var c = try ContextStore.load(chosen)
      if c["password"] != nil { c.strings["password"] = "***" }
      if let url = c["url"] { c.strings["url"] = RedisURL.mask(url) }
      let out = OutputBuffer()
      try out.line(Array(c.toml.utf8.dropLast()))
      try out.flush()
    }
  }

  struct Use: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "use", abstract: "Use this context when --context is not given.")

    @Argument(help: ContextCommand.nameArgument()) var name: String

    func run() throws {
      _ = try ContextStore.load(name)
      try ContextStore.write(name + "\n", to: try ContextStore.directory() + "/context")
      Terminal.note("using context \(name)")
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a context.")

    @Argument(help: ContextCommand.nameArgument()) var name: String

    func run() throws {
      try ContextStore.validate(name)
      let file = try ContextStore.path(name)
      guard unlink(file) == 0 else {
        if errno == ENOENT { throw BusError(.notFound, "no context \(name)") }
        throw BusError(.configuration, "cannot delete \(Printable.escaped(file)): \(String(cString: strerror(errno)))")
      }
      if (try? ContextStore.selected()) == name { unlink(try ContextStore.directory() + "/context") }
      Terminal.note("deleted context \(name)")
    }
  }

  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "edit",
      abstract: "Edit a context in $VISUAL or $EDITOR; it is saved only when it is still valid.")

    @Argument(help: ContextCommand.nameArgument()) var name: String

    func run() throws {
      let c = try ContextStore.load(name)
      let file = try ContextStore.path(name)
      let draft = file + ".edit"
      try ContextStore.write(c.toml, to: draft)
      var editor = try environment("VISUAL")
      if editor == nil { editor = try environment("EDITOR") }
      // The editor's words, without a shell (a variable's text never reaches one).
      let given = (editor ?? "").split(separator: " ").map(String.init)
      let words = (given.isEmpty ? ["vi"] : given) + [draft]
      var argv = words.map { strdup($0) }
      argv.append(nil)
      defer { for p in argv { free(p) } }
      var pid: pid_t = 0
      guard posix_spawnp(&pid, words[0], nil, nil, argv, environ) == 0 else {
        unlink(draft)
        throw BusError(.output, "cannot run the editor \(Printable.escaped(words[0]))")
      }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
      guard status == 0 else {
        unlink(draft)
        throw BusError(.output, "the editor failed; context \(name) is unchanged")
      }
      guard let bytes = try ContextStore.read(draft, missingIsNil: false) else { return }
      do { _ = try ContextStore.parse(bytes, name: name, file: draft) } catch {
        throw BusError(.configuration, error.message + "; context \(name) is unchanged, your edit is in \(Printable.escaped(draft))")
      }
      guard rename(draft, file) == 0 else { throw BusError(.configuration, "cannot save \(Printable.escaped(file))") }
      Terminal.note("saved context \(name)")
    }
  }
}
