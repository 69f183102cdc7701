/// Where a consumer group starts when it is created.
public enum GroupStart: Sendable, Equatable {
  /// The start of retained history: every event still in the stream (the default).
  case beginning
  /// Only events published after the group was created.
  case latest
  /// Events after this stream id.
  case after(StreamID)

  var argument: String {
    switch self {
    case .beginning: return "0"
    case .latest: return "$"
    case .after(let id): return id.description
    }
  }
}
