import EvtRedis

/// One entry read from a type stream.
public struct StreamEntry: Sendable, Equatable {
  /// The stream key (`NS:{<type>}:stream`).
  public var stream: String { name.key }
  /// The type named by the stream key (the envelope's own type is in ``event``).
  public var type: String { name.type }
  /// Both, shared by every entry read from the stream (one reference per copy, not two).
  package var streamKey: StreamKey { name }
  private let name: StreamKey
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

  /// Decodes one `[id, [field, value, …]]` element of an XRANGE/XREAD reply in place (`[id,
  /// nil]` for an entry deleted while pending): one copy, of the envelope's bytes.
  /// - Throws: ``BusError`` `.server` for any other shape: never skipped silently.
  private init(_ raw: RawReply, name: StreamKey) throws(BusError) {
    let stream = name.key
    guard raw.count == 2, let idReply = raw[0], idReply.isString, let id = StreamID.parse(idReply.bytes), let body = raw[1] else {
      throw StreamReply.unexpected("a stream entry of \(stream)", raw)
    }
    if body.isNull {
      self.init(name: name, id: id, storage: .deleted)
      return
    }
    let n = body.count
    guard body.kind == .array, n % 2 == 0 else { throw StreamReply.unexpected("the fields of \(stream) \(id)", raw) }
    if n == 2, let field = body[0], let value = body[1], field.isString, value.isString, field.bytes.elementsEqual(Self.fieldBytes) {
      self.init(name: name, id: id, storage: .event(Array(value.bytes)))
      return
    }
    var fields: [(name: String, value: [UInt8])] = []
    fields.reserveCapacity(n / 2)
    for i in stride(from: 0, to: n, by: 2) {
      guard let field = body[i], let value = body[i + 1], field.isString, value.isString else {
        throw StreamReply.unexpected("the fields of \(stream) \(id)", raw)
      }
      fields.append((String(decoding: field.bytes, as: UTF8.self), Array(value.bytes)))
    }
    self.init(name: name, id: id, storage: .fields(fields))
  }

  private init(name: StreamKey, id: StreamID, storage: Storage) {
    self.name = name
    self.id = id
    self.storage = storage
  }

  private static let fieldBytes = Array(EventWriter.field.utf8)

  /// Decodes an XRANGE/XREVRANGE reply in place, appending to `out`.
  static func list(_ raw: RawReply, stream name: StreamKey, into out: inout [StreamEntry]) throws(BusError) {
    guard raw.kind == .array else { throw StreamReply.unexpected("the entries of \(name)", raw) }
    out.reserveCapacity(out.count + raw.count)
    for i in 0..<raw.count {
      guard let item = raw[i] else { throw StreamReply.unexpected("the entries of \(name)", raw) }
      out.append(try StreamEntry(item, name: name))
    }
  }

  /// Decodes an XREAD/XREADGROUP reply in place, appending to `out`; `streams` are the
  /// streams the read asked for (a reply naming any other is the wrong shape).
  static func streams(_ raw: RawReply, streams: [String: StreamKey], into out: inout [StreamEntry]) throws(BusError) {
    if raw.isNull { return }
    guard raw.kind == .array else { throw StreamReply.unexpected("a stream read", raw) }
    for s in 0..<raw.count {
      guard let pair = raw[s], pair.count == 2, let name = pair[0], name.isString, let entries = pair[1], entries.kind == .array else {
        throw StreamReply.unexpected("a stream read", raw)
      }
      guard let stream = streams[String(decoding: name.bytes, as: UTF8.self)] else {
        throw StreamReply.unexpected("a stream read (a stream it did not ask for)", raw)
      }
      try list(entries, stream: stream, into: &out)
    }
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
