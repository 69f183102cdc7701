#if canImport(Glibc)
  import Glibc
#endif

/// A point in time on the monotonic clock by which an operation must be done; `nil` time
/// means never.
struct Deadline {
  private let end: Int64?

  /// `seconds` from now; 0 or less: no deadline (wait as long as it takes).
  init(seconds: Double) {
    end = seconds > 0 ? Self.nowNanoseconds() + Int64(min(seconds, 1e9) * 1e9) : nil
  }

  /// Milliseconds left for `poll()`: -1 for no deadline, 0 once passed.
  var pollMilliseconds: Int32 {
    guard let end else { return -1 }
    let left = end - Self.nowNanoseconds()
    if left <= 0 { return 0 }
    return Int32(clamping: (left + 999_999) / 1_000_000)
  }

  var hasPassed: Bool { end.map { Self.nowNanoseconds() >= $0 } ?? false }

  static func nowNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }
}
