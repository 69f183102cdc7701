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
  /// The streams read, in a stable order.
  private var streams: [StreamKey] = []
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
      let stream = keys.streamKey(type)
      if cursors[stream.key] == nil {
        cursors[stream.key] = .zero
        streams.append(stream)
      }
    }
  }

  /// The last `count` events across the selection, oldest first, at or after `since` when
  /// given. Following reads continue after the newest entry of each stream.
  public func last(_ count: Int, since: StreamID? = nil) throws(BusError) -> [StreamEntry] {
    try refresh()
    if let since { skip(before: since) }
    let lower = since?.description ?? "-"
    let commands = streams.map { stream -> RedisCommand in
      ["XREVRANGE", stream.key, "+", lower, "COUNT", String(max(count, 1))]
    }
    var all: [StreamEntry] = []
    for (stream, entries) in zip(streams, try connection.readRanges(commands, streams: streams)) {
      if let newest = entries.first { cursors[stream.key] = newest.id }
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
    var buffers: [StreamKey: ArraySlice<StreamEntry>] = [:]
    var exhausted = Set<StreamKey>()
    var next: [StreamKey: String] = [:]
    for stream in streams { next[stream] = since.description }
    func fill(_ toFill: [StreamKey]) throws(BusError) {
      let commands = toFill.map { s -> RedisCommand in ["XRANGE", s.key, next[s]!, "+", "COUNT", String(pageSize)] }
      for (stream, entries) in zip(toFill, try connection.readRanges(commands, streams: toFill)) {
        if entries.count < pageSize { exhausted.insert(stream) }
        if let last = entries.last { next[stream] = last.id.exclusive }
        buffers[stream] = entries[...]
      }
    }
    try fill(streams)
    while true {
      let empty = streams.filter { buffers[$0, default: []].isEmpty && !exhausted.contains($0) }
      if !empty.isEmpty { try fill(empty) }
      var best: (stream: StreamKey, entry: StreamEntry)?
      for stream in streams {
        if let head = buffers[stream]?.first, best == nil || head.id < best!.entry.id { best = (stream, head) }
      }
      guard let best else { return }
      buffers[best.stream] = buffers[best.stream]!.dropFirst()
      cursors[best.stream.key] = best.entry.id
      if try !emit(best.entry) { return }
    }
  }

  /// Moves every cursor to just before `id`, so nothing older is read later.
  private func skip(before id: StreamID) {
    let previous =
      id.sequence > 0
      ? StreamID(milliseconds: id.milliseconds, sequence: id.sequence - 1)
      : StreamID(milliseconds: id.milliseconds &- 1, sequence: id.milliseconds == 0 ? 0 : UInt64.max)
    for s in streams where cursors[s.key, default: .zero] < previous { cursors[s.key] = previous }
  }

  /// Starts following from the current end of every stream (nothing old is delivered).
  public func startAtEnd() throws(BusError) {
    try refresh()
    let commands = streams.map { s -> RedisCommand in ["XREVRANGE", s.key, "+", "-", "COUNT", "1"] }
    for (stream, newest) in zip(streams, try connection.readRanges(commands, streams: streams)) {
      if let id = newest.first?.id { cursors[stream.key] = id }
    }
  }

  /// Waits up to `blockMilliseconds` (0: does not wait) for events after the cursors and
  /// returns them in time order (at most `count` per stream); empty when nothing arrived.
  public func poll(blockMilliseconds: Int, count: Int = 1000) throws(BusError) -> [StreamEntry] {
    // XREAD's COUNT is per stream: keep at most `count` overall, and move each cursor only
    // past what is returned, so the rest comes with the next poll.
    try refresh()
    guard !streams.isEmpty else {
      sleepMilliseconds(blockMilliseconds)
      return []
    }
    let read = try connection.readStreams(
      StreamReadRequest(
        ["XREAD", "COUNT", String(count)], streams: streams, ids: streams.map { cursors[$0.key]!.description },
        blockMilliseconds: blockMilliseconds > 0 ? blockMilliseconds : nil))
    if let error = read.error { throw BusError(error) }
    var found = read.entries
    if !found.isEmpty && selection.hasPatterns {
      // A type may have appeared while we waited; its first events can be older than what
      // just arrived, so read them now to keep the batch in time order.
      let known = streams.count
      try refresh()
      let fresh = Array(streams[known...])
      if !fresh.isEmpty {
        found += try connection.readStreamEntries(
          StreamReadRequest(["XREAD", "COUNT", String(count)], streams: fresh, ids: fresh.map { cursors[$0.key]!.description }))
      }
    }
    let entries = Array(mergedInTimeOrder(found).prefix(count))
    for e in entries where e.id > cursors[e.stream, default: .zero] { cursors[e.stream] = e.id }
    return entries
  }
}
