import EvtRedis

/// One entry read from a type stream.
public struct StreamEntry: Sendable, Equatable {
  /// The stream key (`NS:stream:<type>`).
  public var stream: String { name.key }
  /// The type named by the stream key (the envelope's own type is in ``event``).
  public var type: String { name.type }
  /// Both, shared by every entry read from the stream (one reference per copy, not two).
  private let name: StreamName
  public let id: StreamID
  private let storage: Storage

  /// An entry with the one field evt writes is kept as just its value (one array per entry).
  private enum Storage: Sendable {
    case deleted
    case event([UInt8])
    case fields([(name: String, value: [UInt8])])
  }

  /// The entry's fields, or `nil` when the entry was deleted from the stream but is still
  /// pending in a consumer group.
  public var fields: [(name: String, value: [UInt8])]? {
    switch storage {
    case .deleted: return nil
    case .event(let value): return [(EventWriter.field, value)]
    case .fields(let f): return f
    }
  }

  public static func == (a: StreamEntry, b: StreamEntry) -> Bool {
    a.stream == b.stream && a.id == b.id
  }

  /// The envelope bytes exactly as published (the `event` field), if the entry has one.
  public var event: [UInt8]? {
    switch storage {
    case .deleted: return nil
    case .event(let value): return value
    case .fields(let f): return f.first { $0.name == EventWriter.field }?.value
    }
  }

  init(_ reply: RedisReply, stream: String, type: String) throws(BusError) {
    try self.init(reply, name: StreamName(key: stream, type: type))
  }

  private init(_ reply: RedisReply, name: StreamName) throws(BusError) {
    let stream = name.key
    guard let parts = reply.array, parts.count == 2, let idText = parts[0].string, let id = StreamID(idText) else {
      throw StreamReply.unexpected("a stream entry of \(stream)", reply)
    }
    self.name = name
    self.id = id
    if parts[1].isNull {
      self.storage = .deleted
      return
    }
    guard let flat = parts[1].array, flat.count % 2 == 0 else { throw StreamReply.unexpected("the fields of \(stream) \(id)", reply) }
    var fields: [(name: String, value: [UInt8])] = []
    fields.reserveCapacity(flat.count / 2)
    var i = 0
    while i + 1 < flat.count {
      guard let name = flat[i].string, let value = flat[i + 1].bytes else {
        throw StreamReply.unexpected("the fields of \(stream) \(id)", reply)
      }
      fields.append((name, value))
      i += 2
    }
    self.storage = fields.count == 1 && fields[0].name == EventWriter.field ? .event(fields[0].value) : .fields(fields)
  }

  /// Decodes one `[id, [field, value, …]]` element of an XRANGE/XREAD reply in place (`[id,
  /// nil]` for an entry deleted while pending): one copy, of the envelope's bytes.
  /// - Throws: ``BusError`` `.server` for any other shape: never skipped silently.
  private init(_ raw: RawReply, name: StreamName) throws(BusError) {
    let stream = name.key
    guard raw.count == 2, let idReply = raw[0], idReply.isString, let id = StreamID.parse(idReply.bytes), let body = raw[1] else {
      throw StreamReply.unexpected("a stream entry of \(stream)", raw.reply)
    }
    if body.isNull {
      self.init(name: name, id: id, storage: .deleted)
      return
    }
    let n = body.count
    guard body.kind == .array, n % 2 == 0 else { throw StreamReply.unexpected("the fields of \(stream) \(id)", raw.reply) }
    if n == 2, let field = body[0], let value = body[1], field.isString, value.isString, field.bytes.elementsEqual(Self.fieldBytes) {
      self.init(name: name, id: id, storage: .event(Array(value.bytes)))
      return
    }
    try self.init(raw.reply, name: name)
  }

  private init(name: StreamName, id: StreamID, storage: Storage) {
    self.name = name
    self.id = id
    self.storage = storage
  }

  private static let fieldBytes = Array(EventWriter.field.utf8)

  /// Decodes the entries of an XRANGE/XREVRANGE reply.
  public static func list(_ reply: RedisReply, stream: String, type: String) throws(BusError) -> [StreamEntry] {
    guard let items = reply.array else { throw StreamReply.unexpected("the entries of \(stream)", reply) }
    var out: [StreamEntry] = []
    out.reserveCapacity(items.count)
    let name = StreamName(key: stream, type: type)
    for item in items { out.append(try StreamEntry(item, name: name)) }
    return out
  }

  /// Decodes an XREAD/XREADGROUP reply (`[[key, [entries…]], …]`, or null when nothing came).
  static func streams(_ reply: RedisReply, keys: Keys) throws(BusError) -> [StreamEntry] {
    if reply.isNull { return [] }
    guard let streams = reply.array else { throw StreamReply.unexpected("a stream read", reply) }
    var out: [StreamEntry] = []
    for s in streams {
      guard let pair = s.array, pair.count == 2, let key = pair[0].string else { throw StreamReply.unexpected("a stream read", reply) }
      out.append(contentsOf: try list(pair[1], stream: key, type: keys.type(ofStream: key) ?? key))
    }
    return out
  }

  /// Decodes an XRANGE/XREVRANGE reply in place, appending to `out`.
  static func list(_ raw: RawReply, stream: String, type: String, into out: inout [StreamEntry]) throws(BusError) {
    guard raw.kind == .array else { throw StreamReply.unexpected("the entries of \(stream)", raw.reply) }
    out.reserveCapacity(out.count + raw.count)
    let name = StreamName(key: stream, type: type)
    for i in 0..<raw.count {
      guard let item = raw[i] else { throw StreamReply.unexpected("the entries of \(stream)", raw.reply) }
      out.append(try StreamEntry(item, name: name))
    }
  }

  /// Decodes an XREAD/XREADGROUP reply in place, appending to `out`.
  static func streams(_ raw: RawReply, keys: Keys, into out: inout [StreamEntry]) throws(BusError) {
    if raw.isNull { return }
    guard raw.kind == .array else { throw StreamReply.unexpected("a stream read", raw.reply) }
    for s in 0..<raw.count {
      guard let pair = raw[s], pair.count == 2, let name = pair[0], name.isString, let entries = pair[1], entries.kind == .array else {
        throw StreamReply.unexpected("a stream read", raw.reply)
      }
      let key = String(decoding: name.bytes, as: UTF8.self)
      try list(entries, stream: key, type: keys.type(ofStream: key) ?? key, into: &out)
    }
  }
}

/// A stream key and the type it holds.
final class StreamName: Sendable {
  let key: String
  let type: String

  init(key: String, type: String) {
    self.key = key
    self.type = type
  }
}

/// Typed decoding of the other stream replies the bus reads.
enum StreamReply {
  static func unexpected(_ what: String, _ reply: RedisReply) -> BusError {
    BusError(.server, "unexpected reply from Redis for \(what): \(String(describing: reply).prefix(200))")
  }

  /// XAUTOCLAIM: the cursor to continue from, and the entries claimed (deleted ones left out).
  static func autoclaim(_ reply: RedisReply, stream: String, type: String) throws(BusError) -> (next: String, entries: [StreamEntry]) {
    guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else {
      throw unexpected("XAUTOCLAIM \(stream)", reply)
    }
    return (next, try StreamEntry.list(parts[1], stream: stream, type: type).filter { $0.fields != nil })
  }

  /// XPENDING with a range: the delivery count of each entry.
  static func deliveryCounts(_ reply: RedisReply, stream: String) throws(BusError) -> [StreamID: Int] {
    Dictionary(try pending(reply, stream: stream).map { ($0.id, $0.deliveries) }, uniquingKeysWith: { a, _ in a })
  }

  /// A reply that is an array of strings (SMEMBERS).
  static func strings(_ reply: RedisReply, _ what: String) throws(BusError) -> [String] {
    guard let items = reply.array else { throw unexpected(what, reply) }
    var out: [String] = []
    for item in items {
      guard let s = item.string else { throw unexpected(what, reply) }
      out.append(s)
    }
    return out
  }

  /// XINFO GROUPS / XINFO CONSUMERS: one name → value map per item.
  static func info(_ reply: RedisReply, _ what: String) throws(BusError) -> [[String: RedisReply]] {
    guard let items = reply.array else { throw unexpected(what, reply) }
    var out: [[String: RedisReply]] = []
    for item in items {
      guard let fields = item.fields else { throw unexpected(what, reply) }
      out.append(fields)
    }
    return out
  }

  /// One entry of an extended XPENDING reply: id, consumer, idle time, delivery count.
  struct Pending {
    var id: StreamID
    var consumer: String
    var idleMilliseconds: Int
    var deliveries: Int
  }

  /// An extended XPENDING reply (`XPENDING key group start end count [consumer]`).
  static func pending(_ reply: RedisReply, stream: String) throws(BusError) -> [Pending] {
    guard let items = reply.array else { throw unexpected("XPENDING \(stream)", reply) }
    var out: [Pending] = []
    for item in items {
      guard let f = item.array, f.count >= 4, let id = f[0].string.flatMap(StreamID.init), let consumer = f[1].string,
        let idle = f[2].int, let n = f[3].int
      else { throw unexpected("XPENDING \(stream)", reply) }
      out.append(Pending(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: n))
    }
    return out
  }

  /// SCAN: the next cursor and the keys of this page.
  static func scan(_ reply: RedisReply) throws(BusError) -> (cursor: String, keys: [String]) {
    guard let parts = reply.array, parts.count == 2, let cursor = parts[0].string else { throw unexpected("SCAN", reply) }
    return (cursor, try strings(parts[1], "SCAN"))
  }
}

/// Orders entries of several streams by stream id, which is their time order in Redis.
func mergedInTimeOrder(_ entries: [StreamEntry]) -> [StreamEntry] {
  entries.sorted { ($0.id, $0.stream) < ($1.id, $1.stream) }
}

extension StreamID {
  /// The exclusive-range form `(id` understood by XRANGE since Redis 6.2.
  var exclusive: String { "(" + description }
}

extension RedisReply {
  /// A flat name/value array (XINFO STREAM, one group of XINFO GROUPS, HGETALL) as a table, or
  /// `nil` when it is not one.
  public var fields: [String: RedisReply]? {
    guard let flat = array, flat.count % 2 == 0 else { return nil }
    var table: [String: RedisReply] = [:]
    for i in stride(from: 0, to: flat.count, by: 2) {
      guard let name = flat[i].string else { return nil }
      table[name] = flat[i + 1]
    }
    return table
  }
}
