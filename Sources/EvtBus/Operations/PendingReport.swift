import EvtRedis

/// What one consumer of one group holds unacknowledged, summed over the group's streams.
public struct PendingSummary: Sendable, Equatable {
  public var group: String
  public var consumer: String
  /// Entries delivered to this consumer and not acknowledged.
  public var pending: Int
  /// Milliseconds since the oldest of them was last delivered (0 when nothing is pending).
  public var oldestIdleMilliseconds: Int
  /// The highest delivery count among them (0 when nothing is pending).
  public var maxDeliveries: Int
  /// Pending entries per type.
  public var byType: [String: Int]

  /// One JSON object, for `evt pending --json`.
  public var json: [UInt8] {
    JSONValue.object([
      .init("group", .string(group)), .init("consumer", .string(consumer)), .init("pending", .number(String(pending))),
      .init("oldestIdleMs", .number(String(oldestIdleMilliseconds))), .init("maxDeliveries", .number(String(maxDeliveries))),
      .init("types", .object(byType.keys.sorted().map { .init($0, .number(String(byType[$0]!))) })),
    ]).serialized
  }
}

/// Reads the pending entries lists of consumer groups (`evt pending`). Only reads.
public struct PendingReport {
  public let connection: RedisConnection
  public let keys: Keys

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// Every consumer of every group (or of `group` only) on the namespace's type streams,
  /// sorted by group and consumer.
  public func summaries(group wanted: String? = nil) throws(BusError) -> [PendingSummary] {
    var table: [String: PendingSummary] = [:]
    // Type streams, then the groups' replay streams (counted under the type "(replay)").
    var streams = try TypeSelection([]).resolve(connection, keys).map { (keys.stream($0), $0) }
    for r in try DeadLetterStore(connection: connection, keys: keys).replayStreams() { streams.append((r.key, "(replay)")) }
    for (stream, type) in streams {
      for info in try connection.groups(of: stream) where wanted == nil || wanted == info.name {
        let name = info.name
        for c in try connection.consumers(of: stream, group: name) {
          let (consumer, count) = (c.name, c.pending)
          let key = name + "\u{0}" + consumer
          var s =
            table[key]
            ?? PendingSummary(group: name, consumer: consumer, pending: 0, oldestIdleMilliseconds: 0, maxDeliveries: 0, byType: [:])
          if count > 0 {
            s.pending += count
            s.byType[type, default: 0] += count
            let (idle, deliveries) = try scan(stream, group: name, consumer: consumer)
            s.oldestIdleMilliseconds = max(s.oldestIdleMilliseconds, idle)
            s.maxDeliveries = max(s.maxDeliveries, deliveries)
          }
          table[key] = s
        }
      }
    }
    return table.values.sorted { ($0.group, $0.consumer) < ($1.group, $1.consumer) }
  }

  /// The oldest idle time and highest delivery count of one consumer's pending entries.
  private func scan(_ stream: String, group: String, consumer: String) throws(BusError) -> (Int, Int) {
    var start = "-"
    var idle = 0
    var deliveries = 0
    while true {
      let items = try connection.pending(stream, group: group, from: start, count: 1000, consumer: consumer)
      for item in items {
        idle = max(idle, item.idleMilliseconds)
        deliveries = max(deliveries, item.deliveries)
      }
      guard items.count == 1000, let last = items.last else { break }
      start = last.id.exclusive
    }
    return (idle, deliveries)
  }

}
