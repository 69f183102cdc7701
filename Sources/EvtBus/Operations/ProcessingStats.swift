import EvtRedis

/// Processing figures of one group on one type, as workers record them in Redis: counts and a
/// histogram of processing times, per minute, so `evt stats` on any machine sees every worker.
///
/// Kept in `NS:{<type>}:stats:<group>:<minute>` (a hash; the minute is Unix time / 60; kept two
/// hours): `handled`, `retried`, `failed`, `dead` and one `b<k>` field per histogram bucket.
/// The histogram is log-linear like an HdrHistogram with three significant bits: microseconds
/// 0–15 exactly, then eight buckets per power of two, so a percentile read back is within
/// 12.5% of the true value; and buckets of any workers and minutes add up.
public struct ProcessingStats: Sendable, Equatable {
  public var handled = 0
  public var retried = 0
  public var failed = 0
  public var deadLettered = 0
  /// Bucket index → events.
  public var buckets: [Int: Int] = [:]
  /// Per-minute keys that could not be read (not a hash: written by something else); their
  /// figures are left out of these.
  public var unreadable: [String] = []

  public init() {}

  /// How long minutes are kept in Redis.
  public static let keptSeconds = 7200

  /// The bucket of a processing time in microseconds.
  public static func bucket(microseconds: Int64) -> Int {
    let v = max(0, microseconds)
    if v < 16 { return Int(v) }
    let exponent = 63 - v.leadingZeroBitCount  // ≥ 4
    let sub = Int((v >> (exponent - 3)) & 7)
    return 16 + (exponent - 4) * 8 + sub
  }

  /// The middle of a bucket, in microseconds.
  public static func value(ofBucket k: Int) -> Int64 {
    if k < 16 { return Int64(max(0, k)) }
    let exponent = min((k - 16) / 8 + 4, 62)
    let sub = Int64((k - 16) % 8)
    let low = (8 + sub) << (exponent - 3)
    let width = Int64(1) << (exponent - 3)
    return low + width / 2
  }

  mutating func record(microseconds: Int64, count: Int = 1) {
    buckets[Self.bucket(microseconds: microseconds), default: 0] += count
  }

  /// Adds another worker's or minute's figures.
  /// Sums saturate: counts read from Redis may be anything (hostile or corrupt) and must not
  /// trap.
  public mutating func add(_ other: ProcessingStats) {
    handled = handled.addingSaturated(other.handled)
    retried = retried.addingSaturated(other.retried)
    failed = failed.addingSaturated(other.failed)
    deadLettered = deadLettered.addingSaturated(other.deadLettered)
    for (k, n) in other.buckets { buckets[k] = buckets[k, default: 0].addingSaturated(n) }
    unreadable += other.unreadable
  }

  /// The processing time (microseconds) below which `fraction` of the events recorded fall,
  /// or `nil` when none was recorded.
  public func percentile(_ fraction: Double) -> Int64? {
    let total = buckets.values.reduce(0) { $0.addingSaturated($1) }
    guard total > 0 else { return nil }
    let exact = (fraction * Double(total)).rounded(.up)
    let rank = exact >= Double(total) ? total : max(1, Int(exact))
    var seen = 0
    for k in buckets.keys.sorted() {
      seen = seen.addingSaturated(buckets[k]!)
      if seen >= rank { return Self.value(ofBucket: k) }
    }
    return nil
  }

  /// The hash's fields as HINCRBY arguments.
  func increments(key: String) -> [RedisCommand] {
    var out: [RedisCommand] = []
    for (field, n) in [("handled", handled), ("retried", retried), ("failed", failed), ("dead", deadLettered)] where n > 0 {
      out.append(["HINCRBY", key, field, String(n)])
    }
    for (k, n) in buckets.sorted(by: { $0.key < $1.key }) { out.append(["HINCRBY", key, "b\(k)", String(n)]) }
    out.append(["EXPIRE", key, String(Self.keptSeconds)])
    return out
  }

  /// Figures from one HGETALL reply; fields it does not know are ignored (hostile or newer).
  init(hash reply: RedisReply) {
    for (field, value) in reply.fields ?? [:] {
      guard let text = value.string, let n = Int(text), n >= 0 else { continue }
      switch field {
      case "handled": handled = handled.addingSaturated(n)
      case "retried": retried = retried.addingSaturated(n)
      case "failed": failed = failed.addingSaturated(n)
      case "dead": deadLettered = deadLettered.addingSaturated(n)
      default:
        guard field.hasPrefix("b"), let k = Int(field.dropFirst()), (0..<512).contains(k) else { continue }
        buckets[k] = buckets[k, default: 0].addingSaturated(n)
      }
    }
  }

  /// The figures of `group` on `type` over the last `minutes` minutes (this one included).
  /// A minute's key that is not a hash is named in ``unreadable`` and the rest still added up.
  public static func read(
    _ connection: RedisConnection, keys: Keys, group: String, type: String, minutes: Int, now: EventTime = .now()
  ) throws(BusError) -> ProcessingStats {
    let current = Int(now.milliseconds / 60_000)
    let minuteKeys = (0..<max(1, minutes)).map { keys.processingStats(group, type, minute: current - $0) }
    let commands = minuteKeys.map { key -> RedisCommand in ["HGETALL", key] }
    let replies = try connection.busReplies(commands)
    var total = ProcessingStats()
    for (key, reply) in zip(minuteKeys, replies) {
      if reply.errorMessage?.hasPrefix("WRONGTYPE") == true {
        total.unreadable.append(key)
        continue
      }
      try connection.busCheck(reply, "HGETALL")
      total.add(ProcessingStats(hash: reply))
    }
    return total
  }
}

extension Int {
  func addingSaturated(_ other: Int) -> Int {
    let (sum, overflow) = addingReportingOverflow(other)
    return overflow ? (other > 0 ? .max : .min) : sum
  }
}

/// Records what a group consumer handles into Redis (``ProcessingStats``): counts are kept in
/// memory and written at most once a second (and when the subscription ends) in one pipeline,
/// so recording costs no round trip per event. A write that fails is tried again with the next
/// one; figures are lost only when the process dies before it could write them.
public final class ProcessingStatsRecorder: ConsumerObserver {
  let connection: RedisConnection
  let keys: Keys
  let group: String
  private var minute: Int
  private var byType: [String: ProcessingStats] = [:]
  private var lastWrite: Int64

  public init(connection: RedisConnection, keys: Keys, group: String) {
    self.connection = connection
    self.keys = keys
    self.group = group
    let now = EventTime.now().milliseconds
    minute = Int(now / 60_000)
    lastWrite = now
  }

  public func loopTurned() { writeIfDue() }
  public func ended() { write() }
  public func handled(type: String, count: Int, seconds: Double) {
    let us = Int64(max(0, min(seconds, 1e9)) * 1_000_000)
    update(type) {
      $0.handled += count
      $0.record(microseconds: us, count: count)
    }
  }
  public func retried(type: String) { update(type) { $0.retried += 1 } }
  public func failed(type: String) { update(type) { $0.failed += 1 } }
  public func deadLettered(type: String) { update(type) { $0.deadLettered += 1 } }

  /// Changes the figures kept for `type` in the current minute.
  private func update(_ type: String, _ change: (inout ProcessingStats) -> Void) {
    rollMinute()
    change(&byType[type, default: ProcessingStats()])
  }

  /// Writes what is kept; quietly keeps it when Redis cannot be written to.
  public func write() {
    guard !byType.isEmpty else { return }
    var commands: [RedisCommand] = []
    for (type, stats) in byType {
      commands += stats.increments(key: keys.processingStats(group, type, minute: minute))
    }
    lastWrite = EventTime.now().milliseconds
    guard (try? connection.pipeline(commands)) != nil else { return }
    byType.removeAll(keepingCapacity: true)
  }

  private func writeIfDue() {
    if !byType.isEmpty && EventTime.now().milliseconds - lastWrite >= 1000 { write() }
  }

  /// Figures of a minute that ended go out under that minute before new ones are kept.
  private func rollMinute() {
    let now = Int(EventTime.now().milliseconds / 60_000)
    if now != minute {
      write()
      byType.removeAll(keepingCapacity: true)  // a failed write of an old minute is dropped, not misfiled
      minute = now
    }
  }
}
