import ArgumentParser
import EvtBus

/// A duration option (`--timeout 1h30m`, `--claim-idle 500ms`, `--retry 20`).
struct DurationArgument: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
  let milliseconds: Int64

  init(milliseconds: Int64) { self.milliseconds = milliseconds }

  init?(argument: String) {
    guard let ms = DurationText.milliseconds(argument) else { return nil }
    milliseconds = ms
  }

  var seconds: Double { Double(milliseconds) / 1000 }
  var description: String { DurationText.format(milliseconds: milliseconds) }
  var defaultValueDescription: String { description }

  /// Throws a usage error unless the duration is within `range` (in milliseconds).
  func check(_ name: String, _ range: ClosedRange<Int64>) throws {
    guard range.contains(milliseconds) else {
      throw ValidationError(
        "\(name) must be between \(DurationText.format(milliseconds: range.lowerBound)) and \(DurationText.format(milliseconds: range.upperBound)), not \(description)"
      )
    }
  }
}

extension DurationArgument {
  static let day: Int64 = 86_400_000
  static let oneMillisecondToADay: ClosedRange<Int64> = 1...day
  static let zeroToADay: ClosedRange<Int64> = 0...day
  static let oneMillisecondToThirtyDays: ClosedRange<Int64> = 1...(30 * day)
}
