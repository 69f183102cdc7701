/// A Redis stream entry id `<milliseconds>-<sequence>`, ordered as Redis orders them.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var milliseconds: UInt64
  public var sequence: UInt64

  public init(milliseconds: UInt64, sequence: UInt64 = 0) {
    self.milliseconds = milliseconds
    self.sequence = sequence
  }

  public static let zero = StreamID(milliseconds: 0, sequence: 0)

  /// Parses `123-4` or `123` (sequence 0).
  public init?(_ text: String) {
    var copy = text
    guard let id = copy.withUTF8(Self.parse) else { return nil }
    self = id
  }

  /// Parses an id from bytes, in place: ids come with every entry Redis returns.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> StreamID? {
    var parts: (UInt64, UInt64) = (0, 0)
    var field = 0
    var digits = 0
    for b in bytes {
      if b == UInt8(ascii: "-") {
        guard field == 0, digits > 0 else { return nil }
        field = 1
        digits = 0
        continue
      }
      guard b >= 0x30 && b <= 0x39, digits < 20 else { return nil }
      let (times10, o1) = (field == 0 ? parts.0 : parts.1).multipliedReportingOverflow(by: 10)
      let (value, o2) = times10.addingReportingOverflow(UInt64(b - 0x30))
      guard !o1, !o2 else { return nil }
      if field == 0 { parts.0 = value } else { parts.1 = value }
      digits += 1
    }
    guard digits > 0 else { return nil }
    return StreamID(milliseconds: parts.0, sequence: parts.1)
  }

  public var description: String { "\(milliseconds)-\(sequence)" }

  /// The id just before this one (`0-0` stays `0-0`).
  public var previous: StreamID {
    if sequence > 0 { return StreamID(milliseconds: milliseconds, sequence: sequence - 1) }
    if milliseconds > 0 { return StreamID(milliseconds: milliseconds - 1, sequence: UInt64.max) }
    return self
  }

  /// The creation time Redis put into the id (an id past 2^63 - 1 ms, which any client may
  /// write, is read as the latest time there is).
  public var time: EventTime { EventTime(milliseconds: Int64(clamping: milliseconds)) }

  public static func < (a: StreamID, b: StreamID) -> Bool {
    (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
  }
}
