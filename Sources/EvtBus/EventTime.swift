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

  /// `2026-11-27T10:00:00.000Z`: ISO-8601 in UTC with milliseconds, the envelope format.
  public var iso: String {
    // Consecutive events mostly share a millisecond: format each millisecond once.
    if let cached = Self.lastFormatted.withLock({ $0.ms == milliseconds ? $0.text : nil }) { return cached }
    let text = format()
    Self.lastFormatted.withLock { $0 = (milliseconds, text) }
    return text
  }

  private static let lastFormatted = Locked<(ms: Int64, text: String)>((Int64.min, ""))

  private func format() -> String {
    var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
    let ms = Int(milliseconds - Int64(seconds) * 1000)
    var t = tm()
    gmtime_r(&seconds, &t)
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
    return "\(pad(Int(t.tm_year) + 1900, 4))-\(pad(Int(t.tm_mon) + 1, 2))-\(pad(Int(t.tm_mday), 2))T"
      + "\(pad(Int(t.tm_hour), 2)):\(pad(Int(t.tm_min), 2)):\(pad(Int(t.tm_sec), 2)).\(pad(ms, 3))Z"
  }

  /// `Fri, 27 Nov 2026 10:00:00 +0000`: the date format of mail headers (RFC 5322), in UTC.
  public var rfc5322: String {
    var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
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
    let b = Array(text.utf8)
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
    func expect(_ c: Character) -> Bool {
      guard i < b.count, b[i] == c.asciiValue! else { return false }
      i += 1
      return true
    }
    guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
      (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    var millis = 0
    var offsetMinutes = 0
    if i < b.count {
      guard expect("T") || expect("t") || expect(" ") else { return nil }
      guard let h = number(2), expect(":"), let m = number(2), h < 24, m < 60 else { return nil }
      hour = h
      minute = m
      if expect(":") {
        guard let s = number(2), s <= 60 else { return nil }
        second = s
        if expect(".") || expect(",") {
          var digits = 0
          var frac = 0
          while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
            if digits < 3 { frac = frac * 10 + Int(b[i] - 0x30) }
            digits += 1
            i += 1
          }
          guard digits > 0 else { return nil }
          if digits < 3 { for _ in digits..<3 { frac *= 10 } }
          millis = frac
        }
      }
      if expect("Z") || expect("z") {
      } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let oh = number(2) else { return nil }
        _ = expect(":")
        guard let om = number(2), oh < 24, om < 60 else { return nil }
        offsetMinutes = sign * (oh * 60 + om)
      }
      guard i == b.count else { return nil }
    }
    var t = tm()
    t.tm_year = Int32(year - 1900)
    t.tm_mon = Int32(month - 1)
    t.tm_mday = Int32(day)
    t.tm_hour = Int32(hour)
    t.tm_min = Int32(minute)
    t.tm_sec = Int32(second)
    let seconds = Int64(timegm(&t)) - Int64(offsetMinutes * 60)
    self.milliseconds = seconds * 1000 + Int64(millis)
  }
}
