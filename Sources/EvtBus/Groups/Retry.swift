/// How often and how patiently a failed event is tried again before it is dead-lettered.
///
/// Attempt 1 runs at once; attempt `n > 1` waits `min(backoffMax, backoffBase × 2^(n-2))`
/// seconds with "equal jitter" (a random point in the upper half of that window), so workers
/// that failed together do not retry together. A permanent failure is never retried.
public struct RetryPolicy: Sendable, Equatable {
  /// Attempts in all, including the first (at least 1).
  public var maxAttempts: Int
  /// Seconds before the second attempt.
  public var backoffBase: Double
  /// Longest wait between two attempts, in seconds.
  public var backoffMax: Double

  public static let defaultMaxAttempts = 3
  public static let defaultBackoffBase = 0.5
  public static let defaultBackoffMax = 30.0

  public init(
    maxAttempts: Int = defaultMaxAttempts, backoffBase: Double = defaultBackoffBase, backoffMax: Double = defaultBackoffMax
  ) {
    self.maxAttempts = max(1, maxAttempts)
    self.backoffBase = max(0, backoffBase)
    self.backoffMax = max(0, backoffMax)
  }

  /// The window (without jitter) before attempt `attempt` (1-based): 0 for the first.
  public func ceiling(beforeAttempt attempt: Int) -> Double {
    guard attempt > 1 else { return 0 }
    let exponent = Double(min(attempt - 2, 60))
    return min(backoffMax, backoffBase * pow2(exponent))
  }

  /// The wait before attempt `attempt`, for a uniform random `unit` in 0..<1.
  public func delay(beforeAttempt attempt: Int, unit: Double) -> Double {
    let window = ceiling(beforeAttempt: attempt)
    return window / 2 + window / 2 * min(max(unit, 0), 1)
  }

  /// The wait before attempt `attempt` with a fresh random jitter.
  public func delay(beforeAttempt attempt: Int) -> Double {
    delay(beforeAttempt: attempt, unit: Double.random(in: 0..<1))
  }

  /// Whether another attempt may follow attempt `attempt` after `failure`.
  public func shouldRetry(after failure: HandlerFailure, attempt: Int) -> Bool {
    !failure.permanent && !failure.interrupted && attempt < maxAttempts
  }

  private func pow2(_ e: Double) -> Double {
    var r = 1.0
    var k = 0.0
    while k < e {
      r *= 2
      k += 1
    }
    return r
  }
}

/// Why a handler did not handle an event.
public struct HandlerFailure: Error, Sendable, Equatable {
  /// One line (or a short tail of output) saying what went wrong.
  public var reason: String
  /// Bad data that no retry can fix: dead-lettered at once.
  public var permanent: Bool
  /// Stopped by a shutdown, not failed: the event stays pending, never dead-lettered.
  public var interrupted: Bool

  public init(_ reason: String, permanent: Bool = false, interrupted: Bool = false) {
    self.reason = reason
    self.permanent = permanent
    self.interrupted = interrupted
  }
}
