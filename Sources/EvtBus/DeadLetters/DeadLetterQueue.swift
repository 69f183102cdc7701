import EvtRedis

/// The dead letters of one consumer group (`NS:{<type>}:dlq:<group>`, one stream per type, in
/// the slot of the type's stream).
///
/// A group is never fed the `event.failed` events of its own dead letters (consumer groups
/// acknowledge them unhandled, see ``isOwnFailure(_:group:)``), and an `event.failed` that is
/// itself dead-lettered is announced by reference, not embedded: dead letters cannot feed
/// themselves.
///
/// Dead-lettering a delivery takes two steps. First the `event.failed` event for other
/// services is written, once (``EventWriter/once(_:)``: its id derives from the group and the
/// entry). Then one `MULTI`/`EXEC` in the entry's slot writes the DLQ entry (the original
/// envelope unchanged, the error, attempts, source stream and entry id, consumer, group, time)
/// and acknowledges the source entry: either both happen or neither does, so a crash can
/// neither lose the event nor leave it both dead-lettered and pending. A crash between the
/// steps leaves the entry pending; when it is dead-lettered again, its announcement is not
/// written twice.
public final class DeadLetterQueue {
  public let connection: RedisConnection
  public let keys: Keys
  public let group: String
  /// The type of the events announcing a dead letter.
  public static let failedType = "event.failed"
  /// Called after each dead letter was written (for logs).
  public var onBury: ((Delivery, HandlerFailure) -> Void)?

  /// Writes the `event.failed` announcements.
  private let writer: EventWriter

  public init(connection: RedisConnection, keys: Keys, group: String) {
    self.connection = connection
    self.keys = keys
    self.group = group
    self.writer = EventWriter(keys: keys)
  }

  /// Moves a delivery to the dead letters and acknowledges it, atomically.
  /// - Returns: the `event.failed` envelope that was published.
  @discardableResult
  public func bury(_ delivery: Delivery, failure: HandlerFailure, attempts: Int, consumer: String) throws(BusError) -> Envelope {
    let entry = delivery.entry
    let original = entry.event.flatMap { try? Envelope.decode($0) }
    let now = EventTime.now().iso

    let dlqKey = keys.deadLetters(group, entry.type)
    var dlq = entry.event.map { EventWriter.append($0, to: dlqKey) } ?? ["XADD", dlqKey, "*"]
    for (name, value) in [
      ("type", original?.type ?? entry.type), ("error", failure.reason), ("attempts", String(attempts)),
      ("permanent", failure.permanent ? "true" : "false"), ("stream", entry.stream), ("entry", entry.id.description),
      ("consumer", consumer), ("group", group), ("time", now),
    ] {
      dlq.append(name)
      dlq.append(value)
    }
    if original == nil {
      dlq.append("fields")
      dlq.append(Self.fieldsJSON(entry))
    }

    let failed = try failedEnvelope(entry, original: original, failure: failure, attempts: attempts)
    let announcement: EventWriter.Write
    do { announcement = try writer.prepare(failed) } catch { throw BusError(error) }
    try writer.publishOnce([announcement], on: connection)
    let commands: [RedisCommand] = [["MULTI"], dlq, ["XACK", entry.stream, group, entry.id.description], ["EXEC"]]
    let replies = try connection.busReplies(commands)
    for (command, reply) in zip(commands, replies) { try connection.busCheck(reply, command.name, key: command.key) }
    guard let results = replies.last?.array else {
      throw BusError(.server, "the dead-letter transaction for \(entry.stream) \(entry.id) was aborted")
    }
    for r in results {
      // A group Redis lost meanwhile (it restarted empty): the entry comes again anyway.
      if ServerMessage.isNoGroup(r.errorMessage) { continue }
      try connection.busCheck(r, "dead-letter transaction")
    }
    onBury?(delivery, failure)
    return failed
  }

  private func failedEnvelope(_ entry: StreamEntry, original: Envelope?, failure: HandlerFailure, attempts: Int) throws(BusError)
    -> Envelope
  {
    var data: [UInt8] = Array(#"{"event":"#.utf8)
    if let original, original.type == Self.failedType {
      // A failed event.failed is announced by reference only: embedding it whole would make
      // each announcement bigger than the last.
      data += Array(#"{"id":"#.utf8)
      JSON.writeString(original.id, to: &data)
      data += Array(#","type":"#.utf8)
      JSON.writeString(original.type, to: &data)
      data += Array(#","version":"#.utf8)
      JSON.writeString(original.version, to: &data)
      data += Array(#","timestamp":"#.utf8)
      JSON.writeString(original.timestamp, to: &data)
      data += Array(#","data":null}"#.utf8)
    } else if let original {
      data += original.raw
    } else {
      data += Array("null".utf8)
    }
    if original == nil {
      data += Array(#","fields":"#.utf8)
      data += Self.fieldsJSON(entry)
    }
    data += Array(#","error":"#.utf8)
    JSON.writeString(failure.reason, to: &data)
    data += Array(#","permanent":\#(failure.permanent),"attempts":\#(attempts),"group":"#.utf8)
    JSON.writeString(group, to: &data)
    data += Array(#","stream":"#.utf8)
    JSON.writeString(entry.stream, to: &data)
    data += Array(#","entryId":"#.utf8)
    JSON.writeString(entry.id.description, to: &data)
    data.append(UInt8(ascii: "}"))
    var headers: [(key: String, value: String)] = [("source", "evt group \(group)")]
    if let original {
      headers.append(("correlationId", original.correlationID))
      headers.append(("causationId", original.id))
    }
    do {
      return try Envelope.create(
        type: Self.failedType, compactData: data, headers: headers,
        id: EventID.derived(from: [group, entry.stream, entry.id.description, Self.failedType]), timestamp: nil, maxSize: Int.max)
    } catch {
      throw BusError(error)
    }
  }

  /// Whether `envelope` announces a dead letter of `group` itself: such an event is never
  /// handed to that group's handler, or a handler that fails everything would fail its own
  /// announcements forever.
  public static func isOwnFailure(_ envelope: Envelope, group: String) -> Bool {
    envelope.hasType(failedType) && envelope.data["group"]?.stringValue == group
  }

  /// An entry's fields as a JSON object of strings (for entries that are not envelopes).
  static func fieldsJSON(_ entry: StreamEntry) -> [UInt8] {
    let members = (entry.fields ?? []).map { JSONValue.Member($0.name, .string(String(decoding: $0.value, as: UTF8.self))) }
    return JSONValue.object(members).serialized
  }
}
