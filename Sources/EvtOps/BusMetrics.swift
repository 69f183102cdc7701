import CoreMetrics
import EvtBus
import Prometheus

/// The Prometheus metrics of one long-running consumer (`subscribe --group`,
/// `run-email-worker`), recorded through swift-metrics into its own registry and served by
/// ``OpsServer`` at `/metrics`. Thread-safe: a worker's handler threads share one.
///
/// Metric names (labels `group` and `type` where they apply):
/// - `evt_events_handled_total`, `evt_events_retried_total`, `evt_events_failed_total`
///   (each failed attempt), `evt_events_dead_lettered_total` — counters;
/// - `evt_processing_seconds` — histogram of each handled event's processing time;
/// - `evt_group_lag`, `evt_group_pending` — gauges read from Redis at each scrape (lag -1:
///   Redis cannot tell);
/// - `evt_breaker_state` — gauge, 0 closed, 1 half-open, 2 open (workers with a breaker);
/// - `evt_reconnects_total`, `evt_group_recreated_total` — counters;
/// - `evt_redis_up` — gauge, 1 when the last scrape's or readiness check's queries succeeded.
package final class BusMetrics: ConsumerObserver, @unchecked Sendable {
  package let registry = PrometheusCollectorRegistry()
  let factory: PrometheusMetricsFactory
  package let group: String
  private let counters = Locked<[String: CoreMetrics.Counter]>([:])
  private let timers = Locked<[String: CoreMetrics.Timer]>([:])
  private let gauges = Locked<[String: CoreMetrics.Gauge]>([:])

  package init(group: String) {
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = [
      .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
      .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    self.factory = factory
    self.group = Self.labelValue(group)
  }

  /// Label values from Redis are reduced to printable ASCII without quotes or backslashes.
  static func labelValue(_ text: String) -> String {
    String(text.unicodeScalars.prefix(128).map { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
  }

  private func dimensions(_ type: String?) -> [(String, String)] {
    type.map { [("group", group), ("type", Self.labelValue($0))] } ?? [("group", group)]
  }

  /// The metric of `name` and `type` in `table`, made on first use.
  private func metric<M>(_ table: Locked<[String: M]>, _ name: String, _ type: String?, make: (String, [(String, String)]) -> M) -> M {
    let key = name + "\u{0}" + (type ?? "")
    return table.withLock { table in
      if let m = table[key] { return m }
      let m = make(name, dimensions(type))
      table[key] = m
      return m
    }
  }

  /// Adds `amount` to a counter.
  package func count(_ name: String, type: String? = nil, by amount: Int = 1) {
    metric(counters, name, type) { CoreMetrics.Counter(label: $0, dimensions: $1, factory: factory) }.increment(by: amount)
  }

  /// Sets a gauge.
  package func set(_ name: String, type: String? = nil, to value: Double) {
    metric(gauges, name, type) { CoreMetrics.Gauge(label: $0, dimensions: $1, factory: factory) }.record(value)
  }

  package func handled(type: String, count n: Int, seconds: Double) {
    count("evt_events_handled_total", type: type, by: n)
    let timer = metric(timers, "evt_processing_seconds", type) { CoreMetrics.Timer(label: $0, dimensions: $1, factory: factory) }
    let ns = Int64(max(0, min(seconds, 1e9)) * 1e9)
    for _ in 0..<n { timer.recordNanoseconds(ns) }
  }
  package func retried(type: String) { count("evt_events_retried_total", type: type) }
  package func failed(type: String) { count("evt_events_failed_total", type: type) }
  package func deadLettered(type: String) { count("evt_events_dead_lettered_total", type: type) }
  package func groupRecreated(streams: [String]) { count("evt_group_recreated_total") }
  package func reconnected() { count("evt_reconnects_total") }

  /// The metrics in Prometheus' text format.
  package func exposition() -> [UInt8] { registry.emitToBuffer() }
}
