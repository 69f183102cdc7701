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
        var fields: [String: String] = [:]
        var event: [UInt8]?
        for f in e.fields ?? [] {
          if f.name == EventWriter.field { event = f.value } else { fields[f.name] = String(decoding: f.value, as: UTF8.self) }
        }
        let d = DeadLetter(group: group, key: key, dlqID: e.id, event: event, fields: fields)
        if filter.matches(d) { out.append(d) }
        if let limit, out.count >= limit { break }
      }
      guard entries.count == 1000, let last = entries.last else { break }
      start = last.id.exclusive
    }
    return out
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
