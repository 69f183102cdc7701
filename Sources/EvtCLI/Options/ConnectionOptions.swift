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

  static let defaultURL = "redis://127.0.0.1:6379"

  func validate() throws {
    try connectTimeout?.check("--connect-timeout", DurationArgument.oneMillisecondToADay)
    try commandTimeout?.check("--command-timeout", DurationArgument.oneMillisecondToADay)
  }

  /// The URL from the option, the environment or the default, with the password from
  /// `--password-file` or `EVT_REDIS_PASSWORD` when given. Throws a usage error.
  func url() throws(BusError) -> RedisURL {
    var text = Self.defaultURL
    if let redisURL { text = redisURL } else if let fromEnvironment = try environment("EVT_REDIS_URL") { text = fromEnvironment }
    var url: RedisURL
    do { url = try RedisURL(parsing: text) } catch { throw BusError(error) }
    if let passwordFile {
      url.password = try Input.secret(fromFile: passwordFile, what: "--password-file")
    } else if url.password == nil, let password = try environment("EVT_REDIS_PASSWORD") {
      url.password = password
    }
    if url.tls != nil {
      url.tls = try tls.options()
    } else if let flag = tls.givenFlag {
      throw BusError(.invalidArgument, "\(flag) needs a rediss:// URL (TLS); \(url) is not one")
    }
    return url
  }

  func keys() throws(BusError) -> Keys {
    if let namespace { return try Keys(namespace: namespace) }
    return try Keys(namespace: try environment("EVT_NAMESPACE") ?? "evt")
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
      try seconds(connectTimeout, "EVT_CONNECT_TIMEOUT", default: 5),
      try seconds(commandTimeout, "EVT_COMMAND_TIMEOUT", default: 10)
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

  private func seconds(_ option: DurationArgument?, _ variable: String, default value: Double) throws(BusError) -> Double {
    if let option { return option.seconds }
    guard let text = try environment(variable) else { return value }
    guard let ms = DurationText.milliseconds(text), DurationArgument.oneMillisecondToADay.contains(ms) else {
      throw BusError(.invalidArgument, "\(variable)=\(Printable.escaped(text)) is not a duration between 1ms and 1d (like 5s or 500ms)")
    }
    return Double(ms) / 1000
  }
}
