import EvtRedis

/// Which type streams a reader covers: exact type names, and glob patterns matched against
/// `NS:types` (so types first published later are picked up by ``refresh()``).
public struct TypeSelection: Sendable {
  public let patterns: [String]

  /// - Parameter patterns: type names or globs; empty means every type (`*`).
  /// - Throws: ``BusError`` `.usage` for a name that is neither a valid type nor a pattern.
  public init(_ patterns: [String]) throws(BusError) {
    for p in patterns {
      do { try EventType.validatePattern(p) } catch { throw BusError(.usage, error.message) }
    }
    self.patterns = patterns.isEmpty ? ["*"] : patterns
  }

  /// Exact type names (no glob characters): their streams are read even before they exist.
  public var exactTypes: [String] { patterns.filter { !EventType.isPattern($0) } }
  public var hasPatterns: Bool { patterns.contains(where: EventType.isPattern) }

  public func matches(_ type: String) -> Bool {
    patterns.contains { EventType.matches($0, type) }
  }

  /// The selected types that exist now, sorted.
  func resolve(_ connection: RedisConnection, _ keys: Keys) throws(BusError) -> [String] {
    var types = Set(exactTypes)
    if hasPatterns {
      let reply = try wrap { () throws(RedisError) in try connection.command(["SMEMBERS", keys.types]) }
      for t in reply.array ?? [] {
        if let s = t.string, matches(s) { types.insert(s) }
      }
    }
    return types.sorted()
  }
}

/// Reads the type streams of a selection without a consumer group: the history (`tail`), then
/// new events as they arrive (`tail -f`, `subscribe` without `--group`).
///
/// Every reader sees every event; nothing is acknowledged. Events are delivered in stream-id
/// order within each read; across streams, each read is merged by stream id (time order).
public final class StreamWatcher {
  public let connection: RedisConnection
  public let keys: Keys
  public let selection: TypeSelection
  /// The last id seen or skipped per stream key; the next read continues after it.
  public private(set) var cursors: [String: StreamID] = [:]
  /// Stream keys in a stable order.
  private var streamKeys: [String] = []

  public init(connection: RedisConnection, keys: Keys, selection: TypeSelection) {
    self.connection = connection
    self.keys = keys
    self.selection = selection
  }

  /// Picks up types that appeared since the last call. Their streams are read from the start,
  /// since they were created after this reader began.
  public func refresh() throws(BusError) {
    for type in try selection.resolve(connection, keys) {
      let key = keys.stream(type)
      if cursors[key] == nil {
        cursors[key] = .zero
        streamKeys.append(key)
      }
    }
  }

  /// The last `count` events across the selection, oldest first, at or after `since` when
  /// given. Following reads continue after the newest entry of each stream.
  public func last(_ count: Int, since: StreamID? = nil) throws(BusError) -> [StreamEntry] {
    try refresh()
    if let since { skip(before: since) }
    let lower = since?.description ?? "-"
    let commands = streamKeys.map { key -> RedisCommand in
      ["XREVRANGE", key, "+", lower, "COUNT", String(max(count, 1))]
    }
    let replies = try wrap { () throws(RedisError) in try connection.pipeline(commands) }
    var all: [StreamEntry] = []
    for (key, reply) in zip(streamKeys, replies) {
      try checked(reply, "XREVRANGE", connection)
      let entries = StreamEntry.list(reply, stream: key, type: keys.type(ofStream: key) ?? key)
      if let newest = entries.first { cursors[key] = newest.id }
      all.append(contentsOf: entries)
    }
    let merged = mergedInTimeOrder(all)
    return count == 0 ? [] : Array(merged.suffix(count))
  }

  /// Every event at or after `since`, oldest first, in pages of `pageSize`, handed to `emit`
  /// as they are merged. `emit` returns false to stop early.
  public func history(since: StreamID, pageSize: Int = 1000, emit: (StreamEntry) throws(BusError) -> Bool) throws(BusError) {
    try refresh()
    skip(before: since)
    var buffers: [String: ArraySlice<StreamEntry>] = [:]
    var exhausted = Set<String>()
    var next: [String: String] = [:]
    for key in streamKeys { next[key] = since.description }
    func fill(_ keysToFill: [String]) throws(BusError) {
      let commands = keysToFill.map { key -> RedisCommand in ["XRANGE", key, next[key]!, "+", "COUNT", String(pageSize)] }
      let replies = try wrap { () throws(RedisError) in try connection.pipeline(commands) }
      for (key, reply) in zip(keysToFill, replies) {
        try checked(reply, "XRANGE", connection)
        let entries = StreamEntry.list(reply, stream: key, type: keys.type(ofStream: key) ?? key)
        if entries.count < pageSize { exhausted.insert(key) }
        if let last = entries.last { next[key] = last.id.exclusive }
        buffers[key] = entries[...]
      }
    }
    try fill(streamKeys)
    while true {
      let empty = streamKeys.filter { buffers[$0, default: []].isEmpty && !exhausted.contains($0) }
      if !empty.isEmpty { try fill(empty) }
      var best: (key: String, entry: StreamEntry)?
      for key in streamKeys {
        if let head = buffers[key]?.first, best == nil || head.id < best!.entry.id { best = (key, head) }
      }
      guard let best else { return }
      buffers[best.key] = buffers[best.key]!.dropFirst()
      cursors[best.key] = best.entry.id
      if try !emit(best.entry) { return }
    }
  }

  /// Moves every cursor to just before `id`, so nothing older is read later.
  private func skip(before id: StreamID) {
    let previous =
      id.sequence > 0
      ? StreamID(milliseconds: id.milliseconds, sequence: id.sequence - 1)
      : StreamID(milliseconds: id.milliseconds &- 1, sequence: id.milliseconds == 0 ? 0 : UInt64.max)
    for key in streamKeys where cursors[key, default: .zero] < previous { cursors[key] = previous }
  }

  /// Starts following from the current end of every stream (nothing old is delivered).
  public func startAtEnd() throws(BusError) {
    try refresh()
    let commands = streamKeys.map { key -> RedisCommand in ["XREVRANGE", key, "+", "-", "COUNT", "1"] }
    let replies = try wrap { () throws(RedisError) in try connection.pipeline(commands) }
    for (key, reply) in zip(streamKeys, replies) {
      try checked(reply, "XREVRANGE", connection)
      if let newest = StreamEntry.list(reply, stream: key, type: "").first { cursors[key] = newest.id }
    }
  }

  /// Waits up to `blockMilliseconds` (0: does not wait) for events after the cursors and
  /// returns them in time order (at most `count` per stream); empty when nothing arrived.
  public func poll(blockMilliseconds: Int, count: Int = 1000) throws(BusError) -> [StreamEntry] {
    // XREAD's COUNT is per stream: keep at most `count` overall, and move each cursor only
    // past what is returned, so the rest comes with the next poll.
    try refresh()
    guard !streamKeys.isEmpty else {
      sleepMilliseconds(blockMilliseconds)
      return []
    }
    var command: RedisCommand = ["XREAD", "COUNT", String(count)]
    if blockMilliseconds > 0 {
      command.append("BLOCK")
      command.append(blockMilliseconds)
    }
    command.append("STREAMS")
    for key in streamKeys { command.append(key) }
    for key in streamKeys { command.append(cursors[key]!.description) }
    let timeout = connection.commandTimeout + Double(blockMilliseconds) / 1000
    let reply = try wrap { () throws(RedisError) in try connection.command(command, timeout: timeout) }
    var found = StreamEntry.streams(reply, keys: keys)
    if !found.isEmpty && selection.hasPatterns {
      // A type may have appeared while we waited; its first events can be older than what
      // just arrived, so read them now to keep the batch in time order.
      let known = streamKeys.count
      try refresh()
      let fresh = Array(streamKeys[known...])
      if !fresh.isEmpty {
        var more: RedisCommand = ["XREAD", "COUNT", String(count), "STREAMS"]
        for key in fresh { more.append(key) }
        for key in fresh { more.append(cursors[key]!.description) }
        found += StreamEntry.streams(try wrap { () throws(RedisError) in try connection.command(more) }, keys: keys)
      }
    }
    let entries = Array(mergedInTimeOrder(found).prefix(count))
    for e in entries where e.id > cursors[e.stream, default: .zero] { cursors[e.stream] = e.id }
    return entries
  }
}

func sleepMilliseconds(_ ms: Int) {
  guard ms > 0 else { return }
  var remaining = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
  var left = timespec()
  while nanosleep(&remaining, &left) != 0 { remaining = left }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Tail

/// What `evt tail` shows.
public struct TailRequest: Sendable {
  /// How many of the newest events to show; `nil` with `since` shows every event since then.
  public var last: Int?
  /// Only events at or after this stream id (an ISO time converts to `<ms>-0`).
  public var since: StreamID?
  /// Keep printing new events after the history.
  public var follow: Bool

  public init(last: Int?, since: StreamID?, follow: Bool) {
    self.last = last
    self.since = since
    self.follow = follow
  }
}

extension StreamWatcher {
  /// Emits the requested history in time order, then (with `follow`) new events as they
  /// arrive, in batches, until `shouldStop()` turns true. Types first published after tail
  /// started are picked up within one poll interval.
  /// With `reconnect`, following survives Redis going away: it reconnects and continues after
  /// the last event it printed.
  public func tail(
    _ request: TailRequest, reconnect: Reconnect? = nil, shouldStop: () -> Bool, emit: ([StreamEntry]) throws(BusError) -> Void
  ) throws(BusError) {
    if let since = request.since, request.last == nil {
      var page: [StreamEntry] = []
      try history(since: since) { (entry) throws(BusError) in
        page.append(entry)
        if page.count >= 1000 {
          try emit(page)
          page.removeAll(keepingCapacity: true)
        }
        return !shouldStop()
      }
      try emit(page)
    } else {
      try emit(try last(request.last ?? 10, since: request.since))
    }
    guard request.follow else { return }
    while !shouldStop() {
      let batch: [StreamEntry]
      do {
        batch = try poll(blockMilliseconds: Subscription.pollMilliseconds)
      } catch {
        guard let reconnect, error.isConnectionLoss else { throw error }
        guard reconnect.recover(from: error, shouldStop: shouldStop) else { return }
        continue
      }
      if !batch.isEmpty { try emit(batch) }
    }
  }
}
