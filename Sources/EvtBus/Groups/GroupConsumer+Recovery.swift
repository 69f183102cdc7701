import EvtRedis

extension GroupConsumer {
  /// The claim-idle time consumers use unless told otherwise: a minute.
  public static let defaultClaimIdleMilliseconds = 60_000
  /// Deliveries after which an entry is dead-lettered as a poison message, unless told
  /// otherwise.
  public static let defaultMaxDeliveries = 10

  /// Continues (or starts, once per half claim-idle period) a scan of the streams' pending
  /// lists for entries idle too long, and claims up to `max` of them. Entries whose stream entry
  /// was deleted are dropped from the pending list by XAUTOCLAIM itself. When a scan completes,
  /// consumers with nothing pending that have been idle for ten claim periods are removed.
  func reclaimIfDue(max: Int) throws(BusError) -> [Delivery]? {
    guard let idleMs = claimIdleMilliseconds else { return nil }
    let now = EventTime.now().milliseconds
    if claimCursors.isEmpty {
      guard now - lastScanEnded >= Int64(Swift.max(idleMs / 2, 100)) else { return nil }
      for stream in streams { claimCursors[stream] = "0-0" }
    }
    try flushAcks()
    var out: [Delivery] = []
    for stream in streams where claimCursors[stream] != nil && out.count < max {
      let claim: RedisCommand = [
        "XAUTOCLAIM", stream.key, group, consumer, String(idleMs), claimCursors[stream]!, "COUNT", String(max - out.count),
      ]
      let (next, entries) = try connection.busDecode(claim) { (raw) throws(BusError) in try StreamReply.autoclaim(raw, stream: stream) }
      if next == "0-0" { claimCursors[stream] = nil } else { claimCursors[stream] = next }
      guard let first = entries.first, let last = entries.last else { continue }
      let counts = try deliveryCounts(stream.key, from: first.id, to: last.id, count: entries.count)
      out += entries.map { Delivery(entry: $0, deliveryCount: counts[$0.id] ?? 1) }
    }
    if claimCursors.isEmpty {
      lastScanEnded = now
      try removeIdleConsumers(olderThan: idleMs * 10)
    }
    return mergedDeliveries(out)
  }

  /// Deletes consumers of the group that have nothing pending and have been idle longer than
  /// `ms`, checked and deleted in one script so a consumer that just got work is never removed.
  func removeIdleConsumers(olderThan ms: Int) throws(BusError) {
    for stream in streams {
      _ = try Self.removeIdleScript.run(on: connection, keys: [stream.key], args: [group, consumer, String(ms)])
    }
  }

  static let removeIdleScript = RedisScript(
    """
    local removed = 0
    for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
      local name, pending, idle
      for i = 1, #c, 2 do
        if c[i] == 'name' then name = c[i + 1] elseif c[i] == 'pending' then pending = c[i + 1]
        elseif c[i] == 'idle' then idle = c[i + 1] end
      end
      if name ~= ARGV[2] and pending == 0 and idle > tonumber(ARGV[3]) then
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
        removed = removed + 1
      end
    end
    return removed
    """)

  /// Tells the group this consumer is still working on `entry`, so no other consumer claims it
  /// as abandoned: resets its idle time without counting a delivery — only while this
  /// consumer holds it (checked in the same script).
  /// - Returns: false when the entry is no longer pending for this consumer (acknowledged, or
  ///   claimed by another one).
  public func touch(_ entry: StreamEntry) throws(BusError) -> Bool {
    let id = entry.id.description
    return try Self.touchScript.run(on: connection, keys: [entry.stream], args: [group, id, consumer]).int == 1
  }

  /// KEYS: the stream; ARGV: group, entry id, consumer. Resets the entry's idle time only
  /// while the consumer owns it.
  static let touchSource = """
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
    if p[1] == nil or p[1][2] ~= ARGV[3] then return 0 end
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
    return 1
    """
  static let touchScript = RedisScript(touchSource)

  /// Gives entries this consumer fetched but will not handle back to the group: they stay
  /// pending but look idle for long, so the next reclaim scan of any consumer takes them at
  /// once instead of after the claim-idle time. Their delivery count is not raised.
  public func giveBack(_ entries: [StreamEntry]) throws(BusError) {
    var byStream: [String: [StreamID]] = [:]
    for e in entries { byStream[e.stream, default: []].append(e.id) }
    for (key, ids) in byStream {
      var command: RedisCommand = ["XCLAIM", key, group, consumer, "0"]
      for id in ids { command.append(id.description) }
      // Idle since 1970: older than any claim-idle time (Redis caps it at the current time).
      command.append("TIME")
      command.append("1")
      command.append("JUSTID")
      _ = try connection.busCommand(command)
    }
  }

  /// What other consumers of the group hold.
  public struct PendingElsewhere: Sendable, Equatable {
    public var consumer: String
    public var count: Int
    /// Milliseconds since the consumer last read or claimed (a live one does so at least
    /// every ``pollMilliseconds`` while idle, and every third of the claim-idle time while it works).
    public var idle: Int
  }

  /// Entries of this group pending on other consumers (crashed, stuck, or busy), by consumer.
  public func pendingElsewhere() throws(BusError) -> [PendingElsewhere] {
    var found: [String: PendingElsewhere] = [:]
    for stream in streams {
      let consumers: [ConsumerInfo]
      do {
        consumers = try connection.consumers(of: stream.key, group: group)
      } catch  where error.isNoGroup {
        continue
      }
      for c in consumers where c.name != consumer && c.pending > 0 {
        var entry = found[c.name] ?? PendingElsewhere(consumer: c.name, count: 0, idle: c.idleMilliseconds)
        entry.count += c.pending
        entry.idle = Swift.min(entry.idle, c.idleMilliseconds)
        found[c.name] = entry
      }
    }
    return found.values.sorted { $0.consumer < $1.consumer }
  }

  /// How long a consumer may go without reading or claiming and still count as alive: its
  /// claim keeper touches what it holds every third of the claim-idle time.
  public var livenessMilliseconds: Int { (claimIdleMilliseconds.map { Swift.max(50, $0 / 3) } ?? 1000) + 1000 }
}
