/// When a subscription ends.
public struct SubscriptionLimits: Sendable {
  /// Stop after this many events were handled (successfully or not).
  public var count: Int?
  /// Stop once nothing more is available right now.
  public var untilEmpty = false
  /// Stop with ``SubscriptionOutcome/timedOut`` when no event arrives for this many seconds.
  public var idleTimeout: Double?
  /// Most events fetched per read.
  public var batchSize = 500
  /// With `untilEmpty` in a group: while consumers that look dead still hold entries, wait
  /// until they are reclaimed (after the claim-idle time) instead of ending. (Live consumers
  /// busy with entries are always waited for.)
  public var waitPending = false

  public init(count: Int? = nil, untilEmpty: Bool = false, idleTimeout: Double? = nil, batchSize: Int = 500, waitPending: Bool = false) {
    self.count = count
    self.untilEmpty = untilEmpty
    self.idleTimeout = idleTimeout
    self.batchSize = batchSize
    self.waitPending = waitPending
  }
}
