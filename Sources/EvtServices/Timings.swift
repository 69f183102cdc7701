import EvtBus

/// Processing times of the mails a worker sent, in a fixed set of power-of-two buckets (so it
/// stays small however long the worker runs). Safe to share between threads.
public final class Timings: Sendable {
  public struct Summary: Sendable, Equatable {
    public var count: Int
    public var meanMilliseconds: Double
    /// An upper bound: the top of the bucket the 95th percentile falls in.
    public var p95Milliseconds: Int64
    public var maxMilliseconds: Int64
  }

  private struct State {
    var buckets = [Int](repeating: 0, count: 40)
    var count = 0
    var sum: Int64 = 0
    var max: Int64 = 0
  }

  private let state = Locked(State())

  public init() {}

  public func record(milliseconds ms: Int64) {
    let v = Swift.max(0, ms)
    var bucket = 0
    while bucket < 39 && (Int64(1) << bucket) <= v { bucket += 1 }
    state.withLock { s in
      s.buckets[bucket] += 1
      s.count += 1
      s.sum += v
      s.max = Swift.max(s.max, v)
    }
  }

  /// `nil` before the first mail.
  public var summary: Summary? {
    state.withLock { s in
      guard s.count > 0 else { return nil }
      let target = (s.count * 95 + 99) / 100
      var seen = 0
      var p95: Int64 = s.max
      for (i, n) in s.buckets.enumerated() {
        seen += n
        if seen >= target {
          p95 = Swift.min(s.max, i == 0 ? 0 : (Int64(1) << i) - 1)
          break
        }
      }
      return Summary(count: s.count, meanMilliseconds: Double(s.sum) / Double(s.count), p95Milliseconds: p95, maxMilliseconds: s.max)
    }
  }
}
