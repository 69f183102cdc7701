/// One delivery of a stream entry to a consumer.
public struct Delivery: Sendable, Equatable {
  public let entry: StreamEntry
  /// How many times the group has delivered this entry (1 on the first delivery).
  public let deliveryCount: Int
  /// Which in-process attempt this is (1 first, then counting retries of this delivery).
  public var attempt: Int
  /// The entry's envelope, once a consumer group's triage has decoded and checked it (so
  /// handlers need not decode it again); `nil` before that.
  public internal(set) var envelope: Envelope?

  public init(entry: StreamEntry, deliveryCount: Int, attempt: Int = 1) {
    self.entry = entry
    self.deliveryCount = deliveryCount
    self.attempt = attempt
  }

  /// The event's id: the decoded envelope's, else read from the entry (an event that broke
  /// its contract still has one); `nil` when the entry holds no envelope that can be read.
  public var eventID: String? {
    envelope?.id ?? entry.event.flatMap { try? Envelope.decode($0) }?.id
  }
}
