import EvtBus
import Histogram

/// Processing times of the mails a worker sent, in an HdrHistogram (microseconds, three
/// significant digits, up to an hour): fixed memory however long the worker runs, and
/// percentiles within 0.1 % of the true value. Safe to share between threads.
package final class Timings: Sendable {
  package struct Summary: Sendable, Equatable {
    package var count: Int
    package var meanMilliseconds: Double
    package var p50Milliseconds: Double
    package var p95Milliseconds: Double
    package var p99Milliseconds: Double
    package var maxMilliseconds: Double
  }

  /// Longest time recorded exactly: an hour (longer ones count as an hour).
  static let highest: UInt64 = 3_600_000_000

  private let histogram = Locked(
    Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three))

  package init() {}

  package func record(microseconds us: Int64) {
    let v = Swift.min(UInt64(clamping: us), Self.highest)  // negative: 0
    histogram.withLock { _ = $0.record(v) }
  }

  /// `nil` before the first mail.
  package var summary: Summary? {
    histogram.withLock { h in
      guard h.totalCount > 0 else { return nil }
      func ms(_ us: UInt64) -> Double { (Double(us) / 100).rounded() / 10 }
      return Summary(
        count: Int(h.totalCount), meanMilliseconds: (h.mean / 100).rounded() / 10, p50Milliseconds: ms(h.valueAtPercentile(50)),
        p95Milliseconds: ms(h.valueAtPercentile(95)), p99Milliseconds: ms(h.valueAtPercentile(99)), maxMilliseconds: ms(h.max))
    }
  }
}
