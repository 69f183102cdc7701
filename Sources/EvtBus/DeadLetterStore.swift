import EvtRedis

/// The replayed envelope keeps its id and gains the header `replayedAt`.
public struct DeadLetterStore {
  public let connection: RedisConnection
  public let keys: Keys

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// The groups that have a dead-letter stream, sorted.
  public func groups() throws(BusError) -> [String] {
    try streams(prefix: keys.deadLetters(""))
  }

  /// The groups that have a replay stream, sorted.
  public func replayGroups() throws(BusError) -> [String] {
    try streams(prefix: keys.replay(""))
  }

  /// The suffixes of the stream keys that start with `prefix`, sorted.
  private func streams(prefix: String) throws(BusError) -> [String] {
    var cursor = "0"
    var found = Set<String>()
    repeat {
      let reply = try wrap { () throws(RedisError) in
        try connection.command(["SCAN", cursor, "MATCH", Self.globEscaped(prefix) + "*", "COUNT", "1000", "TYPE", "stream"])
      }
      let page = try StreamReply.scan(reply)
      cursor = page.cursor
      for key in page.keys where key.hasPrefix(prefix) { found.insert(String(key.dropFirst(prefix.count))) }
    } while cursor != "0"
    return found.sorted()
  }

  /// The dead letters of `group` that match `filter`, oldest first, at most `limit`.
  public func list(group: String, filter: DeadLetterFilter, limit: Int? = nil) throws(BusError) -> [DeadLetter] {
    var out: [DeadLetter] = []
    var start = filter.since?.description ?? "-"
    while limit.map({ out.count < $0 }) ?? true {
      let reply = try wrap { () throws(RedisError) in
        try connection.command(["XRANGE", keys.deadLetters(group), start, "+", "COUNT", "1000"])
      }
      let entries = try StreamEntry.list(reply, stream: keys.deadLetters(group), type: "")
      for e in entries {
        var fields: [String: String] = [:]
        var event: [UInt8]?
        for f in e.fields ?? [] {
          if f.name == EventWriter.field { event = f.value } else { fields[f.name] = String(decoding: f.value, as: UTF8.self) }
        }
        let d = DeadLetter(group: group, dlqID: e.id, event: event, fields: fields)
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
    let replayed = try envelope.addingHeader("replayedAt", EventTime.now().iso)
    let reply = try Self.replayScript.run(
      on: connection, keys: [keys.deadLetters(d.group), keys.replay(d.group)], args: [d.dlqID.description, replayed.rawString])
    return !reply.isNull
  }

  /// Deletes dead letters for good. Returns how many were deleted.
  @discardableResult
  public func purge(_ letters: [DeadLetter]) throws(BusError) -> Int {
    var deleted = 0
    var byGroup: [String: [DeadLetter]] = [:]
    for d in letters { byGroup[d.group, default: []].append(d) }
    for (group, items) in byGroup {
      for chunk in stride(from: 0, to: items.count, by: 500).map({ Array(items[$0..<min($0 + 500, items.count)]) }) {
        var command: RedisCommand = ["XDEL", keys.deadLetters(group)]
        for d in chunk { command.append(d.dlqID.description) }
        deleted += try wrap { () throws(RedisError) in try connection.command(command) }.int ?? 0
      }
    }
    return deleted
  }

  private static func globEscaped(_ s: String) -> String {
    var out = ""
    for c in s {
      if "*?[]\\".contains(c) { out.append("\\") }
      out.append(c)
    }
    return out
  }
}
