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
      "Redis to use: redis://[user[:password]@]host[:port][/db] or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).",
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

/// How a consumer group retries, dead-letters and recovers (`subscribe --group`,
/// `run-email-worker`).
struct GroupRecoveryOptions: ParsableArguments {
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Attempts per event, the first included, before it is dead-lettered.", valueName: "n"))
  var maxAttempts: Int = RetryPolicy.defaultMaxAttempts

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Wait before the first retry, like 500ms; doubles each time, with jitter.", valueName: "duration"))
  var backoffBase = DurationArgument(milliseconds: Int64(RetryPolicy.defaultBackoffBase * 1000))

  @Option(parsing: .unconditional, help: ArgumentHelp("Longest wait between retries.", valueName: "duration"))
  var backoffMax = DurationArgument(milliseconds: Int64(RetryPolicy.defaultBackoffMax * 1000))

  @Option(parsing: .unconditional, help: ArgumentHelp("Claim events another consumer left pending this long.", valueName: "duration"))
  var claimIdle = DurationArgument(milliseconds: Int64(GroupConsumer.defaultClaimIdleMilliseconds))

  @Option(
    parsing: .unconditional, help: ArgumentHelp("Dead-letter an event delivered more than N times: a poison message.", valueName: "n"))
  var maxDeliveries: Int = GroupConsumer.defaultMaxDeliveries

  func validate() throws {
    if !(1...1_000_000).contains(maxAttempts) { throw ValidationError("--max-attempts must be between 1 and 1000000") }
    if !(1...1_000_000).contains(maxDeliveries) { throw ValidationError("--max-deliveries must be between 1 and 1000000") }
    try claimIdle.check("--claim-idle", DurationArgument.oneMillisecondToThirtyDays)
    try backoffBase.check("--backoff-base", DurationArgument.zeroToADay)
    try backoffMax.check("--backoff-max", DurationArgument.zeroToADay)
  }

  var retry: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts, backoffBase: backoffBase.seconds, backoffMax: backoffMax.seconds) }
  var claimIdleMilliseconds: Int { Int(claimIdle.milliseconds) }
}

/// `--json` / `--pretty`: JSON lines by default when standard output is not a terminal.
struct OutputOptions: ParsableArguments {
  @Flag(help: "Print JSON lines — events exactly as stored (the default when output is not a terminal).")
  var json = false

  @Flag(help: "Print readable lines, coloured on a terminal (the default on a terminal).")
  var pretty = false

  func validate() throws {
    if json && pretty { throw ValidationError("--json and --pretty cannot be used together") }
  }

  var format: EventFormat {
    if json { return .json }
    let color = Terminal.isTerminal(1) && (getenv("NO_COLOR").map { $0.pointee == 0 } ?? true)
    if pretty { return .readable(color: color) }
    return Terminal.isTerminal(1) ? .readable(color: color) : .json
  }
}

/// `--line-buffered`, for the commands that stream events (`tail`, `subscribe`).
struct StreamingOptions: ParsableArguments {
  @Flag(help: "Write each event as soon as it is printed instead of a batch at a time (the default on a terminal).")
  var lineBuffered = false

  /// Whether output is written line by line: asked for, or standard output is a terminal.
  var writesEachLine: Bool { lineBuffered || Terminal.isTerminal(1) }
}

/// An environment variable's value; `nil` when unset or empty.
/// - Throws: a usage error when the value is not valid UTF-8.
func environment(_ name: String) throws(BusError) -> String? {
  guard let p = getenv(name) else { return nil }
  let length = strlen(p)
  guard length > 0 else { return nil }
  let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: length)
  guard let s = String(validating: bytes, as: UTF8.self) else { throw BusError(.invalidArgument, "\(name) is not valid UTF-8") }
  return s
}
