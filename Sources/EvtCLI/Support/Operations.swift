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
      "Serve /metrics (Prometheus), /healthz and /readyz on this address, like 127.0.0.1:9464 (with --group).", valueName: "host:port"))
  var metricsAddr: String?

  @Option(
    help: ArgumentHelp("Touch this file on every turn of the consumer's loop, for liveness checks (with --group).", valueName: "path"))
  var heartbeatFile: String?

  func validate() throws {
    do {
      _ = try level()
      _ = try format()
    } catch let e as BusError { throw ValidationError(e.message) }
  }

  private func level() throws(BusError) -> Logger.Level {
    let text = logLevel ?? TraceContext.variable("EVT_LOG_LEVEL") ?? "info"
    guard let level = Logger.Level(rawValue: text.lowercased()) else {
      let source = logLevel == nil ? "EVT_LOG_LEVEL" : "--log-level"
      throw BusError(
        .invalidArgument, "\(source) \(JSON.quoted(text)) is not one of trace, debug, info, notice, warning, error, critical")
    }
    return level
  }

  private func format() throws(BusError) -> LogFormat {
    let text = logFormat ?? TraceContext.variable("EVT_LOG_FORMAT") ?? "text"
    guard let format = LogFormat(rawValue: text.lowercased()) else {
      let source = logFormat == nil ? "EVT_LOG_FORMAT" : "--log-format"
      throw BusError(.invalidArgument, "\(source) \(JSON.quoted(text)) is not one of text, json, logfmt")
    }
    return format
  }

  /// Sets up logging for the process and returns the command's logger.
  func logger(_ label: String, metadata: Logger.Metadata = [:]) throws(BusError) -> Logger {
    let (format, level) = (try format(), try level())
    EvtLogHandler.bootstrap(format: format, level: level)
    var logger = Logger(label: label)
    for (k, v) in metadata { logger[metadataKey: k] = v }
    return logger
  }

  /// The observers these options ask for (metrics with --metrics-addr, a heartbeat file), and
  /// the log of group events; the metrics to serve, if any.
  func observers(group: String, logger: Logger) throws(BusError) -> (ConsumerObservers, BusMetrics?) {
    let metrics = metricsAddr.map { _ in BusMetrics(group: group) }
    var all: [any ConsumerObserver] = [ConsumerLog(logger: logger)]
    if let metrics { all.append(metrics) }
    if let heartbeatFile { all.append(try Heartbeat(path: heartbeatFile)) }
    return (ConsumerObservers(all), metrics)
  }

  /// Starts the HTTP listener when --metrics-addr was given, and logs where.
  func serve(_ metrics: BusMetrics?, logger: Logger, probe: (BusMetrics) throws(BusError) -> ReadinessProbe) throws(BusError) {
    guard let metricsAddr, let metrics else { return }
    let server = try OpsServer(address: metricsAddr, metrics: metrics, probe: try probe(metrics))
    server.start()
    logger.info("serving /metrics, /healthz and /readyz on http://\(server.address)")
  }
}
