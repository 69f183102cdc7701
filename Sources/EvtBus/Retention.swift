import EvtRedis

/// How much of a stream a trim aims to remove.
public enum TrimTarget: Sendable, Equatable {
  /// Keep the newest `n` entries.
  case maxLength(Int)
  /// Remove entries older than this time.
  case before(EventTime)
  /// Remove everything (what the groups allow).
  case all
}

/// What a trim of one stream did (or, in a dry run, would do).
public struct TrimResult: Sendable {
  public enum Kind: String, Sendable { case stream, replay, deadLetters = "dead letters" }
  public var type: String
  public var kind: Kind
  /// The group a replay stream or dead-letter queue belongs to.
  public var group: String?
  public var key: String
  /// Entries removed (a dry run: that would be removed).
  public var removed: Int
  /// Entries the target alone would have removed.
  public var wanted: Int
  /// The group whose unfinished work stopped the trim, and the first id it still needs.
  public var heldBy: (group: String, firstNeeded: StreamID)?
  /// Entries the target would have removed but that were kept for `heldBy`.
  public var kept: Int { wanted - removed }
}

/// Trims streams without dropping unfinished work (`evt trim`).
///
/// For a type's stream, the lowest id some consumer group still needs is worked out from every
/// group: its first pending entry (read, not acknowledged), else the entry after its
/// last-delivered id (not read yet). Only entries below both that id and the target are
/// removed (XTRIM MINID, exact), so every group still gets every event it has not finished;
/// the computation and the trim run in one script, so nothing read or added meanwhile is
/// missed. Replay streams are trimmed to what their group has acknowledged; dead-letter queues
/// (read by no group) to the target alone.
public struct Retention {
  public let connection: RedisConnection
  public let keys: Keys

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// Trims the streams of the types `selection` matches (all types with an empty selection):
  /// each type's stream to `target` (ignoring groups only with `ignoringGroups`), each
  /// group's replay stream to what the group acknowledged and, with `deadLetters`, each
  /// group's dead letters to `target`. With `dryRun` nothing is removed.
  public func trim(
    _ selection: TypeSelection, to target: TrimTarget, ignoringGroups: Bool = false, deadLetters: Bool = false, dryRun: Bool = false
  ) throws(BusError) -> [TrimResult] {
    var out: [TrimResult] = []
    for type in try selection.resolve(connection, keys) {
      let stream = keys.stream(type)
      guard let main = try trim(stream, target, respectingGroups: !ignoringGroups, dryRun: dryRun) else { continue }
      out.append(TrimResult(type: type, kind: .stream, key: stream, removed: main.removed, wanted: main.wanted, heldBy: main.heldBy))
      let groups = try connection.busCommand(["XINFO", "GROUPS", stream])
      for info in try StreamReply.info(groups, "XINFO GROUPS \(stream)") {
        guard let group = info["name"]?.string else { continue }
        let replay = keys.replay(group, type)
        if let r = try trim(replay, .all, respectingGroups: true, dryRun: dryRun), r.wanted > 0 {
          out.append(
            TrimResult(type: type, kind: .replay, group: group, key: replay, removed: r.removed, wanted: r.wanted, heldBy: r.heldBy))
        }
        guard deadLetters else { continue }
        let dlq = keys.deadLetters(group, type)
        if let r = try trim(dlq, target, respectingGroups: false, dryRun: dryRun) {
          out.append(TrimResult(type: type, kind: .deadLetters, group: group, key: dlq, removed: r.removed, wanted: r.wanted, heldBy: nil))
        }
      }
    }
    return out
  }

  /// Removes from the replay streams of `group` (of every group when `nil`) the entries the
  /// group has acknowledged; `evt replay-dlq` does this before it replays, so replay streams do
  /// not grow with every replay.
  /// - Returns: how many entries were removed.
  @discardableResult
  public func trimReplays(group: String?) throws(BusError) -> Int {
    var removed = 0
    for r in try DeadLetterStore(connection: connection, keys: keys).replayStreams() where group == nil || r.group == group {
      removed += try trim(r.key, .all, respectingGroups: true, dryRun: false)?.removed ?? 0
    }
    return removed
  }

  private func trim(_ key: String, _ target: TrimTarget, respectingGroups: Bool, dryRun: Bool) throws(BusError) -> (
    removed: Int, wanted: Int, heldBy: (group: String, firstNeeded: StreamID)?
  )? {
    let mode: [String]
    switch target {
    case .maxLength(let n): mode = ["maxlen", String(n)]
    case .before(let time): mode = ["minid", "\(max(0, time.milliseconds))-0"]
    case .all: mode = ["maxlen", "0"]
    }
    let reply = try Self.script.run(on: connection, keys: [key], args: mode + [respectingGroups ? "1" : "0", dryRun ? "1" : "0"])
    guard let parts = reply.array, parts.count == 4 else { throw StreamReply.unexpected("trim of \(key)", reply) }
    guard let removed = parts[0].int, removed >= 0 else { return nil }  // no such stream
    let holder = parts[2].string.flatMap { $0.isEmpty ? nil : $0 }
    let needed = parts[3].string.flatMap(StreamID.init)
    return (removed, parts[1].int ?? removed, holder.flatMap { h in needed.map { (h, $0) } })
  }

  /// KEYS: the stream. ARGV: `maxlen N` or `minid ID`, respect groups (1/0), dry run (1/0).
  /// Returns {removed (-1: no stream), wanted, holding group or '', first id it needs or ''}.
  /// Ids are compared as decimal strings (Lua numbers cannot hold 64-bit sequence numbers).
  static let script = RedisScript(
    """
    local key = KEYS[1]
    if redis.call('EXISTS', key) == 0 then return {-1, 0, '', ''} end
    local function parse(id) return string.match(id, '^(%d+)-(%d+)$') end
    local function numlt(a, b) if #a ~= #b then return #a < #b end return a < b end
    local function lt(a, b)
      local am, as = parse(a)
      local bm, bs = parse(b)
      if am ~= bm then return numlt(am, bm) end
      return numlt(as, bs)
    end
    local function incr(d)
      local i, tail = #d, ''
      while i > 0 do
        local c = string.byte(d, i) - 48
        if c < 9 then return string.sub(d, 1, i - 1) .. string.char(c + 49) .. tail end
        tail = '0' .. tail
        i = i - 1
      end
      return '1' .. tail
    end
    local function after(id)
      local m, s = parse(id)
      if s == '18446744073709551615' then return incr(m) .. '-0' end
      return m .. '-' .. incr(s)
    end
    local function count(upto)
      if upto == '0-0' then return 0 end
      local n, start = 0, '-'
      while true do
        local got = redis.call('XRANGE', key, start, '(' .. upto, 'COUNT', 1000)
        n = n + #got
        if #got < 1000 then return n end
        start = '(' .. got[#got][1]
      end
    end
    local target
    if ARGV[1] == 'minid' then
      target = ARGV[2]
    else
      local keep, len = tonumber(ARGV[2]), redis.call('XLEN', key)
      if len <= keep then return {0, 0, '', ''} end
      if keep == 0 then
        target = after(redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1][1])
      else
        local skip, start = len - keep, '-'
        while not target do
          local got = redis.call('XRANGE', key, start, '+', 'COUNT', 1000)
          if #got == 0 then return {0, 0, '', ''} end
          if skip < #got then target = got[skip + 1][1] else skip = skip - #got end
          start = '(' .. got[#got][1]
        end
      end
    end
    local limit, holder, needed = target, '', ''
    if ARGV[3] == '1' then
      for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
        local name, pending, last
        for i = 1, #g, 2 do
          if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'pending' then pending = g[i + 1]
          elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
        end
        local first = after(last)
        if pending > 0 then first = redis.call('XPENDING', key, name, '-', '+', 1)[1][1] end
        if lt(first, limit) then limit, holder, needed = first, name, first end
      end
    end
    local wanted = count(target)
    local removed = wanted
    if limit ~= target then removed = count(limit) end
    if ARGV[4] ~= '1' and removed > 0 then removed = redis.call('XTRIM', key, 'MINID', limit) end
    return {removed, wanted, holder, needed}
    """)
}
