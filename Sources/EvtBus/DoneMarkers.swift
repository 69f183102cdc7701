import EvtRedis

/// The idempotency markers of one consumer group (`NS:done:<group>:<type>:<event id>`, with a
/// TTL): an event is known by its type and id, so two events of different types that share an
/// id are both handled.
///
/// The group processor asks ``isDone(type:eventID:)`` before handing an event over, and for a
/// completion with a marker calls ``complete(_:type:eventID:publishing:)``, which in one Lua
/// script sets the marker, acknowledges the entry and publishes the follow-up events — or,
/// when the marker already exists (another consumer completed the same event meanwhile), only
/// acknowledges. So a redelivered or replayed
/// event is acknowledged, not redone, and its follow-up events are published exactly once.
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

  /// Whether this group already completed the event of this type and id.
  public func isDone(type: String, eventID: String) throws(BusError) -> Bool {
    try connection.busCommand(["EXISTS", keys.done(group, type, eventID)]).int == 1
  }

  private static let script = RedisScript(
    EventWriter.luaFunction + """
      -- KEYS: done marker, source stream, then types set and stream of each follow-up event
      -- ARGV: group, entry id, ttl, marker value, then type and envelope of each follow-up event
      local first = redis.call('SET', KEYS[1], ARGV[4], 'NX', 'EX', ARGV[3])
      redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
      if not first then return 0 end
      for i = 3, #KEYS, 2 do
        local n = 5 + (i - 3)
        append_event(KEYS[i], KEYS[i + 1], ARGV[n], ARGV[n + 1])
      end
      return 1
      """)

  /// Marks the event done, acknowledges its entry and publishes `events`, atomically.
  /// - Returns: false when the event was already done: then the entry is only acknowledged and
  ///   nothing is published.
  @discardableResult
  public func complete(_ entry: StreamEntry, type: String, eventID: String, publishing events: [Envelope] = []) throws(BusError)
    -> Bool
  {
    var scriptKeys = [keys.done(group, type, eventID), entry.stream]
    var args = [group, entry.id.description, String(ttlSeconds), EventTime.now().iso]
    for e in events {
      let write: EventWriter.Write
      do { write = try writer.prepare(e) } catch { throw BusError(error) }
      scriptKeys += writer.luaKeys(write)
      args += writer.luaArguments(write)
    }
    return try Self.script.run(on: connection, keys: scriptKeys, args: args).int == 1
  }
}
