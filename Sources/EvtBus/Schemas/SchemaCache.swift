import EvtRedis

/// The schemas a consumer checks events against, by type and version: each read from Redis
/// and compiled once per consumer; a version Redis does not have is asked for again at most
/// once a second, so a consumer picks up a newly registered version within a second of
/// meeting it.
final class SchemaCache {
  private var entries: [String: (schema: JSONSchema?, readAt: Int64)] = [:]
  private let registry: SchemaRegistry
  /// Type/version pairs kept at most (then the cache starts again).
  static let capacity = 4096

  init(registry: SchemaRegistry) {
    self.registry = registry
  }

  /// Why `envelope` may not be handled — its data breaks the schema of the version it carries,
  /// or that version is not registered — or `nil`. Envelopes of version `1.x` carry no schema.
  func problem(_ envelope: Envelope) throws(BusError) -> String? {
    guard let version = envelope.schemaVersion else { return nil }
    let type = envelope.type
    let key = type + "\u{0}" + String(version)
    let now = EventTime.now().milliseconds
    var entry = entries[key]
    if entry == nil || (entry!.schema == nil && now - entry!.readAt >= 1000) {
      // Versions are named by the events themselves: hostile ones could name millions.
      if entry == nil && entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
      let found: JSONSchema?
      do {
        found = try registry.contract(type, version: version)?.schema
      } catch  where error.kind == .notFound {
        found = nil
      }
      entry = (found, now)
      entries[key] = entry
    }
    guard let schema = entry!.schema else { return "\(type) version \(version) is not a registered schema version" }
    guard let v = schema.violation(of: envelope.data) else { return nil }
    return "breaks \(type) schema version \(version): \(v)"
  }
}
