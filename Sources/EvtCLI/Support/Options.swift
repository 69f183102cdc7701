import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// `--redis-url`, `--namespace` and the timeouts, shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
  @Option(
    name: .customLong("redis-url"),
    help: ArgumentHelp(
      "Redis to use: redis://[user[:password]@]host[:port][/db] or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).",
      valueName: "url"))
  var redisURL: String?

  @Option(help: ArgumentHelp("Key namespace (env: EVT_NAMESPACE; default evt).", valueName: "name"))
  var namespace: String?

  @Option(help: ArgumentHelp("Seconds to wait for a connection (env: EVT_CONNECT_TIMEOUT; default 5).", valueName: "seconds"))
  var connectTimeout: Double?

  @Option(help: ArgumentHelp("Seconds to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10).", valueName: "seconds"))
  var commandTimeout: Double?

  static let defaultURL = "redis://127.0.0.1:6379"

  func validate() throws {
    for (name, value) in [("--connect-timeout", connectTimeout), ("--command-timeout", commandTimeout)] {
      if let v = value, !(v > 0 && v <= 86_400) { throw ValidationError("\(name) must be between 0 and 86400 seconds") }
    }
  }

  /// The URL from the option, the environment or the default. Throws a usage error.
  func url() throws(BusError) -> RedisURL {
    let text = redisURL ?? environment("EVT_REDIS_URL") ?? Self.defaultURL
    do { return try RedisURL(parsing: text) } catch { throw BusError(error) }
  }

  func keys() throws(BusError) -> Keys {
    try Keys(namespace: namespace ?? environment("EVT_NAMESPACE") ?? "evt")
  }

  /// Checks the URL and namespace without connecting (so bad options fail before any I/O).
  func check() throws(BusError) {
    _ = try url()
    _ = try keys()
  }

  func connect() throws(BusError) -> RedisConnection {
    try connector()()
  }

  /// A function that opens a new connection with these options (for worker threads).
  func connector() throws(BusError) -> @Sendable () throws(BusError) -> RedisConnection {
    let url = try url()
    let connect = try seconds(connectTimeout, "EVT_CONNECT_TIMEOUT", default: 5)
    let command = try seconds(commandTimeout, "EVT_COMMAND_TIMEOUT", default: 10)
    let hint = redisURL == nil
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

  private func seconds(_ option: Double?, _ variable: String, default value: Double) throws(BusError) -> Double {
    if let option { return option }
    guard let text = environment(variable) else { return value }
    guard let v = Double(text), v > 0, v <= 86_400 else {
      throw BusError(.usage, "\(variable)=\(text) is not a number of seconds between 0 and 86400")
    }
    return v
  }
}

/// `--json` / `--pretty`: JSON lines by default when standard output is not a terminal.
/// How a consumer group retries, dead-letters and recovers (`subscribe --group`,
/// `run-email-worker`).
struct GroupRecoveryOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Attempts per event, the first included, before it is dead-lettered.", valueName: "n"))
  var maxAttempts: Int = RetryPolicy.defaultMaxAttempts

  @Option(help: ArgumentHelp("Seconds before the first retry; doubles each time, with jitter.", valueName: "seconds"))
  var backoffBase: Double = RetryPolicy.defaultBackoffBase

  @Option(help: ArgumentHelp("Longest wait between retries in seconds.", valueName: "seconds"))
  var backoffMax: Double = RetryPolicy.defaultBackoffMax

  @Option(help: ArgumentHelp("Claim events another consumer left pending this long.", valueName: "seconds"))
  var claimIdle: Double = 60

  @Option(help: ArgumentHelp("Dead-letter an event delivered more than N times: a poison message.", valueName: "n"))
  var maxDeliveries: Int = 10

  func validate() throws {
    if maxAttempts < 1 { throw ValidationError("--max-attempts must be 1 or more") }
    if maxDeliveries < 1 { throw ValidationError("--max-deliveries must be 1 or more") }
    if !(claimIdle > 0 && claimIdle <= 86_400 * 30) { throw ValidationError("--claim-idle must be more than 0 seconds") }
    if !(backoffBase >= 0 && backoffMax >= 0 && backoffBase <= 86_400 && backoffMax <= 86_400) {
      throw ValidationError("--backoff-base and --backoff-max must be between 0 and 86400 seconds")
    }
  }

  var retry: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts, backoffBase: backoffBase, backoffMax: backoffMax) }
  var claimIdleMilliseconds: Int { Int(claimIdle * 1000) }
}

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
    if pretty { return .readable(color: Terminal.isTerminal(1) && environment("NO_COLOR") == nil) }
    return Terminal.isTerminal(1) ? .readable(color: environment("NO_COLOR") == nil) : .json
  }
}

func environment(_ name: String) -> String? {
  guard let p = getenv(name) else { return nil }
  let s = String(cString: p)
  return s.isEmpty ? nil : s
}
