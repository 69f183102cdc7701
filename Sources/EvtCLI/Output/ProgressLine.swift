import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// A progress line on standard error, redrawn in place (`\r`) at most five times a second;
/// for terminals only.
final class ProgressLine {
  private let started = EventTime.nowMicroseconds()
  private var lastShown: Int64 = 0
  private var shown = false

  /// Redraws the line, unless it was redrawn less than 200 ms ago (`force`: always).
  func show(_ text: String, force: Bool = false) {
    let now = EventTime.nowMicroseconds()
    guard force || now - lastShown >= 200_000 else { return }
    lastShown = now
    shown = true
    Terminal.writeAll(2, Array("\revt: \(Printable.escaped(text))\u{1B}[K".utf8))
  }

  /// `n` per second since the line was made, rounded.
  func rate(_ n: Int) -> Int {
    let seconds = Double(EventTime.nowMicroseconds() - started) / 1_000_000
    return seconds > 0 ? Int((Double(n) / seconds).rounded()) : 0
  }

  /// Ends the line (a newline), when it was shown.
  func end() {
    if shown { Terminal.writeAll(2, [0x0A]) }
  }
}
