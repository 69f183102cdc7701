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

/// `--tls-ca-file`, `--tls-cert-file`, `--tls-key-file`, `--tls-server-name`, `--tls-insecure`
/// (or the same as `EVT_TLS_*` variables), for `rediss://` URLs.
struct TLSArguments: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "PEM file of the CAs that sign the server's certificate (env: EVT_TLS_CA_FILE; default: the system's).", valueName: "path"))
  var tlsCAFile: String?

  @Option(help: ArgumentHelp("PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).", valueName: "path"))
  var tlsCertFile: String?

  @Option(help: ArgumentHelp("PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).", valueName: "path"))
  var tlsKeyFile: String?

  @Option(
    help: ArgumentHelp("Name the server's certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL's host).", valueName: "name"))
  var tlsServerName: String?

  @Flag(help: "Do not verify the server's certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).")
  var tlsInsecure = false

  /// The first TLS option given on the command line, for the error when the URL is not rediss://.
  var givenFlag: String? {
    if tlsCAFile != nil { return "--tls-ca-file" }
    if tlsCertFile != nil { return "--tls-cert-file" }
    if tlsKeyFile != nil { return "--tls-key-file" }
    if tlsServerName != nil { return "--tls-server-name" }
    return tlsInsecure ? "--tls-insecure" : nil
  }

  /// The options from the command line, else the environment; each file must be readable.
  func options() throws(BusError) -> TLSOptions {
    func file(_ value: String?, _ flag: String, _ variable: String) throws(BusError) -> String? {
      var given = value
      if given == nil { given = try environment(variable) }
      guard let path = given else { return nil }
      guard access(path, R_OK) == 0 else {
        throw BusError(.invalidArgument, "cannot read \(flag) \(Printable.escaped(path)): \(String(cString: strerror(errno)))")
      }
      return path
    }
    var options = TLSOptions(
      caFile: try file(tlsCAFile, "--tls-ca-file", "EVT_TLS_CA_FILE"),
      certFile: try file(tlsCertFile, "--tls-cert-file", "EVT_TLS_CERT_FILE"),
      keyFile: try file(tlsKeyFile, "--tls-key-file", "EVT_TLS_KEY_FILE"))
    if (options.certFile == nil) != (options.keyFile == nil) {
      throw BusError(.invalidArgument, "--tls-cert-file and --tls-key-file go together (a client certificate and its key)")
    }
    var serverName = tlsServerName
    if serverName == nil { serverName = try environment("EVT_TLS_SERVER_NAME") }
    if let name = serverName {
      guard !name.isEmpty, name.utf8.count <= 253, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:".contains($0)) })
      else {
        throw BusError(.invalidArgument, "--tls-server-name \(Printable.escaped(name)) is not a host name")
      }
      options.serverName = name
    }
    if tlsInsecure {
      options.insecure = true
    } else if let value = try environment("EVT_TLS_INSECURE") {
      switch value.lowercased() {
      case "1", "true", "yes": options.insecure = true
      case "0", "false", "no": options.insecure = false
      default: throw BusError(.invalidArgument, "EVT_TLS_INSECURE=\(Printable.escaped(value)) is not 1 or 0")
      }
    }
    if options.insecure {
      Self.warnInsecure()
    }
    return options
  }

  /// Said once per process, on standard error, whenever verification is off.
  private static let warned = Locked(false)
  private static func warnInsecure() {
    guard
      warned.withLock({ w in
        defer { w = true }; return !w
      })
    else { return }
    Warnings.say("--tls-insecure: the server's certificate is not verified; anyone in between can read and change the traffic")
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
