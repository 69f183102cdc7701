import EvtRedis

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
  private var typeWatch = TypeSetWatch()

  public init(connection: RedisConnection, keys: Keys, selection: TypeSelection) {
    self.connection = connection
    self.keys = keys
    self.selection = selection
  }

  /// Picks up types that appeared since the last call. Their streams are read from the start,
  /// since they were created after this reader began.
  public func refresh() throws(BusError) {
    guard let types = try typeWatch.types(selection, connection, keys) else { return }
    for type in types {
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
    var all: [StreamEntry] = []
    for (key, entries) in zip(streamKeys, try connection.readRanges(commands, streams: streamKeys, keys: keys)) {
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
      for (key, entries) in zip(keysToFill, try connection.readRanges(commands, streams: keysToFill, keys: keys)) {
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
    for (key, newest) in zip(streamKeys, try connection.readRanges(commands, streams: streamKeys, keys: keys)) {
      if let id = newest.first?.id { cursors[key] = id }
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
    let read = try connection.readStreams(command, keys: keys, blockMilliseconds: blockMilliseconds > 0 ? blockMilliseconds : nil)
    if let error = read.error { throw BusError(error) }
    var found = read.entries
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
        found += try connection.readStreamEntries(more, keys: keys)
      }
    }
    let entries = Array(mergedInTimeOrder(found).prefix(count))
    for e in entries where e.id > cursors[e.stream, default: .zero] { cursors[e.stream] = e.id }
    return entries
  }
}
