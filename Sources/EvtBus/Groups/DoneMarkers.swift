import EvtRedis

/// The idempotency markers of one consumer group (`NS:{<type>}:done:<group>:<event id>`,
/// with a TTL): an event is known by its type (the type of the stream it came from, whose
/// slot the marker shares) and id, so two events of different types that share an id are
/// both handled.
///
/// The group processor asks ``isDone(_:eventID:)`` before handing an event over, and for a
/// completion with a marker calls ``complete(_:eventID:publishing:)``: first the follow-up
/// events are written, each at most once (their ids derive from their cause:
/// ``EventWriter/once(_:)``), then one script in the entry's slot sets the marker and
/// acknowledges the entry — or, when the marker exists already (another consumer completed
/// the same event meanwhile), only acknowledges. A crash between the two leaves the entry
/// pending; when it comes again its follow-ups are not written twice. So a redelivered or
/// replayed event is acknowledged, not redone, and its follow-up events are published once.
public final class DoneMarkers {
  public let connection: RedisConnection
  public let keys: Keys
  public let group: String
  /// How long a marker is kept: redeliveries later than this are handled again.
  public let ttlSeconds: Int

  /// Seven days: longer than any dead letter is expected to wait for its replay.
  public static let defaultTTL = 7 * 24 * 3600

  /// Writes the follow-up events (their contracts checked).
  public let writer: EventWriter
  /// Told when an event turns out to be done already (a redelivery, a replay, or another
  /// consumer finishing it first), with what was done instead: for logs.
  public var onAlreadyDone: ((EventKey, String) -> Void)?

  /// - Parameter contracts: what follow-up events are checked against.
  public init(
    connection: RedisConnection, keys: Keys, group: String, ttlSeconds: Int = defaultTTL, contracts: EventContracts = .bus
  ) {
    self.connection = connection
    self.keys = keys
    self.group = group
    self.ttlSeconds = max(1, ttlSeconds)
    self.writer = EventWriter(keys: keys, contracts: contracts)
  }

  /// Whether this group already completed the event with this id from this entry's stream.
  public func isDone(_ entry: StreamEntry, eventID: String) throws(BusError) -> Bool {
    try connection.busCommand(["EXISTS", marker(entry, eventID)]).int == 1
  }

  /// The marker's key: in the slot of the entry's stream.
  private func marker(_ entry: StreamEntry, _ eventID: String) -> String {
    keys.done(group, entry.type, eventID)
  }

  private static let script = RedisScript(
    """
    -- KEYS: done marker, source stream; ARGV: group, entry id, ttl, marker value
    local first = redis.call('SET', KEYS[1], ARGV[4], 'NX', 'EX', ARGV[3])
    redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
    if not first then return 0 end
    return 1
    """)

  /// Publishes `events` (each once: their ids must derive from the cause, see
  /// ``EventID/derived(from:)``), then marks the event done and acknowledges its entry
  /// atomically.
  /// - Returns: false when the event was already done: then the entry is only acknowledged.
  @discardableResult
  public func complete(_ entry: StreamEntry, eventID: String, publishing events: [Envelope] = []) throws(BusError) -> Bool {
    var writes: [EventWriter.Write] = []
    for e in events {
      do { writes.append(try writer.prepare(e)) } catch { throw BusError(error) }
    }
    try writer.publishOnce(writes, on: connection)
    let args = [group, entry.id.description, String(ttlSeconds), EventTime.now().iso]
    return try Self.script.run(on: connection, keys: [marker(entry, eventID), entry.stream], args: args).int == 1
  }
}
