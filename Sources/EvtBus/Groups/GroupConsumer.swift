import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// A consumer in a Redis consumer group over the type streams of a selection.
///
/// - Consumers of one group share the work: each entry goes to one consumer of the group.
/// - Delivery is at-least-once: an entry stays pending (in the group's PEL) until ``ack(_:)``;
///   a consumer restarted under the same name first gets back its own pending entries.
/// - The group is created on each stream on first use at ``GroupStart`` (streams of types first
///   published later are joined from their beginning).
public final class GroupConsumer {
  public let connection: RedisConnection
  public let keys: Keys
  public let group: String
  public let consumer: String
  public let selection: TypeSelection
  public let start: GroupStart

  /// Told what this consumer does (processing figures, metrics, heartbeats).
  public var observer: (any ConsumerObserver)?

  /// The streams joined, in a stable order: each type's stream and its replay stream for the
  /// group.
  var streams: [StreamKey] = [] {
    didSet { readAll = nil }
  }
  var joined = Set<StreamKey>()
  /// The XREADGROUP of every stream joined, kept while they stay the same (an idle consumer
  /// of thousands of types sends it twice a second; it is built once).
  var readAll: (max: Int, request: StreamReadRequest)?
  var typeWatch = TypeSetWatch()
  /// Per stream: the last pending id re-read from this consumer's own history, or `nil` once
  /// its history is drained and new entries (`>`) are read.
  var history: [StreamKey: StreamID] = [:]
  var rotation = 0
  /// Set when a read found nothing, so the next read looks for new types first.
  var idle = true

  public init(
    connection: RedisConnection, keys: Keys, group: String, consumer: String, selection: TypeSelection, start: GroupStart = .beginning
  ) throws(BusError) {
    try Self.validateGroupName(group)
    try Self.validateConsumerName(consumer)
    self.connection = connection
    self.keys = keys
    self.group = group
    self.consumer = consumer
    self.selection = selection
    self.start = start
  }

  /// `HOST-PID`: unique per process, so concurrent consumers never share a name.
  public static func defaultName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let host = text.split(separator: ".").first.map(String.init) ?? ""
    return "\(host.isEmpty ? "evt" : host)-\(getpid())"
  }

  /// Group names are part of keys (`NS:{<type>}:dlq:<group>`, `NS:{<type>}:done:<group>:…`): 1 to 128
  /// printable ASCII characters without spaces or `:` (so no key of one group can be read as
  /// a key of another).
  public static func validateGroupName(_ name: String) throws(BusError) {
    guard !name.isEmpty, name.utf8.count <= 128, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") })
    else {
      throw BusError(
        .invalidArgument, "invalid group name \(JSON.quoted(name)): use 1 to 128 printable ASCII characters without spaces or ':'")
    }
  }

  /// Consumer names: 1 to 128 printable ASCII characters without spaces.
  public static func validateConsumerName(_ name: String) throws(BusError) {
    guard !name.isEmpty, name.utf8.count <= 128, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw BusError(.invalidArgument, "invalid consumer name \(JSON.quoted(name)): use 1 to 128 printable ASCII characters without spaces")
    }
  }

  /// Joins the group on every selected stream that exists (and on exact types' streams,
  /// creating them empty), picking up types published since the last call.
  public func refresh() throws(BusError) {
    if streams.isEmpty { typeWatch.reset() }
    guard let types = try typeWatch.types(selection, connection, keys) else { return }
    // Each type's replay stream for the group (events replayed from its dead letters) is
    // read beside the type's stream, always from its beginning.
    let fresh = types.flatMap { [(stream: keys.streamKey($0), replay: false), (keys.replayKey(group, $0), true)] }
      .filter { !joined.contains($0.stream) }
    guard !fresh.isEmpty else { return }
    let isFirst = joined.isEmpty && streams.isEmpty
    let commands = fresh.map { stream, replay -> RedisCommand in
      // A stream that appears after we started is joined from its beginning, so none of its
      // events are skipped.
      ["XGROUP", "CREATE", stream.key, group, isFirst && !replay ? start.argument : "0", "MKSTREAM"]
    }
    let replies = try connection.busReplies(commands)
    for ((stream, _), reply) in zip(fresh, replies) {
      if !ServerMessage.isBusyGroup(reply.errorMessage) { try connection.busCheck(reply, "XGROUP CREATE") }
      joined.insert(stream)
      streams.append(stream)
      history[stream] = .zero
    }
  }

  /// Reads up to `max` deliveries: first this consumer's own pending entries (left by an
  /// earlier run under the same name), then entries reclaimed from consumers that left them
  /// idle for ``claimIdleMilliseconds``, then new entries, waiting up to `blockMilliseconds`
  /// (`nil`: do not wait). With `exact`, never returns more than `max` (otherwise up to `max`
  /// per stream). Entries deleted from the stream while pending are cleaned, not returned.
  /// When Redis lost the group (it restarted empty, or a stream was deleted), the group is
  /// created again and the read returns nothing this time.
  public func read(max: Int, blockMilliseconds: Int?, exact: Bool = true) throws(BusError) -> [Delivery] {
    let got: [Delivery]
    do {
      got = try readOnce(max: max, blockMilliseconds: blockMilliseconds, exact: exact)
    } catch  where error.isNoGroup {
      let lost = streams.map(\.key)
      rejoin()
      try refresh()
      observer?.groupRecreated(streams: lost)
      return []
    }
    idle = got.isEmpty
    return got
  }

  /// How long an idle read waits for new entries: ``Subscription/pollMilliseconds``, longer
  /// with many streams (a blocking read costs Redis in proportion to the streams it waits
  /// on, so an idle consumer of thousands of types costs next to nothing): up to 2 s from
  /// 4,000 streams (2,000 types, each with its replay stream).
  public var pollMilliseconds: Int {
    Swift.min(2000, Swift.max(Subscription.pollMilliseconds, streams.count / 2))
  }

  /// Forgets every stream joined, so the next ``refresh()`` creates the group again.
  func rejoin() {
    stopReadingAhead(givingBack: false)
    joined.removeAll()
    streams.removeAll()
    history.removeAll()
    claimCursors.removeAll()
    idle = true
  }

  func readOnce(max: Int, blockMilliseconds: Int?, exact: Bool) throws(BusError) -> [Delivery] {
    if streams.isEmpty || (idle && selection.hasPatterns) { try refresh() }
    guard !streams.isEmpty else {
      if let ms = blockMilliseconds { sleepMilliseconds(ms) }
      return []
    }
    let pending = streams.filter { history[$0] != nil }
    if !pending.isEmpty {
      let own = try readOwnPending(pending, max: max)
      if !own.isEmpty { return own }
    }
    if let claimed = try reclaimIfDue(max: max), !claimed.isEmpty { return claimed }
    if streams.count == 1 || !exact {
      // An exact limit (`--count`) never reads ahead: nothing beyond it is fetched.
      return try readNew(streams, max: max, blockMilliseconds: blockMilliseconds, mayReadAhead: !exact)
    }
    // Several streams and an exact limit: XREADGROUP's COUNT is per stream, so ask the streams
    // one by one without blocking, then wait for activity on any of them.
    for offset in 0..<streams.count {
      let stream = streams[(rotation + offset) % streams.count]
      let got = try readNew([stream], max: max, blockMilliseconds: nil, mayReadAhead: false)
      if !got.isEmpty {
        rotation = (rotation + offset + 1) % streams.count
        return got
      }
    }
    if let ms = blockMilliseconds { try waitForActivity(ms) }
    return []
  }

  /// After a reconnect: this consumer's own pending entries (read but not acknowledged before
  /// the connection broke) are read again first, and the reclaim scan starts over.
  public func afterReconnect() {
    observer?.reconnected()
    stopReadingAhead(givingBack: false)  // what it brought is pending for this consumer: read again below
    for stream in streams { history[stream] = .zero }
    claimCursors.removeAll()
  }

  // MARK: - State of crash recovery, reading ahead and acknowledgements

  /// Entries pending this long in any consumer of the group (a dead or stuck one) are claimed
  /// by this consumer (XAUTOCLAIM); `nil` turns reclaiming off.
  public var claimIdleMilliseconds: Int?
  /// When the last full reclaim scan ended (ms since 1970), and where the one under way is.
  var lastScanEnded: Int64 = 0
  var claimCursors: [StreamKey: String] = [:]
  /// Reads the next batches while this one is handled, as long as batches come full (a
  /// backlog): Redis prepares batches N+1 and N+2 while evt works on batch N (with one read
  /// in flight Redis still waited for evt a third of the time; with two it never runs dry). Off by default; for fast
  /// handlers only (the entries read ahead are pending for this consumer before the handler
  /// sees them, and the claim keeper does not touch them, so it is used only while
  /// ``claimIdleMilliseconds`` is at least ``readAheadMinimumClaimIdle``). The read ahead
  /// never blocks, and what it brought when the subscription stops goes back to the group.
  public var readAhead = false
  /// The connection reads ahead are sent on (made on first use): nothing else uses it, so
  /// its replies never interleave with other commands'.
  var reader: RedisConnection?
  var inFlight: [InFlight] = []
  /// Whether the batch last returned was full.
  var lastBatchFull = false
  /// Handled entries whose XACK goes out with the next read, per stream in first-seen order.
  var deferredAcks: [(stream: String, ids: [StreamID])] = []
}
