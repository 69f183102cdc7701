import EvtRedis

/// What `evt stats` shows of one event type: its stream, the groups reading it, their dead
/// letters and the processing figures their workers recorded.
public struct TypeStats: Sendable {
  public var type: String
  /// XLEN.
  public var length: Int
  public var first: StreamID?
  public var last: StreamID?
  /// Entries ever added to the stream (Redis 7; `nil` before).
  public var entriesAdded: Int?
  /// Entries added in the last minute (counted up to ``StreamStats/rateCap``).
  public var lastMinute: Int
  public var groups: [GroupStats] = []
  public var deadLetters: [DeadLetterStats] = []

  public init(
    type: String, length: Int, first: StreamID? = nil, last: StreamID? = nil, entriesAdded: Int? = nil, lastMinute: Int,
    groups: [GroupStats] = [], deadLetters: [DeadLetterStats] = []
  ) {
    self.type = type
    self.length = length
    self.first = first
    self.last = last
    self.entriesAdded = entriesAdded
    self.lastMinute = lastMinute
    self.groups = groups
    self.deadLetters = deadLetters
  }
}

/// One consumer group on one type's stream (XINFO GROUPS, XPENDING, XINFO CONSUMERS).
public struct GroupStats: Sendable {
  public var name: String
  /// Entries of the stream the group has not read yet; `nil` where Redis cannot tell (entries
  /// deleted from the middle of the stream, or trimmed before the group read them).
  public var lag: Int?
  public var entriesRead: Int?
  public var lastDelivered: StreamID?
  /// Delivered and not acknowledged.
  public var pending: Int
  /// How long the oldest pending entry has waited since its last delivery.
  public var oldestPendingIdleMilliseconds: Int?
  public var consumers: [ConsumerStats] = []
  /// What the group's workers recorded over the window asked for.
  public var processing = ProcessingStats()

  public init(name: String, lag: Int?, entriesRead: Int? = nil, lastDelivered: StreamID? = nil, pending: Int) {
    self.name = name
    self.lag = lag
    self.entriesRead = entriesRead
    self.lastDelivered = lastDelivered
    self.pending = pending
  }
}

public struct ConsumerStats: Sendable {
  public var name: String
  public var pending: Int
  /// Milliseconds since the consumer last read or claimed.
  public var idleMilliseconds: Int

  public init(name: String, pending: Int, idleMilliseconds: Int) {
    self.name = name
    self.pending = pending
    self.idleMilliseconds = idleMilliseconds
  }
}

/// A dead-letter queue: one group's dead letters of one type.
public struct DeadLetterStats: Sendable {
  public var group: String
  public var size: Int
  public var oldest: StreamID?

  public init(group: String, size: Int, oldest: StreamID?) {
    self.group = group
    self.size = size
    self.oldest = oldest
  }
}

/// Reads the figures `evt stats` shows. Only reads; every figure comes from Redis (XINFO STREAM,
/// XINFO GROUPS, XPENDING, XINFO CONSUMERS, XLEN and the workers' per-minute hashes), so
/// every machine sees the same. Works on one server and on a cluster (each type's keys share
/// a slot).
public struct StreamStats {
  public let connection: RedisConnection
  public let keys: Keys

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// Publish rates are counted up to this many entries a minute (then shown as "at least").
  public static let rateCap = 100_000

  /// The types of the namespace that `selection` matches (all with an empty selection),
  /// sorted, with their figures; processing figures over the last `windowMinutes` minutes.
  ///
  /// Dead letters are found by their keys (SCAN), not through the groups that exist: a group
  /// destroyed with dead letters left, or a type whose stream is gone, still shows them.
  public func collect(_ selection: TypeSelection, windowMinutes: Int, now: EventTime = .now()) throws(BusError) -> [TypeStats] {
    let deadLetterKeys = try self.deadLetterKeys(selection)
    var out: [TypeStats] = []
    for type in Set(try selection.resolve(connection, keys)).union(deadLetterKeys.keys).sorted() {
      guard
        var stats = try typeStats(type, windowMinutes: windowMinutes, now: now)
          ?? (deadLetterKeys[type] == nil ? nil : TypeStats(type: type, length: 0, lastMinute: 0))
      else { continue }
      for (group, key) in deadLetterKeys[type] ?? [] {
        if let d = try deadLetterStats(group: group, key: key) { stats.deadLetters.append(d) }
      }
      out.append(stats)
    }
    return out
  }

  /// The dead-letter streams of the types `selection` matches, by type (SCAN: on every master,
  /// over the whole key space).
  public func deadLetterKeys(_ selection: TypeSelection) throws(BusError) -> [String: [(group: String, key: String)]] {
    var found: [String: [(group: String, key: String)]] = [:]
    for d in try DeadLetterStore(connection: connection, keys: keys).streams("dlq") where selection.matches(d.type) {
      found[d.type, default: []].append((d.group, d.key))
    }
    return found
  }

  /// One dead-letter stream's size and oldest entry; `nil` when it is empty or gone.
  public func deadLetterStats(group: String, key: String) throws(BusError) -> DeadLetterStats? {
    let replies = try connection.busPipeline([["XLEN", key], ["XRANGE", key, "-", "+", "COUNT", "1"]])
    guard let size = replies[0].int, size > 0 else { return nil }
    let oldest = replies[1].array?.first?.array?.first?.string.flatMap(StreamID.init)
    return DeadLetterStats(group: group, size: size, oldest: oldest)
  }

  /// A type's stream and groups; `nil` when its stream is gone. With `countLastMinute` false,
  /// ``TypeStats/lastMinute`` is left 0 (the count reads up to ``rateCap`` entries).
  public func typeStats(_ type: String, windowMinutes: Int, now: EventTime, countLastMinute: Bool = true) throws(BusError)
    -> TypeStats?
  {
    let stream = keys.stream(type)
    let info: StreamInfo
    do {
      info = try connection.info(of: stream)
    } catch  where error.isNoSuchKey {
      return nil  // a registered type whose stream is gone
    }
    var stats = TypeStats(
      type: type, length: info.length, first: info.first, last: info.last, entriesAdded: info.entriesAdded,
      lastMinute: countLastMinute
        ? try Self.count(
          connection, stream, from: StreamID(milliseconds: UInt64(max(0, now.milliseconds - 60_000))).description, to: "+",
          cap: Self.rateCap) : 0)
    for g in try connection.groups(of: stream) {
      let name = g.name
      var group = GroupStats(name: name, lag: g.lag, entriesRead: g.entriesRead, lastDelivered: g.lastDelivered, pending: g.pending)
      if g.pending > 0 {
        group.oldestPendingIdleMilliseconds = try connection.pending(stream, group: name, from: "-", count: 1).first?.idleMilliseconds
      }
      for c in try connection.consumers(of: stream, group: name) {
        group.consumers.append(ConsumerStats(name: c.name, pending: c.pending, idleMilliseconds: c.idleMilliseconds))
      }
      group.processing = try ProcessingStats.read(connection, keys: keys, group: name, type: type, minutes: windowMinutes, now: now)
      stats.groups.append(group)
    }
    return stats
  }

  /// Entries of `stream` with ids from `from` to `to` (inclusive; `(` makes a bound exclusive),
  /// counted by Redis in steps of a thousand, up to `cap`.
  public static func count(_ connection: RedisConnection, _ stream: String, from: String, to: String, cap: Int) throws(BusError) -> Int {
    try countScript.run(on: connection, keys: [stream], args: [from, to, String(cap)]).int ?? 0
  }

  private static let countScript = RedisScript(
    """
    local n, start, cap = 0, ARGV[1], tonumber(ARGV[3])
    while n < cap do
      local got = redis.call('XRANGE', KEYS[1], start, ARGV[2], 'COUNT', math.min(1000, cap - n))
      n = n + #got
      if #got < 1000 then break end
      start = '(' .. got[#got][1]
    end
    return n
    """)
}
