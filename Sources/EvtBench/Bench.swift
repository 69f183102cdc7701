import EvtBus
import EvtRedis
import Histogram

#if canImport(Glibc)
  import Glibc
#endif

/// What `evt bench` runs: publishers and subscribers on threads of their own, each with its
/// own connection, in a private namespace that is deleted afterwards.
package struct BenchConfig: Sendable {
  package var publishers = 1
  package var subscribers = 1
  /// Subscribers share one consumer group (each event to one of them) instead of each
  /// following the stream live (each event to every one).
  package var group = false
  /// Bytes of `data` per event.
  package var size = 128
  /// Events published, over all publishers.
  package var count = 10_000
  /// Events per second over all publishers; `nil`: as fast as they go.
  package var rate: Double?
  /// XADDs each publisher keeps in flight (1: one round trip per event).
  package var pipeline = 1
  /// How long subscribers may take after the last publish before missing events count as lost.
  package var drainSeconds = 10.0

  package init() {}
}

/// How far a run is.
package struct BenchProgress: Sendable {
  package var published: Int
  package var received: Int
  package var seconds: Double
}

/// Rates and end-to-end latency: from the envelope's timestamp (microseconds, taken just
/// before the XADD) to the subscriber's handler having the decoded event.
package struct BenchReport: Sendable {
  package var config: BenchConfig
  package var published: Int
  package var publishSeconds: Double
  package var received: Int
  /// Receivers expected in all (`count`, times the subscribers when they follow live).
  package var expected: Int
  package var consumeSeconds: Double
  /// Latency in microseconds: p50, p90, p99, p99.9, max, mean.
  package var latency: [(label: String, microseconds: Double)]
  /// The run was asked to stop (a signal) before it finished.
  package var interrupted = false

  package var publishRate: Double { publishSeconds > 0 ? Double(published) / publishSeconds : 0 }
  package var consumeRate: Double { consumeSeconds > 0 ? Double(received) / consumeSeconds : 0 }

  /// One JSON object.
  package var json: [UInt8] {
    var members: [JSONValue.Member] = [
      .init("publishers", .number(String(config.publishers))), .init("subscribers", .number(String(config.subscribers))),
      .init("group", .bool(config.group)), .init("size", .number(String(config.size))), .init("count", .number(String(config.count))),
      .init("rate", config.rate.map { .number(Self.number($0)) } ?? .null), .init("pipeline", .number(String(config.pipeline))),
      .init("published", .number(String(published))), .init("publishSeconds", .number(Self.number(publishSeconds))),
      .init("publishRate", .number(Self.number(publishRate.rounded()))), .init("received", .number(String(received))),
      .init("expected", .number(String(expected))), .init("consumeSeconds", .number(Self.number(consumeSeconds))),
      .init("consumeRate", .number(Self.number(consumeRate.rounded()))),
    ]
    members.append(.init("latencyMicroseconds", .object(latency.map { .init($0.label, .number(Self.number($0.microseconds))) })))
    return JSONValue.object(members).serialized
  }

  /// A few lines for people.
  package var table: [String] {
    let who =
      "\(config.publishers) publisher\(config.publishers == 1 ? "" : "s"), \(config.subscribers) subscriber\(config.subscribers == 1 ? "" : "s")"
      + (config.group ? " in one group" : " following live")
    let rate = config.rate.map { "\(Self.number($0))/s" } ?? "unlimited"
    var lines = [
      "\(who); \(config.count) events of \(config.size) bytes; rate \(rate); pipeline \(config.pipeline)",
      "publish  \(published) events in \(Self.fixed(publishSeconds, 3)) s  \(Int(publishRate.rounded())) events/s",
      "consume  \(received) of \(expected) in \(Self.fixed(consumeSeconds, 3)) s  \(Int(consumeRate.rounded())) events/s",
    ]
    lines.append("latency  " + latency.map { "\($0.label) \(Self.micros($0.microseconds))" }.joined(separator: "  "))
    return lines
  }

  static func number(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : fixed(v, 3)
  }

  static func fixed(_ v: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int64((v * scale).rounded())
    let whole = n / Int64(scale)
    var frac = String(abs(n) % Int64(scale))
    while frac.count < digits { frac = "0" + frac }
    return (n < 0 && whole == 0 ? "-" : "") + "\(whole).\(frac)"
  }

  static func micros(_ us: Double) -> String {
    us < 1000 ? "\(Int(us.rounded()))µs" : us < 1_000_000 ? "\(fixed(us / 1000, 2))ms" : "\(fixed(us / 1_000_000, 2))s"
  }
}

/// Runs a benchmark. See ``BenchConfig``.
package final class Bench {
  package let config: BenchConfig
  let connect: @Sendable () throws(BusError) -> RedisConnection
  /// The private namespace of this run.
  package let keys: Keys
  package static let type = "bench.event"

  /// - Parameter namespace: the namespace the private one is named after (`<ns>-bench-<pid>-<n>`).
  package init(config: BenchConfig, namespace: String, connect: @escaping @Sendable () throws(BusError) -> RedisConnection) throws(BusError)
  {
    self.config = config
    self.connect = connect
    let suffix = "-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    self.keys = try Keys(namespace: String(namespace.prefix(64 - suffix.utf8.count)) + suffix)
  }

  private struct Shared {
    var published = 0
    var received = 0
    var firstReceived: Int64 = 0
    var lastReceived: Int64 = 0
    /// When the last publisher finished (µs).
    var publishEnded: Int64?
    var publishersDone = 0
    var failure: BusError?
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
  }

  /// Runs publishers and subscribers, calling `progress` about five times a second (on the
  /// calling thread), and deletes the private namespace before it returns or throws. When
  /// `shouldStop` becomes true (checked five times a second), every thread is stopped, the
  /// namespace deleted, and the report so far returned with ``BenchReport/interrupted`` set.
  package func run(shouldStop: () -> Bool = { false }, progress: (BenchProgress) -> Void) throws(BusError) -> BenchReport {
    let admin = try connect()
    defer { try? removeNamespace(admin) }
    let shared = Locked(Shared())
    let expected = config.subscribers == 0 ? 0 : config.group ? config.count : config.count * config.subscribers
    let stop = Locked(false)
    var threads: [pthread_t] = []
    let started: Int64
    do throws(BusError) {
      started = try start(&threads, shared: shared, expected: expected, stop: stop)
    } catch {
      // A connection that could not be made: what started stops before the error is told.
      stop.withLock { $0 = true }
      for t in threads { pthread_join(t, nil) }
      throw error
    }

    // Progress until every event arrived, a failure, the drain time after the last publish, or
    // a request to stop.
    var interrupted = false
    while true {
      sleepSeconds(0.2, unless: shouldStop)
      if shouldStop() {
        interrupted = true
        break
      }
      let s = shared.withLock { $0 }
      progress(BenchProgress(published: s.published, received: s.received, seconds: Double(EventTime.nowMicroseconds() - started) / 1e6))
      if s.failure != nil || (s.received >= expected && s.publishersDone == config.publishers) { break }
      if s.publishersDone == config.publishers, let ended = s.publishEnded,
        Double(EventTime.nowMicroseconds() - ended) / 1e6 > config.drainSeconds
      {
        break
      }
    }
    stop.withLock { $0 = true }
    for t in threads { pthread_join(t, nil) }
    var result = try report(shared.withLock { $0 }, expected: expected, started: started)
    result.interrupted = interrupted
    return result
  }

  /// Starts the subscribers (each joined before anything is published), then the publishers.
  /// - Returns: when the publishers started (µs).
  private func start(_ threads: inout [pthread_t], shared: Locked<Shared>, expected: Int, stop: Locked<Bool>) throws(BusError) -> Int64 {
    for i in 0..<config.subscribers {
      let connection = try connect()
      let subscriber: Subscriber
      if config.group {
        let consumer = try GroupConsumer(
          connection: connection, keys: keys, group: "bench", consumer: "sub-\(i)", selection: try TypeSelection([Self.type]),
          start: .latest)
        try consumer.refresh()
        subscriber = .group(consumer)
      } else {
        let watcher = StreamWatcher(connection: connection, keys: keys, selection: try TypeSelection([Self.type]))
        try watcher.startAtEnd()
        subscriber = .live(watcher)
      }
      let box = UncheckedBox(subscriber)
      threads.append(
        startThread {
          Self.subscribe(box.value, shared: shared, expected: expected, stop: stop)
        })
    }

    let perPublisher = (0..<config.publishers).map { config.count / config.publishers + ($0 < config.count % config.publishers ? 1 : 0) }
    let connections = try perPublisher.map { _ throws(BusError) in UncheckedBox(try connect()) }
    let started = EventTime.nowMicroseconds()
    for (n, connection) in zip(perPublisher, connections) {
      let config = self.config
      let keys = self.keys
      let rate = config.rate.map { $0 / Double(config.publishers) }
      threads.append(
        startThread {
          Self.publish(n, rate: rate, config: config, keys: keys, connection: connection.value, shared: shared, stop: stop)
        })
    }
    return started
  }

  private func report(_ s: Shared, expected: Int, started: Int64) throws(BusError) -> BenchReport {
    if let failure = s.failure { throw failure }
    let h = s.histogram
    let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]
    var latency = percentiles.map { (label: $0.0, microseconds: Double(h.totalCount > 0 ? h.valueAtPercentile($0.1) : 0)) }
    latency.append(("max", Double(h.totalCount > 0 ? h.max : 0)))
    latency.append(("mean", h.totalCount > 0 ? (h.mean * 10).rounded() / 10 : 0))
    return BenchReport(
      config: config, published: s.published, publishSeconds: Double((s.publishEnded ?? started) - started) / 1e6, received: s.received,
      expected: expected, consumeSeconds: Double(s.lastReceived - s.firstReceived) / 1e6, latency: latency)
  }

  private enum Subscriber {
    case group(GroupConsumer)
    case live(StreamWatcher)
  }

  /// Hands each delivery's latency to the shared histogram (per batch, under one lock).
  private final class Recorder: DeliveryHandler {
    let shared: Locked<Shared>
    let expected: Int
    let stop: Locked<Bool>
    var latencies: [UInt64] = []

    init(shared: Locked<Shared>, expected: Int, stop: Locked<Bool>) {
      self.shared = shared
      self.expected = expected
      self.stop = stop
    }

    func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
      let now = EventTime.nowMicroseconds()
      latencies.removeAll(keepingCapacity: true)
      for d in batch {
        // A group's triage decoded the envelope already; live deliveries are decoded here.
        guard let envelope = d.envelope ?? d.entry.event.flatMap({ try? Envelope.decode($0) }) else { continue }
        latencies.append(UInt64(clamping: max(0, now - envelope.timeMicroseconds)))
      }
      let done = shared.withLock { s in
        for l in latencies { _ = s.histogram.record(min(l, 60_000_000)) }
        if s.firstReceived == 0 { s.firstReceived = now }
        s.lastReceived = now
        s.received += latencies.count
        return s.received >= expected
      }
      if done { stop.withLock { $0 = true } }
      return HandlerResult(succeeded: batch.map(\.entry))
    }
  }

  private static func subscribe(_ subscriber: Subscriber, shared: Locked<Shared>, expected: Int, stop: Locked<Bool>) {
    let recorder = Recorder(shared: shared, expected: expected, stop: stop)
    let shouldStop = { stop.withLock { $0 } }
    do throws(BusError) {
      switch subscriber {
      case .group(let consumer):
        _ = try Subscription.run(group: consumer, limits: SubscriptionLimits(), handler: recorder, shouldStop: shouldStop)
      case .live(let watcher):
        _ = try Subscription.run(live: watcher, limits: SubscriptionLimits(), handler: recorder, shouldStop: shouldStop)
      }
    } catch {
      shared.withLock { if $0.failure == nil { $0.failure = error } }
      stop.withLock { $0 = true }
    }
  }

  private static func publish(
    _ n: Int, rate: Double?, config: BenchConfig, keys: Keys, connection: RedisConnection, shared: Locked<Shared>, stop: Locked<Bool>
  ) {
    let publisher = Publisher(connection: connection, keys: keys)
    publisher.window = config.pipeline
    // `{"seq":N,"pad":"xxx…"}` padded to the configured size.
    let padding = max(0, config.size - 30)
    let pad = String(repeating: "x", count: padding)
    let start = EventTime.nowMicroseconds()
    var sent = 0
    var reported = 0
    do throws(BusError) {
      for i in 0..<n {
        if i % 64 == 0, stop.withLock({ $0 }) { break }
        if let rate {
          // Events go out on a schedule (not in bursts): event i at start + i / rate.
          let due = start + Int64(Double(i) / rate * 1e6)
          sleepMicroseconds(due - EventTime.nowMicroseconds())
        }
        let data = Array("{\"seq\":\(i),\"pad\":\"\(pad)\"}".utf8)
        let envelope: Envelope
        do {
          envelope = try Envelope.create(
            type: Self.type, data: data, timestamp: EventTime.isoMicroseconds(EventTime.nowMicroseconds()), maxSize: Int.max)
        } catch { throw BusError(error) }
        if config.pipeline <= 1 {
          _ = try publisher.publish(envelope)
        } else {
          try publisher.enqueue(envelope)
        }
        sent += 1
        if sent % 100 == 0 {
          // Counted as published once Redis confirmed it.
          let confirmed = config.pipeline <= 1 ? sent : publisher.acknowledged
          shared.withLock { $0.published += confirmed - reported }
          reported = confirmed
        }
      }
      if config.pipeline > 1 { try publisher.finish() }
      let confirmed = config.pipeline <= 1 ? sent : publisher.acknowledged
      shared.withLock { s in
        s.published += confirmed - reported
        s.publishersDone += 1
        s.publishEnded = max(s.publishEnded ?? 0, EventTime.nowMicroseconds())
      }
    } catch {
      shared.withLock { if $0.failure == nil { $0.failure = error } }
      stop.withLock { $0 = true }
    }
  }

  /// Deletes every key of the private namespace (one UNLINK per key: in a cluster they are
  /// in many slots), pipelined.
  private func removeNamespace(_ connection: RedisConnection) throws(BusError) {
    do throws(RedisError) {
      let names = try connection.scanKeys(matching: keys.namespace + ":*")
      for chunk in stride(from: 0, to: names.count, by: 1000) {
        _ = try connection.pipeline(names[chunk..<min(chunk + 1000, names.count)].map { ["UNLINK", $0] })
      }
    } catch {
      throw BusError(error)
    }
  }
}

/// Moves a non-Sendable value (a connection, a consumer) into the one thread that uses it.
private struct UncheckedBox<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
