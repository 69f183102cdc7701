import EvtRedis

/// How a type's next schema version must relate to the one before it.
public enum SchemaCompatibility: String, Sendable, CaseIterable {
  /// The new version accepts every event the previous one did (consumers on the new version
  /// read old events): the default.
  case backward
  /// The previous version accepts every event the new one does (consumers still on the old
  /// version read new events).
  case forward
  /// Both.
  case full
  /// No rule.
  case none

  /// Every way `candidate` breaks this rule as the version after `previous` (empty: none).
  public func breaches(by candidate: JSONSchema, of previous: JSONSchema) -> [String] {
    var reasons: [String] = []
    if self == .backward || self == .full { reasons += candidate.tightenings(since: previous) }
    if self == .forward || self == .full { reasons += previous.tightenings(since: candidate).map { "(forward) " + $0 } }
    return reasons
  }
}

/// The JSON Schemas of event types, kept in Redis so every evt process sees the same
/// contracts: one hash per type, `NS:{<type>}:schemas`, on the type's slot (fields `latest`,
/// `last` — the highest version ever given out —, `mode`, and `v<N>` holding version N's
/// schema as registered), and the set `NS:schema-types` naming the types that have one.
/// Versions count 1, 2, … per type and are never reused, not even after a deletion.
///
/// Registering is a compare-and-set on `latest` in one script: of two processes registering at
/// once, the second is told to try again (after checking against the version the first made),
/// so no version is ever checked against a schema that is not the one before it.
///
/// The built-in contracts (``EventContracts``) are registered by the same path: the first
/// time a built-in type's schema is looked up and Redis has none, its built-in schema is
/// registered as its first version.
public struct SchemaRegistry {
  public let connection: RedisConnection
  public let keys: Keys
  /// The built-in contracts, registered on first use.
  public let builtIns: EventContracts

  public init(connection: RedisConnection, keys: Keys, builtIns: EventContracts = .bus) {
    self.connection = connection
    self.keys = keys
    self.builtIns = builtIns
  }

  /// A registered version of a type's schema (a class: consumers hand the one they cached
  /// around for every event).
  public final class Version: Sendable {
    public let type: String
    public let version: Int
    public let schema: JSONSchema

    init(type: String, version: Int, schema: JSONSchema) {
      self.type = type
      self.version = version
      self.schema = schema
    }

    /// `envelope` checked against this version and stamped with it (unchanged when it
    /// carries it already).
    /// - Throws: `.badData` naming the version, the instance's place and the keyword.
    public func stamp(_ envelope: Envelope) throws(BusError) -> Envelope {
      if let v = schema.violation(of: envelope) { throw BusError(.badData, "\(type) version \(version): \(v)") }
      if envelope.schemaVersion == version { return envelope }
      do { return try envelope.withVersion(version) } catch { throw BusError(error) }
    }
  }

  /// The latest version of `type`'s schema, or `nil` when the type has none (free-form).
  /// - Throws: `.badData` when what Redis holds is not a schema evt can compile.
  public func latest(_ type: String) throws(BusError) -> Version? {
    let key = keys.schemas(type)
    let reply = try connection.busCommand(["HGET", key, "latest"])
    guard let text = reply.string else { return nil }
    guard let n = Int(text), n >= 1 else { throw BusError(.badData, "\(key) holds latest = \(JSON.quoted(text)), not a version") }
    // The latest version may have been deleted: the newest one left.
    for v in try versions(type).reversed() where v <= n {
      if let found = try version(type, v) { return found }
    }
    return nil
  }

  /// Version `version` of `type`'s schema, or `nil` when it is not registered.
  public func version(_ type: String, _ version: Int) throws(BusError) -> Version? {
    let key = keys.schemas(type)
    guard let text = try connection.busCommand(["HGET", key, "v\(version)"]).bytes else { return nil }
    do {
      return Version(type: type, version: version, schema: try JSONSchema.compile(text))
    } catch {
      throw BusError(.badData, "\(key) v\(version) is not a schema evt can use: \(error.message)")
    }
  }

  /// The versions of `type`'s schema that are registered, oldest first.
  public func versions(_ type: String) throws(BusError) -> [Int] {
    let reply = try connection.busCommand(["HKEYS", keys.schemas(type)])
    return (reply.array ?? []).compactMap { field in
      guard let name = field.string, name.hasPrefix("v") else { return nil }
      return Int(name.dropFirst())
    }.sorted()
  }

  /// The types that have a schema, sorted.
  public func types() throws(BusError) -> [String] {
    try connection.members(of: keys.schemaTypes).sorted()
  }

  /// The compatibility rule of `type` (``SchemaCompatibility/backward`` unless set).
  public func compatibility(_ type: String) throws(BusError) -> SchemaCompatibility {
    guard let text = try connection.busCommand(["HGET", keys.schemas(type), "mode"]).string else { return .backward }
    return SchemaCompatibility(rawValue: text) ?? .backward
  }

  /// Sets the compatibility rule of `type`.
  public func setCompatibility(_ mode: SchemaCompatibility, for type: String) throws(BusError) {
    _ = try connection.busCommand(["HSET", keys.schemas(type), "mode", mode.rawValue])
  }

  /// Registers `schema` as the version after `previous` (`nil`: the first).
  /// - Returns: the new version's number.
  /// - Throws: `.conflict` when another version was registered since `previous` was read
  ///   (check against it and try again).
  public func register(_ type: String, _ schema: JSONSchema, after previous: Int?) throws(BusError) -> Int {
    let reply = try Self.registerScript.run(
      on: connection, keys: [keys.schemas(type)], args: [String(previous ?? 0), String(decoding: schema.source, as: UTF8.self)])
    guard let n = reply.int else { throw StreamReply.unexpected("the registration of \(type)'s schema", reply) }
    guard n > 0 else {
      throw BusError(.conflict, "another version of \(type)'s schema was registered meanwhile; check against it and register again")
    }
    _ = try connection.busCommand(["SADD", keys.schemaTypes, type])
    return n
  }

  /// Registers the schema document `source` for `type` as its next version, unless it is the
  /// latest version already (then nothing changes).
  /// - Returns: the version, and whether it is new.
  /// - Throws: `.invalidArgument` for a type name that is not valid; `.badData` for a schema
  ///   ``JSONSchema/compile(_:)`` refuses, or one that breaks the type's compatibility rule
  ///   with the version before it (every reason in the one line); `.conflict` when other
  ///   registrations kept overtaking this one.
  public func register(_ type: String, source: [UInt8]) throws(BusError) -> (version: Int, isNew: Bool) {
    do { try EventType.validate(type) } catch { throw BusError(.invalidArgument, error.message) }
    let schema: JSONSchema
    do { schema = try JSONSchema.compile(source) } catch { throw BusError(.badData, "the schema for \(type): \(error.message)") }
    for _ in 0..<5 {
      let previous = try latest(type)
      if let previous, previous.schema.source == schema.source { return (previous.version, false) }
      if let previous {
        let mode = try compatibility(type)
        let reasons = mode.breaches(by: schema, of: previous.schema)
        guard reasons.isEmpty else {
          throw BusError(
            .badData,
            "the schema would break \(mode.rawValue) compatibility with \(type) version \(previous.version): \(reasons.joined(separator: "; "))"
          )
        }
      }
      do {
        return (try register(type, schema, after: previous?.version), true)
      } catch  where error.kind == .conflict {
        continue
      }
    }
    throw BusError(.conflict, "other versions of \(type)'s schema kept being registered meanwhile; try again")
  }

  /// The schema an event of `type` is checked against when published: version `wanted`, or
  /// the latest, read in one round trip; `nil` when the type has no schema (free-form).
  /// - Throws: `.notFound` when `wanted` is not a registered version; `.badData` when what
  ///   Redis holds is not a schema evt can compile.
  public func contract(_ type: String, version wanted: Int? = nil) throws(BusError) -> Version? {
    let key = keys.schemas(type)
    let reply = try Self.lookupScript.run(on: connection, keys: [key], args: [wanted.map(String.init) ?? ""])
    guard let parts = reply.array else {
      if wanted == nil || wanted == 1, let builtIn = builtIns[type] {
        // A built-in type meets the registry: its contract becomes version 1 (or the next).
        let (n, _) = try register(type, source: builtIn.source)
        if wanted == nil || wanted == n { return Version(type: type, version: n, schema: builtIn) }
      }
      if let wanted { throw BusError(.notFound, "\(type) has no schema version \(wanted)") }
      return nil
    }
    guard let n = parts.first?.int else { throw StreamReply.unexpected("the schema of \(type)", reply) }
    guard parts.count == 2, let text = parts[1].bytes else {
      throw BusError(.notFound, "\(type) has no schema version \(n)\(wanted == nil ? " (its latest was deleted)" : "")")
    }
    do {
      return Version(type: type, version: n, schema: try JSONSchema.compile(text))
    } catch {
      throw BusError(.badData, "\(key) v\(n) is not a schema evt can use: \(error.message)")
    }
  }

  /// `envelope` as a publisher writes it: checked against its type's schema (version `wanted`,
  /// or the latest) and stamped with that version; unchanged when the type has no schema.
  /// - Throws: `.badData` naming the version, the instance's place and the keyword when the
  ///   data breaks the schema; `.notFound` for a `wanted` version that is not registered.
  public func stamp(_ envelope: Envelope, version wanted: Int? = nil) throws(BusError) -> Envelope {
    guard let contract = try contract(envelope.type, version: wanted) else { return envelope }
    return try contract.stamp(envelope)
  }

  /// KEYS: the type's schema hash; ARGV: the version wanted, or "" for the latest. Returns
  /// {version, schema}, {version} when that version is gone, or nil when the type has none.
  static let lookupScript = RedisScript(
    """
    local n = ARGV[1]
    if n == '' then
      n = redis.call('HGET', KEYS[1], 'latest')
      if not n then return false end
    end
    local s = redis.call('HGET', KEYS[1], 'v' .. n)
    if not s then
      if ARGV[1] ~= '' then return false end
      return {tonumber(n)}
    end
    return {tonumber(n), s}
    """)

  /// KEYS: the type's schema hash; ARGV: the latest version the caller checked against (0:
  /// none), the schema. Returns the new version, or -1 when `latest` moved.
  static let registerScript = RedisScript(
    """
    local latest = tonumber(redis.call('HGET', KEYS[1], 'latest') or '0')
    if latest ~= tonumber(ARGV[1]) then return -1 end
    local n = math.max(latest, tonumber(redis.call('HGET', KEYS[1], 'last') or '0')) + 1
    redis.call('HSET', KEYS[1], 'latest', n, 'last', n, 'v' .. n, ARGV[2])
    return n
    """)
}
