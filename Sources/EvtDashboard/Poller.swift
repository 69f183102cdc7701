import EvtBus
import EvtRedis

/// One type's publish rate per minute over the last hour.
///
/// When a type is first seen, each of its last 60 minutes is counted by Redis (XRANGE in one
/// script call per minute, at most ``backfillCap`` entries each: a minute with more is shown
/// as "at least"); from then on each poll adds the growth of the stream's `entries-added`
/// (Redis 7; its length before that) to the current minute, which costs nothing per event.
struct RateHistory: Sendable {
  static let minutes = 60
  static let backfillCap = 1000
  /// Minute (Unix time / 60) → entries added in it.
  var counts: [Int: Int] = [:]
  /// Minutes whose count reached the cap.
  var capped: Set<Int> = []
  var lastAdded: Int?

  /// The last ``minutes`` minutes up to `minute`, oldest first.
  func series(endingAt minute: Int) -> [(count: Int, capped: Bool)] {
    (minute - Self.minutes + 1...minute).map { (counts[$0] ?? 0, capped.contains($0)) }
  }
}

/// A group's lag at one poll.
struct LagSample: Sendable {
  var milliseconds: Int64
  /// `nil`: Redis could not tell.
  var lag: Int?
}

/// What the last poll of Redis found: every type with its groups and dead letters, rates
/// and lag history. Pages render from it without asking Redis.
struct Snapshot: Sendable {
  var time: EventTime
  var types: [TypeStats] = []
  var rates: [String: RateHistory] = [:]
  /// Keyed by ``Snapshot/groupKey(_:_:)``, oldest first, an hour at most.
  var lag: [String: [LagSample]] = [:]
  /// The last poll's failure, when it failed (the figures are then those of ``time``).
  var error: String?
  /// Processing figures cover this many minutes.
  static let windowMinutes = 5

  static func groupKey(_ type: String, _ group: String) -> String { type + "\u{0}" + group }

  func type(_ name: String) -> TypeStats? { types.first { $0.type == name } }
}

/// Polls Redis on a thread of its own every interval, however many people look: the cost to
/// Redis does not grow with clients. Each poll reads, per type, XINFO STREAM and XINFO GROUPS,
/// and per group one XPENDING (oldest entry), XINFO CONSUMERS, the workers' figures of the last
/// five minutes (HGETALL each) and its dead letters (XLEN, XRANGE COUNT 1). Dead-letter queues
/// of groups that no longer exist are found by a SCAN once a minute.
final class Poller: @unchecked Sendable {
  private let settings: DashboardSettings
  private let current: Locked<Snapshot>
  // Touched by the polling thread only.
  private var connection: RedisConnection?
  private var rates: [String: RateHistory] = [:]
  private var lag: [String: [LagSample]] = [:]
  private var deadLetterKeys: [String: [(group: String, key: String)]] = [:]
  private var deadLettersScanned: Int64?

  init(settings: DashboardSettings) {
    self.settings = settings
    current = Locked(Snapshot(time: EventTime(milliseconds: 0), error: "not polled yet"))
  }

  var snapshot: Snapshot { current.withLock { $0 } }

  /// Polls once now (so a Redis that cannot be reached, or a namespace in the old key layout,
  /// fails the start), then on a thread.
  func start() throws(BusError) {
    try pollOnce()
    let interval = Double(settings.intervalMilliseconds) / 1000
    _ = startThread { [self] in
      while true {
        sleepSeconds(interval)
        do throws(BusError) {
          try pollOnce()
        } catch {
          connection = nil
          current.withLock { $0.error = error.message }
        }
      }
    }
  }

  func pollOnce() throws(BusError) {
    let keys = settings.keys
    if connection == nil {
      // Like every reader: a namespace in an earlier evt's key layout is refused (evt migrate).
      let c = try settings.connect()
      try LegacyLayout.check(c, keys)
      connection = c
    }
    guard let connection else { return }
    let stats = StreamStats(connection: connection, keys: keys)
    let now = EventTime.now()
    let minute = Int(now.milliseconds / 60_000)
    let all = try TypeSelection([])
    if deadLettersScanned.map({ now.milliseconds - $0 >= 60_000 || now.milliseconds < $0 }) ?? true {
      deadLetterKeys = try stats.deadLetterKeys(all)
      deadLettersScanned = now.milliseconds
    }
    var types: [TypeStats] = []
    for type in Set(try all.resolve(connection, keys)).union(deadLetterKeys.keys).sorted() {
      guard
        var t = try stats.typeStats(type, windowMinutes: Snapshot.windowMinutes, now: now, countLastMinute: false)
          ?? (deadLetterKeys[type] == nil ? nil : TypeStats(type: type, length: 0, lastMinute: 0))
      else { continue }
      let groups = Set((deadLetterKeys[type] ?? []).map(\.group)).union(t.groups.map(\.name))
      for g in groups.sorted() {
        if let d = try stats.deadLetterStats(group: g, key: keys.deadLetters(g, type)) { t.deadLetters.append(d) }
      }
      try updateRate(t, connection: connection, minute: minute)
      t.lastMinute = rates[type]?.counts[minute] ?? 0
      for g in t.groups {
        var samples = lag[Snapshot.groupKey(type, g.name), default: []]
        samples.append(LagSample(milliseconds: now.milliseconds, lag: g.lag))
        if let first = samples.first, now.milliseconds - first.milliseconds > 3_600_000 { samples.removeFirst() }
        lag[Snapshot.groupKey(type, g.name)] = samples
      }
      types.append(t)
    }
    let seen = Set(types.map(\.type))
    rates = rates.filter { seen.contains($0.key) }
    let groups = Set(types.flatMap { t in t.groups.map { Snapshot.groupKey(t.type, $0.name) } })
    lag = lag.filter { groups.contains($0.key) }
    let snapshot = Snapshot(time: now, types: types, rates: rates, lag: lag, error: nil)
    current.withLock { $0 = snapshot }
  }

  private func updateRate(_ t: TypeStats, connection: RedisConnection, minute: Int) throws(BusError) {
    let added = t.entriesAdded ?? t.length
    guard var history = rates[t.type] else {
      var history = RateHistory(lastAdded: added)
      let stream = settings.keys.stream(t.type)
      // Only the minutes between the stream's first and last entries can hold any.
      let first = max(minute - RateHistory.minutes + 1, t.first.map { Int($0.milliseconds / 60_000) } ?? minute + 1)
      let last = min(minute, t.last.map { Int($0.milliseconds / 60_000) } ?? minute - RateHistory.minutes)
      for m in stride(from: first, through: last, by: 1) {
        let start = Int64(m) * 60_000
        let n = try StreamStats.count(connection, stream, from: String(start), to: String(start + 59_999), cap: RateHistory.backfillCap)
        if n > 0 { history.counts[m] = n }
        if n >= RateHistory.backfillCap { history.capped.insert(m) }
      }
      rates[t.type] = history
      return
    }
    if let last = history.lastAdded, added > last { history.counts[minute, default: 0] += added - last }
    history.lastAdded = added
    history.counts = history.counts.filter { $0.key > minute - RateHistory.minutes }
    history.capped = history.capped.filter { $0 > minute - RateHistory.minutes }
    rates[t.type] = history
  }
}
