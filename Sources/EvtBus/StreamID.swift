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
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count <= 2, let ms = UInt64(parts[0]) else { return nil }
    var seq: UInt64 = 0
    if parts.count == 2 {
      guard let s = UInt64(parts[1]) else { return nil }
      seq = s
    }
    self.init(milliseconds: ms, sequence: seq)
  }

  public var description: String { "\(milliseconds)-\(sequence)" }

  /// The creation time Redis put into the id.
  public var time: EventTime { EventTime(milliseconds: Int64(milliseconds)) }

  public static func < (a: StreamID, b: StreamID) -> Bool {
    (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
  }
}
