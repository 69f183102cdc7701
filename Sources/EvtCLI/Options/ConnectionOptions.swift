import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// `--redis-url`, `--namespace`, the password and the timeouts, shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
  @Option(
    name: .customLong("redis-url"),
    help: ArgumentHelp(
      "Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).",
      valueName: "url"))
  var redisURL: String?

  @Option(
    help: ArgumentHelp(
      "Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).", valueName: "path"))
  var passwordFile: String?

  @Option(help: ArgumentHelp("Key namespace (env: EVT_NAMESPACE; default evt).", valueName: "name"))
  var namespace: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).", valueName: "duration")
  )
  var connectTimeout: DurationArgument?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).", valueName: "duration"))
  var commandTimeout: DurationArgument?

  @OptionGroup(title: "TLS (rediss:// URLs)") var tls: TLSArguments

  @Option(
    help: ArgumentHelp(
      "Connection settings saved with 'evt context save' (env: EVT_CONTEXT; default: the one 'evt context use' chose).",
      valueName: "name"),
    completion: .custom { _, _, _ in (try? ContextStore.names()) ?? [] })
  var context: String?

  static let defaultURL = "redis://127.0.0.1:6379"

  func validate() throws {
    try connectTimeout?.check("--connect-timeout", DurationArgument.oneMillisecondToADay)
    try commandTimeout?.check("--command-timeout", DurationArgument.oneMillisecondToADay)
  }

  /// The URL from the option, the environment, the context or the default, with the password
  /// from `--password-file`, `EVT_REDIS_PASSWORD` or the context (whose password, client
  /// certificate and key go only to the context's own URL). Throws a usage error.
  func url() throws(BusError) -> RedisURL {
    let context = try activeContext()
    var text = Self.defaultURL
    var fromContext = false
    if let redisURL {
      text = redisURL
    } else if let fromEnvironment = try environment("EVT_REDIS_URL") {
      text = fromEnvironment
    } else if let c = context?["url"] {
      text = c
      fromContext = true
    }
    var url: RedisURL
    do { url = try RedisURL(parsing: text) } catch { throw BusError(error) }
    if let passwordFile {
      url.password = try Input.secret(fromFile: passwordFile, what: "--password-file")
    } else if url.password == nil, let password = try environment("EVT_REDIS_PASSWORD") {
      url.password = password
    } else if url.password == nil, fromContext, let context {
      url.password = try context.password()
    }
    if url.tls != nil {
      url.tls = try tls.options(context: context, credentials: fromContext)
    } else if let flag = tls.givenFlag {
      throw BusError(.invalidArgument, "\(flag) needs a rediss:// URL (TLS); \(url) is not one")
    }
    return url
  }

  /// The context in effect: `--context`, else `EVT_CONTEXT`, else the one `evt context use`
  /// chose, else none. Read once per process; without one, no context file is opened.
  func activeContext() throws(BusError) -> Context? {
    var name = context
    if name == nil { name = try environment("EVT_CONTEXT") }
    let requested = name
    if let cached = Self.loaded.withLock({ $0 }), cached.requested == requested { return cached.context }
    var chosen = requested
    if chosen == nil { chosen = try ContextStore.selected() }
    let context = try chosen.map { (n) throws(BusError) in try ContextStore.load(n) }
    Self.loaded.withLock { $0 = (requested, context) }
    return context
  }

  private static let loaded = Locked<(requested: String?, context: Context?)?>(nil)

  func keys() throws(BusError) -> Keys {
    if let namespace { return try Keys(namespace: namespace) }
    if let fromEnvironment = try environment("EVT_NAMESPACE") { return try Keys(namespace: fromEnvironment) }
    return try Keys(namespace: try activeContext()?["namespace"] ?? "evt")
  }

  /// Checks the URL, namespace and timeouts without connecting (so bad options fail before
  /// any I/O).
  func check() throws(BusError) {
    _ = try url()
    _ = try keys()
    _ = try timeouts()
  }

  func connect() throws(BusError) -> RedisConnection {
    try connector()()
  }

  /// ``connect()`` for commands that read events: refuses a namespace that still holds data
  /// in the key layout of an earlier evt (run `evt migrate`).
  func connectReading() throws(BusError) -> RedisConnection {
    let redis = try connect()
    try LegacyLayout.check(redis, try keys())
    return redis
  }

  private func timeouts() throws(BusError) -> (connect: Double, command: Double) {
    (
      try seconds(connectTimeout, "EVT_CONNECT_TIMEOUT", "connect_timeout", default: 5),
      try seconds(commandTimeout, "EVT_COMMAND_TIMEOUT", "command_timeout", default: 10)
    )
  }

  /// A function that opens a new connection with these options (for worker threads).
  func connector() throws(BusError) -> @Sendable () throws(BusError) -> RedisConnection {
    let url = try url()
    let (connect, command) = try timeouts()
    let fromEnvironment = try environment("EVT_REDIS_URL")
    let hint = redisURL == nil && fromEnvironment == nil
    return { () throws(BusError) in
      do throws(RedisError) {
        return try RedisConnection(url: url, connectTimeout: connect, commandTimeout: command)
      } catch {
        var e = BusError(error)
        if error.kind == .unavailable && hint { e.message += " (set --redis-url or EVT_REDIS_URL)" }
        throw e
      }
    }
  }

  private func seconds(_ option: DurationArgument?, _ variable: String, _ key: String, default value: Double) throws(BusError)
    -> Double
  {
    if let option { return option.seconds }
    guard let text = try environment(variable) else {
      // The context's value was checked when it was read.
      return (try activeContext()?[key]).flatMap(DurationText.milliseconds).map { Double($0) / 1000 } ?? value
    }
    guard let ms = DurationText.milliseconds(text), DurationArgument.oneMillisecondToADay.contains(ms) else {
      throw BusError(.invalidArgument, "\(variable)=\(Printable.escaped(text)) is not a duration between 1ms and 1d (like 5s or 500ms)")
    }
    return Double(ms) / 1000
  }
}
