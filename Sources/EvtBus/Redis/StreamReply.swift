import EvtRedis

/// One decoder per shape of reply the bus reads, each typed and reading the reply in place
/// (``RawReply``: no copy of the reply tree). Each throws ``BusError`` `.server` naming what
/// it expected for any other shape; nothing is skipped silently. Reply fields are looked up
/// by name only here. The stream entries of XREAD, XREADGROUP and XRANGE are decoded by
/// ``StreamEntry/list(_:stream:into:)`` and ``StreamEntry/streams(_:streams:into:)``.
package enum StreamReply {
  package static func unexpected(_ what: String, _ raw: RawReply) -> BusError {
    unexpected(what, raw.reply)
  }

  /// The error for a reply of the wrong shape (a script's reply, any other).
  package static func unexpected(_ what: String, _ reply: RedisReply) -> BusError {
    BusError(.server, "unexpected reply from Redis for \(what): \(String(describing: reply).prefix(200))")
  }

  /// XAUTOCLAIM: the cursor to continue from, and the entries claimed (deleted ones left out).
  package static func autoclaim(_ raw: RawReply, stream: StreamKey) throws(BusError) -> (next: String, entries: [StreamEntry]) {
    guard raw.count >= 2, let next = raw[0]?.text, let claimed = raw[1] else { throw unexpected("XAUTOCLAIM \(stream)", raw) }
    var entries: [StreamEntry] = []
    try StreamEntry.list(claimed, stream: stream, into: &entries)
    return (next, entries.filter { $0.fields != nil })
  }

  /// One entry of an extended XPENDING reply: id, consumer, idle time, delivery count.
  package struct Pending: Equatable {
    package var id: StreamID
    package var consumer: String
    package var idleMilliseconds: Int
    package var deliveries: Int
  }

  /// An extended XPENDING reply (`XPENDING key group start end count [consumer]`).
  package static func pending(_ raw: RawReply, stream: String) throws(BusError) -> [Pending] {
    guard raw.kind == .array else { throw unexpected("XPENDING \(stream)", raw) }
    var out: [Pending] = []
    out.reserveCapacity(raw.count)
    for i in 0..<raw.count {
      guard let f = raw[i], f.count >= 4, let id = f[0].flatMap({ StreamID.parse($0.bytes) }), let consumer = f[1]?.text,
        let idle = f[2]?.number, let n = f[3]?.number
      else { throw unexpected("XPENDING \(stream)", raw) }
      out.append(Pending(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: n))
    }
    return out
  }

  /// XPENDING with a range: the delivery count of each entry.
  package static func deliveryCounts(_ raw: RawReply, stream: String) throws(BusError) -> [StreamID: Int] {
    Dictionary(try pending(raw, stream: stream).map { ($0.id, $0.deliveries) }, uniquingKeysWith: { a, _ in a })
  }

  /// The summary form of XPENDING (`XPENDING key group`): how many entries are pending, and
  /// the smallest pending id (`nil` when none is).
  package static func pendingSummary(_ raw: RawReply, stream: String) throws(BusError) -> (count: Int, oldest: StreamID?) {
    guard raw.count >= 2, let count = raw[0]?.number else { throw unexpected("XPENDING \(stream)", raw) }
    return (count, raw[1].flatMap { $0.isString ? StreamID.parse($0.bytes) : nil })
  }

  /// XINFO GROUPS: one ``GroupInfo`` per group of the stream.
  package static func groups(_ raw: RawReply, stream: String) throws(BusError) -> [GroupInfo] {
    try items(raw, "XINFO GROUPS \(stream)") { (table) throws(BusError) in
      guard let name = table["name"]?.text, let pending = table["pending"]?.number else { return nil }
      return GroupInfo(
        name: name, consumers: table["consumers"]?.number ?? 0, pending: pending,
        lastDelivered: table["last-delivered-id"].flatMap { StreamID.parse($0.bytes) }, entriesRead: table["entries-read"]?.number,
        lag: table["lag"]?.number)
    }
  }

  /// XINFO CONSUMERS: one ``ConsumerInfo`` per consumer of the group.
  package static func consumers(_ raw: RawReply, stream: String, group: String) throws(BusError) -> [ConsumerInfo] {
    try items(raw, "XINFO CONSUMERS \(stream) \(group)") { (table) throws(BusError) in
      guard let name = table["name"]?.text, let pending = table["pending"]?.number, let idle = table["idle"]?.number else { return nil }
      return ConsumerInfo(name: name, pending: pending, idleMilliseconds: idle)
    }
  }

  /// XINFO STREAM: the stream's length and the ids of its first and last entries.
  package static func stream(_ raw: RawReply, stream: String) throws(BusError) -> StreamInfo {
    guard let table = fields(raw), let length = table["length"]?.number else { throw unexpected("XINFO STREAM \(stream)", raw) }
    // `first-entry` / `last-entry` are entries (`[id, [fields…]]`), or null for an empty stream.
    func id(_ name: String) -> StreamID? { table[name]?[0].flatMap { $0.isString ? StreamID.parse($0.bytes) : nil } }
    return StreamInfo(
      length: length, first: id("first-entry"), last: id("last-entry"), entriesAdded: table["entries-added"]?.number)
  }

  /// A reply that is an array of strings (SMEMBERS).
  package static func strings(_ raw: RawReply, _ what: String) throws(BusError) -> [String] {
    guard raw.kind == .array else { throw unexpected(what, raw) }
    var out: [String] = []
    out.reserveCapacity(raw.count)
    for i in 0..<raw.count {
      guard let s = raw[i]?.text else { throw unexpected(what, raw) }
      out.append(s)
    }
    return out
  }

  /// An array of name/value tables (XINFO GROUPS, XINFO CONSUMERS), each made a value by
  /// `make` (`nil`: a field it needs is missing, which is a wrong shape too).
  private static func items<T>(_ raw: RawReply, _ what: String, _ make: ([String: RawReply]) throws(BusError) -> T?) throws(BusError)
    -> [T]
  {
    guard raw.kind == .array else { throw unexpected(what, raw) }
    var out: [T] = []
    for i in 0..<raw.count {
      guard let item = raw[i], let table = fields(item), let value = try make(table) else { throw unexpected(what, raw) }
      out.append(value)
    }
    return out
  }

  /// A flat name/value array as a table of its values (still in place), or `nil`.
  private static func fields(_ raw: RawReply) -> [String: RawReply]? {
    guard raw.kind == .array, raw.count % 2 == 0 else { return nil }
    var table: [String: RawReply] = [:]
    for i in stride(from: 0, to: raw.count, by: 2) {
      guard let name = raw[i]?.text, let value = raw[i + 1] else { return nil }
      table[name] = value
    }
    return table
  }
}

/// One group of a stream, as XINFO GROUPS tells it.
package struct GroupInfo: Sendable, Equatable {
  package var name: String
  package var consumers: Int
  /// Entries delivered to the group's consumers and not acknowledged yet.
  package var pending: Int
  package var lastDelivered: StreamID?
  /// Redis 7: entries the group has read, and how many it has still to read (`nil`: unknown).
  package var entriesRead: Int?
  package var lag: Int?
}

/// One consumer of a group, as XINFO CONSUMERS tells it.
package struct ConsumerInfo: Sendable, Equatable {
  package var name: String
  package var pending: Int
  /// Milliseconds since the consumer last read or claimed.
  package var idleMilliseconds: Int
}

/// A stream, as XINFO STREAM tells it.
package struct StreamInfo: Sendable, Equatable {
  package var length: Int
  package var first: StreamID?
  package var last: StreamID?
  /// Redis 7: entries ever added to the stream (`nil` before Redis 7).
  package var entriesAdded: Int? = nil
}

extension RedisReply {
  /// A flat name/value array (HGETALL) as a table, or `nil` when it is not one.
  var fields: [String: RedisReply]? {
    guard let flat = array, flat.count % 2 == 0 else { return nil }
    var table: [String: RedisReply] = [:]
    for i in stride(from: 0, to: flat.count, by: 2) {
      guard let name = flat[i].string else { return nil }
      table[name] = flat[i + 1]
    }
    return table
  }
}

extension RawReply {
  /// The text of a string or status reply (lossy for bytes that are not UTF-8).
  var text: String? { kind == .string || kind == .status ? String(decoding: bytes, as: UTF8.self) : nil }
  /// An integer reply, or a string reply holding an integer.
  var number: Int? { integer ?? (kind == .string ? Int(String(decoding: bytes, as: UTF8.self)) : nil) }
}

extension RedisConnection {
  /// `XINFO GROUPS stream`, decoded in place.
  package func groups(of stream: String) throws(BusError) -> [GroupInfo] {
    try busDecode(["XINFO", "GROUPS", stream]) { (raw) throws(BusError) in try StreamReply.groups(raw, stream: stream) }
  }

  /// `XINFO CONSUMERS stream group`, decoded in place.
  package func consumers(of stream: String, group: String) throws(BusError) -> [ConsumerInfo] {
    try busDecode(["XINFO", "CONSUMERS", stream, group]) { (raw) throws(BusError) in
      try StreamReply.consumers(raw, stream: stream, group: group)
    }
  }

  /// `XINFO STREAM stream`, decoded in place.
  package func info(of stream: String) throws(BusError) -> StreamInfo {
    try busDecode(["XINFO", "STREAM", stream]) { (raw) throws(BusError) in try StreamReply.stream(raw, stream: stream) }
  }

  /// `XPENDING stream group start + count [consumer]`, decoded in place.
  package func pending(_ stream: String, group: String, from start: String, count: Int, consumer: String? = nil) throws(BusError)
    -> [StreamReply.Pending]
  {
    var command: RedisCommand = ["XPENDING", stream, group, start, "+", String(count)]
    if let consumer { command.append(consumer) }
    return try busDecode(command) { (raw) throws(BusError) in try StreamReply.pending(raw, stream: stream) }
  }

  /// `SMEMBERS key`, decoded in place.
  package func members(of key: String) throws(BusError) -> [String] {
    try busDecode(["SMEMBERS", key]) { (raw) throws(BusError) in try StreamReply.strings(raw, "SMEMBERS \(key)") }
  }

  /// `XRANGE key start + COUNT count`, decoded in place: up to `count` entries from `start`
  /// (an id, `(id` for after it, or `-`).
  /// XREVRANGE: entries from `end` down to `start` (ids or `+`/`-`, `(` for exclusive),
  /// newest first, at most `count`.
  package func reverseRange(_ key: String, from end: String, to start: String, count: Int, type: String = "") throws(BusError)
    -> [StreamEntry]
  {
    try busDecode(["XREVRANGE", key, end, start, "COUNT", String(count)]) { (raw) throws(BusError) in
      var entries: [StreamEntry] = []
      try StreamEntry.list(raw, stream: StreamKey(key: key, type: type), into: &entries)
      return entries
    }
  }

  package func range(_ key: String, from start: String, count: Int, type: String = "") throws(BusError) -> [StreamEntry] {
    try busDecode(["XRANGE", key, start, "+", "COUNT", String(count)]) { (raw) throws(BusError) in
      var entries: [StreamEntry] = []
      try StreamEntry.list(raw, stream: StreamKey(key: key, type: type), into: &entries)
      return entries
    }
  }
}
