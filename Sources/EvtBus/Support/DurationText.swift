/// One syntax for every duration on the command line and in the environment: a number of
/// seconds (`30`, `0.5`) or numbers with units, `ms`, `s`, `m`, `h`, `d`, run together
/// (`500ms`, `90s`, `15m`, `1h30m`, `1.5d`). Parsed into whole milliseconds with overflow
/// checks: no input can trap.
public enum DurationText {
  /// Longest duration accepted anywhere (100 years); options check their own, smaller ranges.
  public static let maxMilliseconds: Int64 = 100 * 365 * 86_400_000

  public static func milliseconds(_ text: String) -> Int64? {
    let b = Array(text.utf8)
    guard !b.isEmpty, b.count <= 64 else { return nil }
    var i = 0
    var total: Int64 = 0
    var components = 0
    while i < b.count {
      // A number: digits, optionally a fraction.
      var whole: Int64 = 0
      var digits = 0
      while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
        guard digits < 15 else { return nil }
        whole = whole * 10 + Int64(b[i] - 0x30)
        digits += 1
        i += 1
      }
      var fraction: Int64 = 0
      var scale: Int64 = 1
      if i < b.count, b[i] == UInt8(ascii: ".") {
        i += 1
        var fractionDigits = 0
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
          if fractionDigits < 6 {
            fraction = fraction * 10 + Int64(b[i] - 0x30)
            scale *= 10
          }
          fractionDigits += 1
          i += 1
        }
        guard fractionDigits > 0 else { return nil }
      }
      guard digits > 0 else { return nil }
      // Its unit; a bare number (the whole text) is seconds.
      let unitStart = i
      while i < b.count, b[i] >= UInt8(ascii: "a") && b[i] <= UInt8(ascii: "z") { i += 1 }
      let unit = String(decoding: b[unitStart..<i], as: UTF8.self)
      let perUnit: Int64
      switch unit {
      case "ms": perUnit = 1
      case "s": perUnit = 1000
      case "m": perUnit = 60_000
      case "h": perUnit = 3_600_000
      case "d": perUnit = 86_400_000
      case "": perUnit = 1000
      default: return nil
      }
      if unit.isEmpty && (components > 0 || i < b.count) { return nil }
      let (wholeMs, o1) = whole.multipliedReportingOverflow(by: perUnit)
      guard !o1 else { return nil }
      let part = wholeMs + fraction * perUnit / scale
      let (sum, o2) = total.addingReportingOverflow(part)
      guard !o2, sum <= maxMilliseconds else { return nil }
      total = sum
      components += 1
    }
    return total
  }

  /// `1h30m`, `500ms`, `2s`: the shortest readable form of a duration.
  public static func format(milliseconds ms: Int64) -> String {
    if ms == 0 { return "0s" }
    if ms % 1000 != 0 { return ms < 1000 ? "\(ms)ms" : "\(Double(ms) / 1000)s" }
    var s = ms / 1000
    var out = ""
    for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where s >= size {
      out += "\(s / size)\(unit)"
      s %= size
    }
    return out
  }
}
