import EvtRedis

/// Which type streams a reader covers: exact type names, and glob patterns matched against
/// `NS:types` (so types first published later are picked up by ``refresh()``).
public struct TypeSelection: Sendable {
  public let patterns: [String]

  /// - Parameter patterns: type names or globs; empty means every type (`*`).
  /// - Throws: ``BusError`` `.invalidArgument` for a name that is neither a valid type nor a pattern.
  public init(_ patterns: [String]) throws(BusError) {
    for p in patterns {
      do { try EventType.validatePattern(p) } catch { throw BusError(.invalidArgument, error.message) }
    }
    self.patterns = patterns.isEmpty ? ["*"] : patterns
  }

  /// Exact type names (no glob characters): their streams are read even before they exist.
  public var exactTypes: [String] { patterns.filter { !EventType.isPattern($0) } }
  public var hasPatterns: Bool { patterns.contains(where: EventType.isPattern) }

  public func matches(_ type: String) -> Bool {
    patterns.contains { EventType.matches($0, type) }
  }

  /// The types selected: the exact types, and the registered types the patterns match, sorted.
  public func resolve(_ connection: RedisConnection, _ keys: Keys) throws(BusError) -> [String] {
    var types = Set(exactTypes)
    if hasPatterns {
      let reply = try wrap { () throws(RedisError) in try connection.command(["SMEMBERS", keys.types]) }
      for s in try StreamReply.strings(reply, "SMEMBERS \(keys.types)") where matches(s) { types.insert(s) }
    }
    return types.sorted()
  }
}
