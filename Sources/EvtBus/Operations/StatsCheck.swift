/// The thresholds of `evt stats --check 'lag<1000,dlq=0,idle<5m'`: each is a figure, an
/// operator (`<` `<=` `>` `>=` `=` `!=`) and a number (a duration for `idle`), checked against
/// every group (lag, pending, idle), dead-letter queue (dlq) or stream (length) of the types
/// shown. `evt stats --check` and the dashboard's group states read the same syntax.
public struct StatsCheck: Sendable {
  public enum Figure: String, CaseIterable, Sendable {
    /// Entries a group has not read (unknown lag breaks any lag threshold).
    case lag
    /// Entries delivered to a group and not acknowledged.
    case pending
    /// How long the oldest pending entry of a group has waited (0 with nothing pending).
    case idle
    /// Entries in a dead-letter queue (0 for a group with none).
    case dlq
    /// Entries in a type's stream.
    case length
  }

  public struct Threshold: Sendable, CustomStringConvertible {
    public var figure: Figure
    public var op: String
    public var limit: Int64
    public var text: String
    public var description: String { text }

    public func holds(_ value: Int64) -> Bool {
      switch op {
      case "<": return value < limit
      case "<=": return value <= limit
      case ">": return value > limit
      case ">=": return value >= limit
      case "=", "==": return value == limit
      default: return value != limit
      }
    }
  }

  public var thresholds: [Threshold]
  /// The thresholds as given, comma-separated.
  public var text: String { thresholds.map(\.text).joined(separator: ",") }

  /// Parses the list; the error names the part it cannot read.
  public init(_ text: String) throws(BusError) {
    thresholds = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let item = part.trimmingSpaces
      let usage =
        "--check '\(Printable.escaped(item))' is not like lag<1000, dlq=0 or idle<5m (figures: \(Figure.allCases.map(\.rawValue).joined(separator: ", ")))"
      guard let opStart = item.firstIndex(where: { "<>=!".contains($0) }) else { throw BusError(.invalidArgument, usage) }
      let name = String(item[..<opStart])
      let rest = item[opStart...]
      let op = String(rest.prefix { "<>=!".contains($0) })
      let value = String(rest.dropFirst(op.count))
      guard let figure = Figure(rawValue: name), ["<", "<=", ">", ">=", "=", "==", "!="].contains(op) else {
        throw BusError(.invalidArgument, usage)
      }
      let limit: Int64?
      if figure == .idle {
        limit = DurationText.milliseconds(value)
      } else {
        limit = Int64(value).flatMap { $0 >= 0 ? $0 : nil }
      }
      guard let limit else { throw BusError(.invalidArgument, usage) }
      thresholds.append(Threshold(figure: figure, op: op, limit: limit, text: item))
    }
  }

  /// One line per threshold broken, naming the threshold, where, and the value found.
  public func broken(_ types: [TypeStats]) -> [String] {
    var out: [String] = []
    for t in thresholds {
      for type in types {
        func check(_ value: Int64?, _ what: String, show: (Int64) -> String = { String($0) }) {
          guard let value else {
            out.append("\(t): \(what) is unknown")
            return
          }
          if !t.holds(value) { out.append("\(t): \(what) is \(show(value))") }
        }
        switch t.figure {
        case .length:
          check(Int64(type.length), "the stream of \(type.type) has length")
        case .dlq:
          // Every group reading the type, and every group with dead letters of it (also one
          // destroyed since).
          for g in Set(type.groups.map(\.name)).union(type.deadLetters.map(\.group)).sorted() {
            check(Int64(type.deadLetters.first { $0.group == g }?.size ?? 0), "dead letters of group \(g) on \(type.type)")
          }
        case .lag:
          for g in type.groups { check(g.lag.map(Int64.init), "lag of group \(g.name) on \(type.type)") }
        case .pending:
          for g in type.groups { check(Int64(g.pending), "pending of group \(g.name) on \(type.type)") }
        case .idle:
          for g in type.groups {
            check(
              Int64(g.oldestPendingIdleMilliseconds ?? 0), "oldest pending idle of group \(g.name) on \(type.type)",
              show: { DurationText.format(milliseconds: $0) })
          }
        }
      }
    }
    return out
  }

  /// The thresholds one group breaks: those of its own figures (lag, pending, idle, its dead
  /// letters) and those of its type's stream (length).
  public func broken(group: String, of type: TypeStats) -> [String] {
    var only = type
    only.groups = type.groups.filter { $0.name == group }
    only.deadLetters = type.deadLetters.filter { $0.group == group }
    return broken([only])
  }
}

extension Substring {
  fileprivate var trimmingSpaces: String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
