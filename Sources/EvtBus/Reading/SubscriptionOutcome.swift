/// Why a subscription returned.
public enum SubscriptionEnd: Sendable, Equatable {
  /// `--count` reached, or nothing left with `--until-empty`.
  case finished
  /// A stop was requested (`shouldStop()` turned true: a signal, a closed output).
  case stopped
  /// The idle timeout passed without an event.
  case timedOut
}

/// How a subscription ended and how many events it handled.
public struct SubscriptionOutcome: Sendable, Equatable {
  public var end: SubscriptionEnd
  public var handled: Int
  /// Events whose handling failed and that were left pending (no dead letters configured, or
  /// a shutdown interrupted their retries).
  public var failed: Int
  /// Events moved to the dead letters.
  public var deadLettered: Int
  /// Events fetched but not handled because the subscription was stopping (a signal, a
  /// closed output): given back to the group, pending for any consumer to reclaim.
  public var givenBack = 0
  /// With `untilEmpty` in a group: entries that consumers which look dead (no read or claim
  /// for a while) still held when it ended, by consumer; they are reclaimed after the
  /// claim-idle time.
  public var pendingElsewhere: [GroupConsumer.PendingElsewhere] = []

  public init(end: SubscriptionEnd, handled: Int, failed: Int, deadLettered: Int = 0) {
    self.end = end
    self.handled = handled
    self.failed = failed
    self.deadLettered = deadLettered
  }
}
