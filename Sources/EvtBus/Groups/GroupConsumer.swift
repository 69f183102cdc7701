import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// One delivery of a stream entry to a consumer.
public struct Delivery: Sendable, Equatable {
  public let entry: StreamEntry
  /// How many times the group has delivered this entry (1 on the first delivery).
  public let deliveryCount: Int
  /// Which in-process attempt this is (1 first, then counting retries of this delivery).
  public var attempt: Int
  /// The entry's envelope, once a consumer group's triage has decoded and checked it (so
  /// handlers need not decode it again); `nil` before that.
  public internal(set) var envelope: Envelope?

  public init(entry: StreamEntry, deliveryCount: Int, attempt: Int = 1) {
    self.entry = entry
    self.deliveryCount = deliveryCount
    self.attempt = attempt
  }

  /// The event's id: the decoded envelope's, else read from the entry (an event that broke
  /// its contract still has one); `nil` when the entry holds no envelope that can be read.
  public var eventID: String? {
    envelope?.id ?? entry.event.flatMap { try? Envelope.decode($0) }?.id
  }
}

/// Where a consumer group starts when it is created.
public enum GroupStart: Sendable, Equatable {
  /// The start of retained history: every event still in the stream (the default).
  case beginning
  /// Only events published after the group was created.
  case latest
  /// Events after this stream id.
  case after(StreamID)

  var argument: String {
    switch self {
    case .beginning: return "0"
    case .latest: return "$"
    case .after(let id): return id.description
    }
  }
}

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

  private var streamKeys: [String] = [] {
    didSet { readAll = nil }
  }
  private var joined = Set<String>()
  /// The XREADGROUP of every stream joined, kept while they stay the same (an idle consumer
  /// of thousands of types sends it twice a second; it is built once).
  private var readAll: (max: Int, block: Int?, command: RedisCommand)?
  private var typeWatch = TypeSetWatch()
  /// Per stream: the last pending id re-read from this consumer's own history, or `nil` once
  /// its history is drained and new entries (`>`) are read.
  private var history: [String: StreamID] = [:]
  private var rotation = 0
  /// Set when a read found nothing, so the next read looks for new types first.
  private var idle = true

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

  /// Group names are part of keys (`NS:dlq:<group>`, `NS:done:<group>:…`): 1 to 128
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
    if streamKeys.isEmpty { typeWatch.reset() }
    guard let types = try typeWatch.types(selection, connection, keys) else { return }
    // Each type's replay stream for the group (events replayed from its dead letters) is
    // read beside the type's stream, always from its beginning.
    let replays = Set(types.map { keys.replay(group, $0) })
    let fresh = types.flatMap { [keys.stream($0), keys.replay(group, $0)] }.filter { !joined.contains($0) }
    guard !fresh.isEmpty else { return }
    let isFirst = joined.isEmpty && streamKeys.isEmpty
    let commands = fresh.map { key -> RedisCommand in
      // A stream that appears after we started is joined from its beginning, so none of its
      // events are skipped.
      ["XGROUP", "CREATE", key, group, isFirst && !replays.contains(key) ? start.argument : "0", "MKSTREAM"]
    }
    let replies = try connection.busReplies(commands)
    for (key, reply) in zip(fresh, replies) {
      if !ServerMessage.isBusyGroup(reply.errorMessage) { try connection.busCheck(reply, "XGROUP CREATE") }
      joined.insert(key)
      streamKeys.append(key)
      history[key] = .zero
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
      let lost = streamKeys
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
    Swift.min(2000, Swift.max(Subscription.pollMilliseconds, streamKeys.count / 2))
  }

  /// Forgets every stream joined, so the next ``refresh()`` creates the group again.
  private func rejoin() {
    stopReadingAhead(givingBack: false)
    joined.removeAll()
    streamKeys.removeAll()
    history.removeAll()
    claimCursors.removeAll()
    idle = true
  }

  private func readOnce(max: Int, blockMilliseconds: Int?, exact: Bool) throws(BusError) -> [Delivery] {
    if streamKeys.isEmpty || (idle && selection.hasPatterns) { try refresh() }
    guard !streamKeys.isEmpty else {
      if let ms = blockMilliseconds { sleepMilliseconds(ms) }
      return []
    }
    let pendingKeys = streamKeys.filter { history[$0] != nil }
    if !pendingKeys.isEmpty {
      let own = try readOwnPending(pendingKeys, max: max)
      if !own.isEmpty { return own }
    }
    if let claimed = try reclaimIfDue(max: max), !claimed.isEmpty { return claimed }
    if streamKeys.count == 1 || !exact {
      // An exact limit (`--count`) never reads ahead: nothing beyond it is fetched.
      return try readNew(streamKeys, max: max, blockMilliseconds: blockMilliseconds, mayReadAhead: !exact)
    }
    // Several streams and an exact limit: XREADGROUP's COUNT is per stream, so ask the streams
    // one by one without blocking, then wait for activity on any of them.
    for offset in 0..<streamKeys.count {
      let key = streamKeys[(rotation + offset) % streamKeys.count]
      let got = try readNew([key], max: max, blockMilliseconds: nil, mayReadAhead: false)
      if !got.isEmpty {
        rotation = (rotation + offset + 1) % streamKeys.count
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
    for key in streamKeys { history[key] = .zero }
    claimCursors.removeAll()
  }

  // MARK: - Crash recovery

  /// Entries pending this long in any consumer of the group (a dead or stuck one) are claimed
  /// by this consumer (XAUTOCLAIM); `nil` turns reclaiming off.
  public var claimIdleMilliseconds: Int?
  /// The claim-idle time consumers use unless told otherwise: a minute.
  public static let defaultClaimIdleMilliseconds = 60_000
  /// Deliveries after which an entry is dead-lettered as a poison message, unless told
  /// otherwise.
  public static let defaultMaxDeliveries = 10
  /// When the last full reclaim scan ended (ms since 1970), and where the one under way is.
  private var lastScanEnded: Int64 = 0
  private var claimCursors: [String: String] = [:]

  /// Continues (or starts, once per half claim-idle period) a scan of the streams' pending
  /// lists for entries idle too long, and claims up to `max` of them. Entries whose stream entry
  /// was deleted are dropped from the pending list by XAUTOCLAIM itself. When a scan completes,
  /// consumers with nothing pending that have been idle for ten claim periods are removed.
  private func reclaimIfDue(max: Int) throws(BusError) -> [Delivery]? {
    guard let idleMs = claimIdleMilliseconds else { return nil }
    let now = EventTime.now().milliseconds
    if claimCursors.isEmpty {
      guard now - lastScanEnded >= Int64(Swift.max(idleMs / 2, 100)) else { return nil }
      for key in streamKeys { claimCursors[key] = "0-0" }
    }
    try flushAcks()
    var out: [Delivery] = []
    for key in streamKeys where claimCursors[key] != nil && out.count < max {
      let claim: RedisCommand = ["XAUTOCLAIM", key, group, consumer, String(idleMs), claimCursors[key]!, "COUNT", String(max - out.count)]
      let (next, entries) = try connection.busDecode(claim) { (raw) throws(BusError) in
        try StreamReply.autoclaim(raw, stream: key, type: keys.type(ofStream: key) ?? key)
      }
      if next == "0-0" { claimCursors[key] = nil } else { claimCursors[key] = next }
      guard let first = entries.first, let last = entries.last else { continue }
      let counts = try deliveryCounts(key, from: first.id, to: last.id, count: entries.count)
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
  private func removeIdleConsumers(olderThan ms: Int) throws(BusError) {
    for key in streamKeys {
      _ = try Self.removeIdleScript.run(on: connection, keys: [key], args: [group, consumer, String(ms)])
    }
  }

  private static let removeIdleScript = RedisScript(
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
  private static let touchScript = RedisScript(touchSource)

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
    for key in streamKeys {
      let consumers: [ConsumerInfo]
      do {
        consumers = try connection.busDecode(["XINFO", "CONSUMERS", key, group]) { (raw) throws(BusError) in
          try StreamReply.consumers(raw, stream: key, group: group)
        }
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

  // MARK: - Reading

  private func readOwnPending(_ pendingKeys: [String], max: Int) throws(BusError) -> [Delivery] {
    try flushAcks()
    var command: RedisCommand = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max), "STREAMS"]
    for key in pendingKeys { command.append(key) }
    for key in pendingKeys { command.append(history[key]!.description) }
    var byStream: [String: [StreamEntry]] = [:]
    for e in try connection.readStreamEntries(command, keys: keys) { byStream[e.stream, default: []].append(e) }
    var all: [Delivery] = []
    var deleted: [StreamEntry] = []
    for key in pendingKeys {
      let entries = byStream[key] ?? []
      guard let first = entries.first, let last = entries.last else {
        history[key] = nil  // drained: from now on read new entries
        continue
      }
      let counts = try deliveryCounts(key, from: first.id, to: last.id, count: entries.count)
      for e in entries {
        if e.fields == nil { deleted.append(e) } else { all.append(Delivery(entry: e, deliveryCount: counts[e.id] ?? 1)) }
      }
      if entries.allSatisfy({ $0.fields == nil }) { history[key] = last.id }
    }
    if !deleted.isEmpty { try ack(deleted) }
    // COUNT is per stream: keep at most `max`, and continue each stream after what is returned.
    let out = Array(mergedDeliveries(all).prefix(max))
    for d in out where d.entry.id > history[d.entry.stream] ?? .zero { history[d.entry.stream] = d.entry.id }
    return out
  }

  private func deliveryCounts(_ key: String, from: StreamID, to: StreamID, count: Int) throws(BusError) -> [StreamID: Int] {
    try connection.busDecode(["XPENDING", key, group, from.description, to.description, String(count), consumer]) {
      (raw) throws(BusError) in try StreamReply.deliveryCounts(raw, stream: key)
    }
  }

  /// Reads new entries. Acknowledgements waiting for the next read (``ackWithNextRead(_:)``)
  /// go out in the same write, before the XREADGROUP: one round trip per batch. With
  /// ``readAhead``, while a backlog lasts the next batch is already on its way (see there).
  private func readNew(_ keysToRead: [String], max: Int, blockMilliseconds: Int?, mayReadAhead: Bool) throws(BusError) -> [Delivery] {
    var read: RedisConnection.StreamRead
    if ahead {
      read = try receiveAhead(keysToRead, max: max, chaining: mayReadAhead)
      // Nothing came: the reads still in flight are taken too before saying so (none is sent).
      while read.entries.isEmpty && read.error == nil && ahead { read = try receiveAhead(keysToRead, max: max, chaining: false) }
    } else {
      let command: RedisCommand
      if keysToRead.count > 1 && keysToRead.count == streamKeys.count {
        // Every stream (keysToRead is streamKeys): the command made for them last time, if any.
        if let r = readAll, r.max == max, r.block == blockMilliseconds {
          command = r.command
        } else {
          command = readCommand(keysToRead, max: max, blockMilliseconds: blockMilliseconds)
          readAll = (max, blockMilliseconds, command)
        }
      } else {
        command = readCommand(keysToRead, max: max, blockMilliseconds: blockMilliseconds)
      }
      read = try connection.readStreams(command, keys: keys, blockMilliseconds: blockMilliseconds, after: deferredAckCommands())
      deferredAcks.removeAll(keepingCapacity: true)
      lastBatchFull = read.entries.count >= max
      if lastBatchFull && mayReadAhead && read.error == nil { try sendAhead(keysToRead, max: max) }
    }
    try checkAckReplies(read.earlierErrors)
    if let readError = read.error {
      guard ServerMessage.isNoGroup(readError.serverMessage) else { throw BusError(readError) }
      // The stream or the group was deleted under us: join again and let the caller retry.
      stopReadingAhead(givingBack: false)
      for key in keysToRead { joined.remove(key) }
      streamKeys.removeAll { keysToRead.contains($0) }
      typeWatch.reset()
      try refresh()
      observer?.groupRecreated(streams: keysToRead)
      return []
    }
    let deliveries = read.entries.map { Delivery(entry: $0, deliveryCount: 1) }
    return keysToRead.count == 1 ? deliveries : mergedDeliveries(deliveries)
  }

  private func readCommand(_ keysToRead: [String], max: Int, blockMilliseconds: Int?) -> RedisCommand {
    var command: RedisCommand = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max)]
    if let ms = blockMilliseconds {
      command.append("BLOCK")
      command.append(String(Swift.max(ms, 1)))
    }
    command.append("STREAMS")
    for key in keysToRead { command.append(key) }
    for _ in keysToRead { command.append(">") }
    return command
  }

  // MARK: - Reading ahead

  /// Reads the next batches while this one is handled, as long as batches come full (a
  /// backlog): Redis prepares batches N+1 and N+2 while evt works on batch N (with one read
  /// in flight Redis still waited for evt a third of the time; with two it never runs dry). Off by default; for fast
  /// handlers only (the entries read ahead are pending for this consumer before the handler
  /// sees them, and the claim keeper does not touch them, so it is used only while
  /// ``claimIdleMilliseconds`` is at least ``readAheadMinimumClaimIdle``). The read ahead
  /// never blocks, and what it brought when the subscription stops goes back to the group.
  public var readAhead = false
  /// Shortest claim-idle time with which entries are read ahead: 10 seconds.
  public static let readAheadMinimumClaimIdle = 10_000
  /// Reads kept in flight ahead of the batch being handled.
  public static let readAheadDepth = 2
  /// The connection reads ahead are sent on (made on first use): nothing else uses it, so
  /// its replies never interleave with other commands'.
  private var reader: RedisConnection?
  /// What the replies still to come on ``reader`` answer, in order.
  private enum InFlight {
    /// A read of up to `max` entries of `keys`.
    case batch(keys: [String], max: Int)
    /// An XACK per stream.
    case acks(Int)
  }
  private var inFlight: [InFlight] = []
  /// Whether a read is in flight (the next batch comes from ``reader``).
  private var ahead: Bool { inFlight.contains { if case .batch = $0 { return true } else { return false } } }
  /// Whether the batch last returned was full.
  private var lastBatchFull = false

  /// Starts reading ahead: ``readAheadDepth`` reads go out on the reader.
  private func sendAhead(_ keysToRead: [String], max: Int) throws(BusError) {
    guard readAhead, !connection.isCluster, (claimIdleMilliseconds ?? Int.max) >= Self.readAheadMinimumClaimIdle else { return }
    do {
      try busCall { () throws(RedisError) in
        if reader == nil || reader!.isBroken {
          reader = try RedisConnection(
            url: connection.url, connectTimeout: connection.connectTimeout, commandTimeout: connection.commandTimeout)
        }
        for _ in 0..<Self.readAheadDepth {
          try reader!.append(readCommand(keysToRead, max: max, blockMilliseconds: nil))
          inFlight.append(.batch(keys: keysToRead, max: max))
        }
        try reader!.flush()
      }
    } catch {
      stopReadingAhead(givingBack: false)
      throw error
    }
  }

  /// Takes the next batch read ahead. While batches come full, another read goes out first
  /// (after the acknowledgements waiting), so ``readAheadDepth`` stay on their way.
  private func receiveAhead(_ keysToRead: [String], max: Int, chaining: Bool) throws(BusError) -> RedisConnection.StreamRead {
    var read = RedisConnection.StreamRead()
    var decoded: Result<RedisError?, BusError> = .success(nil)
    do {
      try busCall { () throws(RedisError) in
        let acks = deferredAckCommands()
        for c in acks { try reader!.append(c) }
        if !acks.isEmpty { inFlight.append(.acks(acks.count)) }
        deferredAcks.removeAll(keepingCapacity: true)
        if chaining && lastBatchFull {
          try reader!.append(readCommand(keysToRead, max: max, blockMilliseconds: nil))
          inFlight.append(.batch(keys: keysToRead, max: max))
        }
        try reader!.flush()
        // Replies in the order they were asked for: acknowledgements up to the next batch.
        replies: while !inFlight.isEmpty {
          switch inFlight.removeFirst() {
          case .acks(let n):
            for _ in 0..<n { read.earlierErrors.append(try reader!.receiveErrorMessage()) }
          case .batch(let sentKeys, let sentMax):
            decoded = try reader!.receiveStreams("XREADGROUP", key: sentKeys.first, keys: keys, into: &read.entries)
            lastBatchFull = read.entries.count >= sentMax
            break replies
          }
        }
      }
    } catch {
      stopReadingAhead(givingBack: false)
      throw error
    }
    read.error = try decoded.get()
    return read
  }

  /// Ends reading ahead: what is still in flight is received and the entries read ahead are
  /// given back to the group (`givingBack`), and the reader is closed. Connection problems
  /// are not reported (the entries then stay pending and come back like any unacknowledged
  /// ones).
  /// - Returns: how many entries were given back.
  @discardableResult
  public func stopReadingAhead(givingBack: Bool = true) -> Int {
    let expected = inFlight
    defer {
      reader?.close()
      reader = nil
      inFlight = []
      lastBatchFull = false
    }
    guard !expected.isEmpty, let reader, !reader.isBroken else { return 0 }
    var entries: [StreamEntry] = []
    for item in expected {
      switch item {
      case .acks(let n):
        for _ in 0..<n { guard (try? reader.receiveErrorMessage()) != nil else { return 0 } }
      case .batch:
        guard case .success(nil)? = try? reader.receiveStreams("XREADGROUP", key: nil, keys: keys, into: &entries) else { return 0 }
      }
    }
    guard givingBack, !entries.isEmpty, (try? giveBack(entries)) != nil else { return 0 }
    return entries.count
  }

  /// Ends a subscription's reading: what was read ahead goes back to the group, and the
  /// acknowledgements waiting for a next read are sent.
  /// - Returns: how many entries read ahead were given back.
  public func endReading() throws(BusError) -> Int {
    let givenBack = stopReadingAhead()
    try flushAcks()
    return givenBack
  }

  // MARK: - Acknowledging

  /// Handled entries whose XACK goes out with the next read, per stream in first-seen order.
  private var deferredAcks: [(stream: String, ids: [StreamID])] = []

  /// Acknowledges handled entries with the next read (in its round trip) or at
  /// ``flushAcks()``, whichever comes first. Until then they stay pending: after a crash they
  /// are delivered again (at-least-once), never lost.
  public func ackWithNextRead(_ entries: [StreamEntry]) {
    for e in entries {
      if let last = deferredAcks.indices.last, deferredAcks[last].stream == e.stream {
        deferredAcks[last].ids.append(e.id)  // the usual case: the stream of the one before
      } else if let i = deferredAcks.firstIndex(where: { $0.stream == e.stream }) {
        deferredAcks[i].ids.append(e.id)
      } else {
        deferredAcks.append((e.stream, [e.id]))
      }
    }
  }

  /// Sends the acknowledgements ``ackWithNextRead(_:)`` kept, and waits for them.
  public func flushAcks() throws(BusError) {
    guard !deferredAcks.isEmpty else { return }
    let commands = deferredAckCommands()
    let replies = try connection.busReplies(commands)
    deferredAcks.removeAll(keepingCapacity: true)
    try checkAckReplies(replies.map(\.errorMessage))
  }

  private func checkAckReplies(_ errors: [String?]) throws(BusError) {
    for case let failure? in errors where !ServerMessage.isNoGroup(failure) {
      // (A group Redis lost meanwhile cannot be acknowledged in: its entries come again.)
      throw BusError(connection.error(forReply: failure, command: "XACK"))
    }
  }

  private func deferredAckCommands() -> [RedisCommand] {
    deferredAcks.map { stream, ids in
      var c: RedisCommand = ["XACK", stream, group]
      for id in ids { c.append(id) }
      return c
    }
  }

  /// Blocks until any selected stream gets a new entry or `ms` passes (a plain XREAD, which
  /// delivers nothing to the group).
  private func waitForActivity(_ ms: Int) throws(BusError) {
    try flushAcks()
    var command: RedisCommand = ["XREAD", "COUNT", "1", "BLOCK", String(Swift.max(ms, 1)), "STREAMS"]
    for key in streamKeys { command.append(key) }
    for _ in streamKeys { command.append("$") }
    let read = try connection.readStreams(command, keys: keys, blockMilliseconds: ms)
    if let e = read.error { throw BusError(e) }
  }

  /// Acknowledges handled entries (one XACK per stream, pipelined). Acknowledged entries are
  /// never delivered to this group again.
  public func ack(_ entries: [StreamEntry]) throws(BusError) {
    guard !entries.isEmpty else { return }
    var byStream: [String: [StreamID]] = [:]
    var order: [String] = []
    for e in entries {
      if byStream[e.stream] == nil { order.append(e.stream) }
      byStream[e.stream, default: []].append(e.id)
    }
    let commands = order.map { key -> RedisCommand in
      var c: RedisCommand = ["XACK", key, group]
      for id in byStream[key]! { c.append(id.description) }
      return c
    }
    let replies = try connection.busReplies(commands)
    for reply in replies {
      // A group Redis lost meanwhile cannot be acknowledged in: its entries come again.
      if ServerMessage.isNoGroup(reply.errorMessage) { continue }
      try connection.busCheck(reply, "XACK")
    }
  }
}

private func mergedDeliveries(_ d: [Delivery]) -> [Delivery] {
  d.sorted { ($0.entry.id, $0.entry.stream) < ($1.entry.id, $1.entry.stream) }
}
