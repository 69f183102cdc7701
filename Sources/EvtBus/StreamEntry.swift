import EvtRedis

/// One entry read from a type stream.
public struct StreamEntry: Sendable, Equatable {
  /// The stream key (`NS:stream:<type>`).
  public let stream: String
  /// The type named by the stream key (the envelope's own type is in ``event``).
  public let type: String
  public let id: StreamID
  /// The entry's fields, or `nil` when the entry was deleted from the stream but is still
  /// pending in a consumer group.
  public let fields: [(name: String, value: [UInt8])]?

  public static func == (a: StreamEntry, b: StreamEntry) -> Bool {
    a.stream == b.stream && a.id == b.id
  }

  /// The envelope bytes exactly as published (the `event` field), if the entry has one.
  public var event: [UInt8]? {
    fields?.first { $0.name == EventWriter.field }?.value
  }

  /// Parses one `[id, [field, value, …]]` element of an XRANGE/XREAD reply.
  init?(_ reply: RedisReply, stream: String, type: String) {
    guard let parts = reply.array, parts.count == 2, let idText = parts[0].string, let id = StreamID(idText) else {
      return nil
    }
    self.stream = stream
    self.type = type
    self.id = id
    if let flat = parts[1].array {
      var fields: [(name: String, value: [UInt8])] = []
      fields.reserveCapacity(flat.count / 2)
      var i = 0
      while i + 1 < flat.count {
        fields.append((flat[i].string ?? "", flat[i + 1].bytes ?? []))
        i += 2
      }
      self.fields = fields
    } else {
      self.fields = nil
    }
  }

  /// Parses the entries of an XRANGE/XREVRANGE reply.
  static func list(_ reply: RedisReply, stream: String, type: String) -> [StreamEntry] {
    (reply.array ?? []).compactMap { StreamEntry($0, stream: stream, type: type) }
  }

  /// Parses an XREAD/XREADGROUP reply (`[[key, [entries…]], …]`, or null when nothing came).
  static func streams(_ reply: RedisReply, keys: Keys) -> [StreamEntry] {
    var out: [StreamEntry] = []
    for s in reply.array ?? [] {
      guard let pair = s.array, pair.count == 2, let key = pair[0].string else { continue }
      let type = keys.type(ofStream: key) ?? key
      out.append(contentsOf: list(pair[1], stream: key, type: type))
    }
    return out
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
