import ArgumentParser
import EvtBus
import EvtOps
import EvtRedis
import Logging

/// Logging, metrics, health and heartbeat options of the long-running consumers
/// (`subscribe`, `run-email-worker`).
struct OperationsOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Log level: trace, debug, info, notice, warning, error or critical (env: EVT_LOG_LEVEL; default info).", valueName: "level"))
  var logLevel: String?

  @Option(help: ArgumentHelp("Log lines as text, json or logfmt (env: EVT_LOG_FORMAT; default text).", valueName: "format"))
  var logFormat: String?

  @Option(
    help: ArgumentHelp(
      "Serve /metrics (Prometheus), /healthz and /readyz on this address, like 127.0.0.1:9464 (with --group; :PORT is loopback, 0.0.0.0:PORT every interface).",
      valueName: "host:port"))
  var metricsAddr: String?

  @Option(
    help: ArgumentHelp("Touch this file on every turn of the consumer's loop, for liveness checks (with --group).", valueName: "path"))
  var heartbeatFile: String?

  func validate() throws {
    do {
      _ = try level()
      _ = try format()
    } catch { throw ValidationError(error.message) }
  }

  private func level() throws(BusError) -> Logger.Level {
    try Self.choice(logLevel, "--log-level", "EVT_LOG_LEVEL", default: .info)
  }

  private func format() throws(BusError) -> LogFormat {
    try Self.choice(logFormat, "--log-format", "EVT_LOG_FORMAT", default: .text)
  }

  /// One of `T`'s cases, named (in any letter case) by the option, else by the environment
  /// variable, else `fallback`; the error names whichever gave the bad value.
  private static func choice<T: RawRepresentable & CaseIterable>(
    _ option: String?, _ optionName: String, _ variable: String, default fallback: T
  ) throws(BusError) -> T where T.RawValue == String {
    let fromEnvironment = option == nil ? try environment(variable) : nil
    guard let text = option ?? fromEnvironment else { return fallback }
    guard let value = T(rawValue: text.lowercased()) else {
      let names = T.allCases.map(\.rawValue).joined(separator: ", ")
      throw BusError(.invalidArgument, "\(option == nil ? variable : optionName) \(JSON.quoted(text)) is not one of \(names)")
    }
    return value
  }

  /// Whether log lines are records (json, logfmt) rather than text: then a handler's standard
  /// error becomes records of its own instead of passing through.
  var structuredLogs: Bool { (try? format()) != .text }

  /// Sets up logging for the process and returns the command's logger. In json and logfmt,
  /// evt's own warnings (``Warnings``) become log records too.
  func logger(_ label: String, metadata: Logger.Metadata = [:]) throws(BusError) -> Logger {
    let (format, level) = (try format(), try level())
    EvtLogHandler.bootstrap(format: format, level: level)
    if format != .text { Warnings.useLogRecords(Logger(label: "evt")) }
    var logger = Logger(label: label)
    for (k, v) in metadata { logger[metadataKey: k] = v }
    return logger
  }
}
