import EvtRedis

/// One entry of a group's dead letters (`NS:dlq:<group>`).
public struct DeadLetter: Sendable, Equatable {
  public let group: String
  /// The entry id in the DLQ stream.
  public let dlqID: StreamID
  /// The original envelope exactly as published, or `nil` when the entry was not one.
  public let event: [UInt8]?
  public let fields: [String: String]

  public var type: String { fields["type"] ?? "" }
  public var error: String { fields["error"] ?? "" }
  /// The original event's id (from its envelope), if it had one.
  public var eventID: String? { event.flatMap { try? Envelope.decode($0) }?.id }

  public static func == (a: DeadLetter, b: DeadLetter) -> Bool { a.group == b.group && a.dlqID == b.dlqID }

  /// One JSON object: the DLQ fields, the DLQ entry id and the original event.
  public var json: [UInt8] {
    var members: [JSONValue.Member] = [.init("group", .string(group)), .init("dlqId", .string(dlqID.description))]
    for key in ["type", "error", "attempts", "permanent", "stream", "entry", "consumer", "time"] {
      if let v = fields[key] { members.append(.init(key, .string(v))) }
    }
    var out = JSONValue.object(members).serialized
    out.removeLast()
    out += Array(#","event":"#.utf8)
    out += event.flatMap { (try? JSON.minify($0, maxDepth: JSON.envelopeMaxDepth)) } ?? Array((fields["fields"] ?? "null").utf8)
    out.append(UInt8(ascii: "}"))
    return out
  }
}

/// Which dead letters a `replay-dlq` call means. Every condition given must hold.
public struct DeadLetterFilter: Sendable {
  /// Type name or glob.
  public var type: String?
  /// The original event id.
  public var eventID: String?
  /// Dead-lettered at or after this time.
  public var since: StreamID?
  /// Text the error must contain.
  public var errorText: String?

  public init(type: String? = nil, eventID: String? = nil, since: StreamID? = nil, errorText: String? = nil) {
    self.type = type
    self.eventID = eventID
    self.since = since
    self.errorText = errorText
  }

  public func matches(_ d: DeadLetter) -> Bool {
    if let type, !EventType.matches(type, d.type) { return false }
    if let eventID, d.eventID != eventID { return false }
    if let errorText, !d.error.contains(errorText) { return false }
    return true
  }
}

/// Lists, replays and purges dead letters.
///
/// Replaying moves a dead letter to `NS:replay:<group>` — read by that group's consumers only,
/// so groups that handled the event never see it again — in one Lua script that deletes it from
/// the DLQ and re-queues it together: a crash mid-replay neither loses nor doubles an event.
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
      let parts = reply.array ?? []
      cursor = parts.first?.string ?? "0"
      for k in parts.dropFirst().first?.array ?? [] {
        if let key = k.string, key.hasPrefix(prefix) { found.insert(String(key.dropFirst(prefix.count))) }
      }
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
      let entries = StreamEntry.list(reply, stream: keys.deadLetters(group), type: "")
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

extension Envelope {
  /// The same event with one more header (replacing one of that name). Everything else —
  /// id, type, timestamp, data — stays byte for byte.
  public func addingHeader(_ name: String, _ value: String) throws(BusError) -> Envelope {
    guard let view = (try? JSON.objectView(raw, maxDepth: JSON.envelopeMaxDepth)) ?? nil else {
      throw BusError(.badData, "not an envelope")
    }
    var out: [UInt8] = [UInt8(ascii: "{")]
    var first = true
    func member(_ key: String, _ value: [UInt8]) {
      if !first { out.append(UInt8(ascii: ",")) }
      first = false
      JSON.writeString(key, to: &out)
      out.append(UInt8(ascii: ":"))
      out += value
    }
    var headers = self.headers.filter { $0.key != name }
    headers.append((name, value))
    var headersObject: [UInt8] = []
    JSONValue.object(headers.map { .init($0.key, .string($0.value)) }).write(to: &headersObject)
    for m in view.members where m.key != "headers" { member(m.key, Array(view.raw(m.key)!)) }
    member("headers", headersObject)
    out.append(UInt8(ascii: "}"))
    do { return try Envelope.decode(out) } catch { throw BusError(error) }
  }
}
