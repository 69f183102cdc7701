#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A point in time with millisecond precision, as envelopes and stream ids carry it.
public struct EventTime: Sendable, Comparable, Hashable {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  public var milliseconds: Int64

  public init(milliseconds: Int64) { self.milliseconds = milliseconds }

  public static func < (a: EventTime, b: EventTime) -> Bool { a.milliseconds < b.milliseconds }

  /// The wall clock now.
  public static func now() -> EventTime {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return EventTime(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
  }

  /// Microseconds since 1970 on the wall clock, for timings finer than a millisecond.
  public static func nowMicroseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
  }

  /// `2026-11-27T10:00:00.000123Z`: ISO-8601 in UTC with microseconds (the envelope format
  /// with three more digits, which every reader accepts), for `us` microseconds since 1970.
  public static func isoMicroseconds(_ us: Int64) -> String {
    let ms = us >= 0 ? us / 1000 : (us - 999) / 1000
    var text = EventTime(milliseconds: ms).iso
    let extra = Int(us - ms * 1000)
    text.removeLast()  // "Z"
    text += String(extra / 100) + String(extra / 10 % 10) + String(extra % 10) + "Z"
    return text
  }

  /// `2026-11-27T10:00:00.000Z`: ISO-8601 in UTC with milliseconds, the envelope format.
  public var iso: String {
    // Consecutive events mostly share a millisecond: format each millisecond once.
    if let cached = Self.lastFormatted.withLock({ $0.ms == milliseconds ? $0.text : nil }) { return cached }
    let text = format()
    Self.lastFormatted.withLock { $0 = (milliseconds, text) }
    return text
  }

  private static let lastFormatted = Locked<(ms: Int64, text: String)>((Int64.min, ""))

  /// The earliest and latest times ISO-8601 dates of four-digit years can show: years 0000 and
  /// 9999. Formatting clamps to them (a stream id may hold any 64-bit number of milliseconds).
  public static let formattable: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

  /// Whole seconds (rounded down) and the milliseconds left, for formatting within ``formattable``.
  private var clampedSeconds: (seconds: time_t, ms: Int) {
    let clamped = min(max(milliseconds, Self.formattable.lowerBound), Self.formattable.upperBound)
    let (q, r) = clamped.quotientAndRemainder(dividingBy: 1000)
    return r < 0 ? (time_t(q - 1), Int(r + 1000)) : (time_t(q), Int(r))
  }

  private func format() -> String {
    let (seconds, ms) = clampedSeconds
    // The civil date of a day count (H. Hinnant's days-to-civil), computed here rather than
    // by gmtime_r, which reads the time zone database on first use.
    let s = Int(seconds)
    let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
    let secondOfDay = s - days * 86_400
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
      + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))Z"
  }

  /// `Fri, 27 Nov 2026 10:00:00 +0000`: the date format of mail headers (RFC 5322), in UTC.
  public var rfc5322: String {
    var seconds = clampedSeconds.seconds
    var t = tm()
    gmtime_r(&seconds, &t)
    var buffer = [CChar](repeating: 0, count: 64)
    let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S +0000", &t)
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Days in a month of the Gregorian calendar (February 29 only in leap years).
  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Parses ISO-8601: `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff…]]` and `Z` or
  /// `±HH:MM` (a time without zone is taken as UTC). Returns `nil` for anything else.
  public init?(iso text: String) {
    var copy = text
    guard let us = copy.withUTF8(Self.microseconds(iso:)) else { return nil }
    self.milliseconds = us >= 0 ? us / 1000 : (us - 999) / 1000
  }

  /// Microseconds since 1970 of an ISO-8601 time (see ``init(iso:)``; digits after the sixth
  /// fractional one are ignored), read in place; `nil` when it is not one.
  package static func microseconds(iso b: UnsafeBufferPointer<UInt8>) -> Int64? {
    if let us = canonicalMicroseconds(b) { return us }
    var i = 0
    func number(_ width: Int) -> Int? {
      guard i + width <= b.count else { return nil }
      var v = 0
      for k in 0..<width {
        let c = b[i + k]
        guard c >= 0x30 && c <= 0x39 else { return nil }
        v = v * 10 + Int(c - 0x30)
      }
      i += width
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard i < b.count, b[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")), let day = number(2),
      (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    var seconds = 0
    var micros = 0
    var offsetMinutes = 0
    if i < b.count {
      guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")) || expect(UInt8(ascii: " ")) else { return nil }
      guard let h = number(2), expect(UInt8(ascii: ":")), let m = number(2), h < 24, m < 60 else { return nil }
      seconds = h * 3600 + m * 60
      if expect(UInt8(ascii: ":")) {
        guard let s = number(2), s <= 60 else { return nil }
        seconds += s
        if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
          var digits = 0
          while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
            if digits < 6 { micros = micros * 10 + Int(b[i] - 0x30) }
            digits += 1
            i += 1
          }
          guard digits > 0 else { return nil }
          for _ in min(digits, 6)..<6 { micros *= 10 }
        }
      }
      if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
      } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let oh = number(2) else { return nil }
        _ = expect(UInt8(ascii: ":"))
        guard let om = number(2), oh < 24, om < 60 else { return nil }
        offsetMinutes = sign * (oh * 60 + om)
      }
      guard i == b.count else { return nil }
    }
    let days = Int64(Self.daysSince1970(year: year, month: month, day: day))
    return (days * 86_400 + Int64(seconds) - Int64(offsetMinutes * 60)) * 1_000_000 + Int64(micros)
  }

  /// The envelope's own form, `YYYY-MM-DDTHH:MM:SS.mmmZ` (or with 6 fraction digits), read
  /// without the general parser; `nil` for anything else (which the general parser then reads
  /// or refuses).
  private static func canonicalMicroseconds(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard b.count == 24 || b.count == 27, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
      b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[b.count - 1] == UInt8(ascii: "Z")
    else { return nil }
    var bad = false
    func d(_ k: Int) -> Int {
      let v = Int(b[k]) &- 0x30
      if v < 0 || v > 9 { bad = true }
      return v
    }
    let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
    let month = d(5) * 10 + d(6)
    let day = d(8) * 10 + d(9)
    let hour = d(11) * 10 + d(12)
    let minute = d(14) * 10 + d(15)
    let second = d(17) * 10 + d(18)
    var fraction = 0
    for k in 20..<(b.count - 1) { fraction = fraction * 10 + d(k) }
    if b.count == 24 { fraction *= 1000 }
    guard !bad, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second <= 60
    else { return nil }
    let days = Int64(daysSince1970(year: year, month: month, day: day))
    return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000 + Int64(fraction)
  }

  /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
  /// days_from_civil): what timegm computes, without its call.
  static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
