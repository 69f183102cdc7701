import EvtRedis

/// The replayed envelope keeps its id and gains the header `replayedAt`.
public struct DeadLetterStore {
  public let connection: RedisConnection
  public let keys: Keys

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// The groups that have dead letters, sorted.
  public func groups() throws(BusError) -> [String] {
    Set(try streams("dlq").map(\.group)).sorted()
  }

  /// The replay streams of every group (`NS:{<type>}:replay:<group>`), sorted by key.
  public func replayStreams() throws(BusError) -> [(group: String, type: String, key: String)] {
    try streams("replay")
  }

  /// The streams of the namespace whose part after the type is `kind` (`dlq`, `replay`), by
  /// group and type, found with SCAN (on every master of a cluster).
  func streams(_ kind: String) throws(BusError) -> [(group: String, type: String, key: String)] {
    let pattern = Self.globEscaped(keys.namespace) + ":{*}:" + kind + ":*"
    var found: [(group: String, type: String, key: String)] = []
    for key in try connection.busScanKeys(matching: pattern, type: "stream") {
      guard let parts = keys.parts(of: key), parts.kind == kind, !parts.rest.isEmpty else { continue }
      found.append((parts.rest, parts.type, key))
    }
    return found.sorted { $0.key < $1.key }
  }

  /// The dead letters of `group` (of every type) that match `filter`, oldest first, at most
  /// `limit`.
  public func list(group: String, filter: DeadLetterFilter, limit: Int? = nil) throws(BusError) -> [DeadLetter] {
    var out: [DeadLetter] = []
    for stream in try streams("dlq") where stream.group == group {
      out += try list(stream.key, group: group, filter: filter, limit: limit)
    }
    out.sort { $0.dlqID < $1.dlqID }
    if let limit, out.count > limit { out.removeLast(out.count - limit) }
    return out
  }

  /// The dead letters in one DLQ stream that match `filter`, oldest first, at most `limit`.
  private func list(_ key: String, group: String, filter: DeadLetterFilter, limit: Int?) throws(BusError) -> [DeadLetter] {
    var out: [DeadLetter] = []
    var start = filter.since?.description ?? "-"
    while limit.map({ out.count < $0 }) ?? true {
      let entries = try connection.range(key, from: start, count: 1000)
      for e in entries {
        let d = Self.letter(e, group: group, key: key)
        if filter.matches(d) { out.append(d) }
        if let limit, out.count >= limit { break }
      }
      guard entries.count == 1000, let last = entries.last else { break }
      start = last.id.exclusive
    }
    return out
  }

  private static func letter(_ e: StreamEntry, group: String, key: String) -> DeadLetter {
    var fields: [String: String] = [:]
    var event: [UInt8]?
    for f in e.fields ?? [] {
      if f.name == EventWriter.field { event = f.value } else { fields[f.name] = String(decoding: f.value, as: UTF8.self) }
    }
    return DeadLetter(group: group, key: key, dlqID: e.id, event: event, fields: fields)
  }

  private static let replayScript = RedisScript(
    EventWriter.luaFunction + """
      if redis.call('XDEL', KEYS[1], ARGV[1]) == 1 then
        return append_envelope(KEYS[2], ARGV[2])
      end
      return false
      """)

  /// Re-queues one dead letter for its group and removes it from the DLQ, atomically.
  /// - Returns: false when it was no longer in the DLQ (replayed or purged meanwhile).
  /// - Throws: `.badData` for a dead letter that is not an envelope (it can only be purged).
  @discardableResult
  public func replay(_ d: DeadLetter) throws(BusError) -> Bool {
    guard let raw = d.event, let envelope = try? Envelope.decode(raw) else {
      throw BusError(.badData, "dead letter \(d.dlqID) of group \(d.group) is not an envelope; it can only be purged")
    }
    let replayed: Envelope
    do { replayed = try envelope.addingHeader("replayedAt", EventTime.now().iso) } catch { throw BusError(error) }
    let type = keys.type(ofKey: d.key) ?? envelope.type
    let reply = try Self.replayScript.run(
      on: connection, keys: [d.key, keys.replay(d.group, type)], args: [d.dlqID.description, replayed.rawString])
    return !reply.isNull
  }

  /// What replaying a list of dead letters did.
  public struct ReplayOutcome: Sendable, Equatable {
    /// Re-queued for their groups.
    public var replayed = 0
    /// No longer in the dead letters when their turn came (replayed or purged meanwhile).
    public var gone = 0
    /// One message per dead letter that could not be replayed (not an envelope: it can only
    /// be purged); the others were still replayed.
    public var skipped: [String] = []
  }

  /// Replays `letters`, as `evt replay-dlq` and the dashboard do: first what earlier replays
  /// brought and the group (every group when `nil`) has since acknowledged is trimmed, then
  /// each dead letter is re-queued for its group (``replay(_:)``), oldest first. A dead letter
  /// that is not an envelope is skipped and named; any other failure stops and throws, leaving
  /// the rest in the dead letters. `progress` is called after each with how many were done.
  public func replayAll(_ letters: [DeadLetter], group: String?, progress: ((Int) -> Void)? = nil) throws(BusError)
    -> ReplayOutcome
  {
    _ = try Retention(connection: connection, keys: keys).trimReplays(group: group)
    var outcome = ReplayOutcome()
    for (i, d) in letters.enumerated() {
      do throws(BusError) {
        if try replay(d) { outcome.replayed += 1 } else { outcome.gone += 1 }
      } catch {
        guard error.kind == .badData else { throw error }
        outcome.skipped.append(error.message)
      }
      progress?(i + 1)
    }
    return outcome
  }

  /// An entry read from `group`'s dead-letter stream of `type`, as a dead letter.
  package func letter(_ entry: StreamEntry, group: String, type: String) -> DeadLetter {
    Self.letter(entry, group: group, key: keys.deadLetters(group, type))
  }

  /// The dead letters of `group` on `type` with these DLQ entry ids (those still there), in
  /// the order given; one bounded XRANGE each.
  public func letters(group: String, type: String, ids: [StreamID]) throws(BusError) -> [DeadLetter] {
    let key = keys.deadLetters(group, type)
    var out: [DeadLetter] = []
    for id in ids {
      for e in try connection.range(key, from: id.description, count: 1) where e.id == id {
        out.append(Self.letter(e, group: group, key: key))
      }
    }
    return out
  }

  /// Deletes dead letters for good. Returns how many were deleted.
  @discardableResult
  public func purge(_ letters: [DeadLetter]) throws(BusError) -> Int {
    var deleted = 0
    var byStream: [String: [DeadLetter]] = [:]
    for d in letters { byStream[d.key, default: []].append(d) }
    for (key, items) in byStream {
      for chunk in stride(from: 0, to: items.count, by: 500).map({ Array(items[$0..<min($0 + 500, items.count)]) }) {
        var command: RedisCommand = ["XDEL", key]
        for d in chunk { command.append(d.dlqID.description) }
        deleted += try connection.busCommand(command).int ?? 0
      }
    }
    return deleted
  }

  static func globEscaped(_ s: String) -> String {
    var out = ""
    for c in s {
      if "*?[]\\".contains(c) { out.append("\\") }
      out.append(c)
    }
    return out
  }
}
