#if canImport(Glibc)
  import Glibc
#endif

/// Sleeps for `seconds`, waking early when `stop()` turns true (checked every 50 ms).
package func sleepSeconds(_ seconds: Double, unless stop: () -> Bool = { false }) {
  var left = Int(seconds * 1000)
  while left > 0 && !stop() {
    sleepMilliseconds(min(left, 50))
    left -= 50
  }
}

func sleepMilliseconds(_ ms: Int) {
  guard ms > 0 else { return }
  var remaining = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
  var left = timespec()
  while nanosleep(&remaining, &left) != 0 { remaining = left }
}

/// Sleeps `us` microseconds (through signals).
package func sleepMicroseconds(_ us: Int64) {
  guard us > 0 else { return }
  var remaining = timespec(tv_sec: Int(us / 1_000_000), tv_nsec: Int(us % 1_000_000) * 1000)
  var left = timespec()
  while nanosleep(&remaining, &left) != 0 { remaining = left }
}
