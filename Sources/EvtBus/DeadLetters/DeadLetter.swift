import EvtRedis

/// One entry of a group's dead letters (`NS:{<type>}:dlq:<group>`).
public struct DeadLetter: Sendable, Equatable {
  public let group: String
  /// The DLQ stream it is in.
  public let key: String
  /// The entry id in the DLQ stream.
  public let dlqID: StreamID
  /// The original envelope exactly as published, or `nil` when the entry was not one.
  public let event: [UInt8]?
  public let fields: [String: String]

  public var type: String { fields["type"] ?? "" }
  public var error: String { fields["error"] ?? "" }
  /// The original event's id (from its envelope), if it had one.
  public var eventID: String? { event.flatMap { try? Envelope.decode($0) }?.id }

  public init(group: String, key: String, dlqID: StreamID, event: [UInt8]?, fields: [String: String]) {
    self.group = group
    self.key = key
    self.dlqID = dlqID
    self.event = event
    self.fields = fields
  }

  public static func == (a: DeadLetter, b: DeadLetter) -> Bool { a.key == b.key && a.group == b.group && a.dlqID == b.dlqID }

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
/// Replaying moves a dead letter to `NS:{<type>}:replay:<group>` — read by that group's consumers only,
/// so groups that handled the event never see it again — in one Lua script that deletes it from
/// the DLQ and re-queues it together: a crash mid-replay neither loses nor doubles an event.
