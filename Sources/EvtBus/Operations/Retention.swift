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
/// removed, so every group still gets every event it has not finished. A replay stream's
/// entries are unfinished until its group has acknowledged them, whether or not the group
/// exists on the replay stream yet. Dead-letter queues (read by no group) are trimmed to the
/// target alone.
///
/// Every call into Redis does bounded work, whatever a stream's length: a script walks a
/// stream from its start a few hundred entries (at most about 1 MiB of them) at a time,
/// working out the groups' lowest needed id again in each call, so a group created or a
/// consumer reading meanwhile is respected, and removes what it walked past with an exact
/// `XTRIM MINID`. A dry run walks the same way and removes nothing.
public struct Retention {
  public let connection: RedisConnection
  public let keys: Keys

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// Trims the streams of the types `selection` matches (all types with an empty selection):
  /// each type's stream to `target` (ignoring groups only with `ignoringGroups`), each
  /// replay stream of the type to what its group acknowledged and, with `deadLetters`, each
  /// dead-letter queue of the type to `target`. Replay streams and dead-letter queues are
  /// found by their keys, so those of a group that no longer exists are not missed. With
  /// `dryRun` nothing is removed.
  public func trim(
    _ selection: TypeSelection, to target: TrimTarget, ignoringGroups: Bool = false, deadLetters: Bool = false, dryRun: Bool = false
  ) throws(BusError) -> [TrimResult] {
    let store = DeadLetterStore(connection: connection, keys: keys)
    let replays = Dictionary(grouping: try store.replayStreams(), by: \.type)
    let queues = deadLetters ? Dictionary(grouping: try store.streams("dlq"), by: \.type) : [:]
    var out: [TrimResult] = []
    for type in try selection.resolve(connection, keys) {
      let stream = keys.stream(type)
      if let main = try trim(stream, target, groups: ignoringGroups ? .ignored : .respected, dryRun: dryRun) {
        out.append(TrimResult(type: type, kind: .stream, key: stream, removed: main.removed, wanted: main.wanted, heldBy: main.heldBy))
      }
      for r in replays[type] ?? [] {
        if let t = try trim(r.key, .all, groups: .required(r.group), dryRun: dryRun), t.wanted > 0 {
          out.append(
            TrimResult(type: type, kind: .replay, group: r.group, key: r.key, removed: t.removed, wanted: t.wanted, heldBy: t.heldBy))
        }
      }
      for d in queues[type] ?? [] {
        if let t = try trim(d.key, target, groups: .ignored, dryRun: dryRun) {
          out.append(
            TrimResult(type: type, kind: .deadLetters, group: d.group, key: d.key, removed: t.removed, wanted: t.wanted, heldBy: nil))
        }
      }
    }
    return out
  }

  /// Removes from the replay streams of `group` (of every group when `nil`) the entries the
  /// group has acknowledged (none of a replay stream the group has not read yet); `evt
  /// replay-dlq` does this before it replays, so replay streams do not grow with every replay.
  /// - Returns: how many entries were removed.
  @discardableResult
  public func trimReplays(group: String?) throws(BusError) -> Int {
    var removed = 0
    for r in try DeadLetterStore(connection: connection, keys: keys).replayStreams() where group == nil || r.group == group {
      removed += try trim(r.key, .all, groups: .required(r.group), dryRun: false)?.removed ?? 0
    }
    return removed
  }

  /// Which groups bound a trim.
  enum Groups {
    /// None: the target alone decides (dead letters, `--ignore-groups`).
    case ignored
    /// Every group on the stream.
    case respected
    /// Every group on the stream, and this one even when it is not there yet (a replay
    /// stream: until its group reads it, all of it is unfinished).
    case required(String)
  }

  /// How many entries one call may walk at most, and about how many bytes of them.
  static let stepEntries = 1000
  static let stepBytes = 1 << 20

  private func trim(_ key: String, _ target: TrimTarget, groups: Groups, dryRun: Bool) throws(BusError) -> (
    removed: Int, wanted: Int, heldBy: (group: String, firstNeeded: StreamID)?
  )? {
    switch target {
    case .before(let time):
      let minID = "\(max(0, time.milliseconds))-0"
      let walk = try self.walk(key, below: minID, count: .max, groups: groups, from: "-", dryRun: dryRun)
      guard walk.exists else { return nil }
      var wanted = walk.walked
      if let held = walk.heldBy {
        // What the time alone would also have removed: the rest below it, counted.
        wanted += try self.walk(key, below: minID, count: .max, groups: .ignored, from: held.firstNeeded.description, dryRun: true).walked
      }
      return (walk.walked, wanted, walk.heldBy)
    case .maxLength, .all:
      guard let length = try length(key) else { return nil }
      var wanted = length
      if case .maxLength(let keep) = target { wanted = max(0, length - keep) }
      guard wanted > 0 else { return (0, 0, nil) }
      let walk = try self.walk(key, below: "+", count: wanted, groups: groups, from: "-", dryRun: dryRun)
      guard walk.exists else { return nil }
      return (walk.walked, wanted, walk.heldBy)
    }
  }

  /// XLEN, or `nil` when there is no such stream.
  private func length(_ key: String) throws(BusError) -> Int? {
    let exists = try connection.busCommand(["EXISTS", key]).int ?? 0
    guard exists > 0 else { return nil }
    let reply = try connection.busCommand(["XLEN", key])
    guard let n = reply.int else { throw StreamReply.unexpected("XLEN \(key)", reply) }
    return n
  }

  /// Walks `key` from `start` (inclusive; `-` for its first entry) in bounded steps, up to
  /// `count` entries below `below` (`+`: no bound) and below what `groups` still need;
  /// removes what it walked unless `dryRun`.
  private func walk(_ key: String, below: String, count: Int, groups: Groups, from start: String, dryRun: Bool) throws(BusError) -> (
    exists: Bool, walked: Int, heldBy: (group: String, firstNeeded: StreamID)?
  ) {
    var walked = 0
    var cursor = start
    var step = 100
    var heldBy: (group: String, firstNeeded: StreamID)?
    let (respect, required): (String, String) =
      switch groups {
      case .ignored: ("0", "")
      case .respected: ("1", "")
      case .required(let g): ("1", g)
      }
    while walked < count {
      let asked = min(step, count - walked)
      let reply = try Self.script.run(
        on: connection, keys: [key], args: [below, String(asked), respect, required, dryRun ? "1" : "0", cursor])
      guard let parts = reply.array, parts.count == 5, let n = parts[0].int, let bytes = parts[2].int else {
        throw StreamReply.unexpected("trim of \(key)", reply)
      }
      if n < 0 { return (walked > 0, walked, heldBy) }  // no such stream (any more)
      walked += n
      let holder = parts[3].string ?? ""
      if !holder.isEmpty, let needed = parts[4].string.flatMap(StreamID.init) {
        heldBy = (holder, needed)
      } else {
        heldBy = nil
      }
      guard n == asked, let last = parts[1].string.flatMap(StreamID.init) else { break }
      if dryRun { cursor = "(" + last.description }
      // About stepBytes a call: as many entries as that holds, at the size of the last ones.
      step = max(1, min(Self.stepEntries, Self.stepBytes / max(1, bytes / max(1, n))))
    }
    return (true, walked, heldBy)
  }

  /// KEYS: the stream. ARGV: the id to stay below (`+`: none), how many entries at most,
  /// respect groups (1/0), a group whose absence holds everything ('' none), dry run (1/0),
  /// where to start (`-`, an id, or `(id`; a real run always starts at `-`).
  /// Returns {entries walked (removed unless a dry run; -1: no stream), last id walked or '',
  /// bytes walked, holding group or '', first id it needs or ''}: the holder is named when
  /// it kept the walk from going further. Ids are compared as decimal strings (Lua numbers
  /// cannot hold 64-bit sequence numbers).
  static let script = RedisScript(
    """
    local key = KEYS[1]
    if redis.call('EXISTS', key) == 0 then return {-1, '', 0, '', ''} end
    local function parse(id) return string.match(id, '^(%d+)-(%d+)$') end
    local function numlt(a, b) if #a ~= #b then return #a < #b end return a < b end
    local function lt(a, b)
      if b == '+' then return a ~= '+' end
      if a == '+' then return false end
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
    local top = '18446744073709551615'
    local function after(id)
      local m, s = parse(id)
      if s == top then
        if m == top then return '+' end
        return incr(m) .. '-0'
      end
      return m .. '-' .. incr(s)
    end
    if ARGV[6] == '(' .. top .. '-' .. top then return {0, '', 0, '', ''} end
    local limit, holder, needed = ARGV[1], '', ''
    if ARGV[3] == '1' then
      local found = ARGV[4] == ''
      for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
        local name, pending, last
        for i = 1, #g, 2 do
          if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'pending' then pending = g[i + 1]
          elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
        end
        if name == ARGV[4] then found = true end
        local first = after(last)
        if pending > 0 then first = redis.call('XPENDING', key, name, '-', '+', 1)[1][1] end
        if lt(first, limit) then limit, holder, needed = first, name, first end
      end
      if not found then
        local head = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)
        if #head == 0 then return {0, '', 0, '', ''} end
        limit, holder, needed = head[1][1], ARGV[4], head[1][1]
      end
    end
    local got = {}
    if limit == '+' then
      got = redis.call('XRANGE', key, ARGV[6], '+', 'COUNT', tonumber(ARGV[2]))
    elseif limit ~= '0-0' then
      got = redis.call('XRANGE', key, ARGV[6], '(' .. limit, 'COUNT', tonumber(ARGV[2]))
    end
    local bytes = 0
    for _, e in ipairs(got) do
      bytes = bytes + #e[1]
      for _, v in ipairs(e[2]) do bytes = bytes + #v end
    end
    local n, last = #got, ''
    if n > 0 then last = got[n][1] end
    if ARGV[5] ~= '1' and n > 0 then
      local below = after(last)
      if below == '+' then n = redis.call('XTRIM', key, 'MAXLEN', 0) else n = redis.call('XTRIM', key, 'MINID', below) end
    end
    if holder ~= '' and n == tonumber(ARGV[2]) then holder, needed = '', '' end
    return {n, last, bytes, holder, needed}
    """)
}
