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
      for s in try connection.members(of: keys.types) where matches(s) { types.insert(s) }
    }
    return types.sorted()
  }
}

/// For a reader that resolves a selection again and again (each idle turn): `NS:types` is read
/// whole (SMEMBERS) only when its size changed since the last time (SCARD, O(1)) or every
/// ``recheckMilliseconds`` (for members replaced), so an idle reader of thousands of types
/// costs next to nothing. Selections without patterns need no I/O.
struct TypeSetWatch {
  private var seen: (count: Int, at: Int64)?
  static let recheckMilliseconds: Int64 = 30_000

  /// Forgets what was seen: the next call reads the set.
  mutating func reset() { seen = nil }

  /// The selected types, or `nil` when the set cannot have changed since the last answer.
  mutating func types(_ selection: TypeSelection, _ connection: RedisConnection, _ keys: Keys) throws(BusError) -> [String]? {
    guard selection.hasPatterns else { return try selection.resolve(connection, keys) }
    let count = try connection.busCommand(["SCARD", keys.types]).int ?? 0
    let now = EventTime.now().milliseconds
    if let seen, seen.count == count, now - seen.at < Self.recheckMilliseconds { return nil }
    let types = try selection.resolve(connection, keys)
    seen = (count, now)
    return types
  }
}
