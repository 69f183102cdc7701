import EvtRedis

/// Registered schemas by type and version, each read from Redis and compiled once: for the
/// consumers, which check every event against the version it carries, and for
/// `publish --ndjson`, which checks every line. A version Redis does not have is asked for
/// again at most once a second, so a consumer picks up a newly registered version within a
/// second of meeting it.
final class SchemaCache {
  private var entries: [String: (found: SchemaRegistry.Version?, readAt: Int64)] = [:]
  let registry: SchemaRegistry
  /// Type/version pairs kept at most (then the cache starts again): versions are named by the
  /// events themselves, and hostile ones could name millions.
  static let capacity = 4096

  init(registry: SchemaRegistry) {
    self.registry = registry
  }

  /// Version `version` of `type`'s schema (`nil`: the latest), or `nil` when it is not
  /// registered.
  func contract(_ type: String, version: Int?) throws(BusError) -> SchemaRegistry.Version? {
    let key = type + "\u{0}" + String(version ?? 0)
    let now = EventTime.now().milliseconds
    if let entry = entries[key], entry.found != nil || now - entry.readAt < 1000 { return entry.found }
    if entries[key] == nil && entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
    let found: SchemaRegistry.Version?
    do {
      found = try registry.contract(type, version: version)
    } catch  where error.kind == .notFound {
      found = nil
    }
    entries[key] = (found, now)
    return found
  }

  /// Why `envelope` may not be handled — its data breaks the schema of the version it carries,
  /// or that version is not registered — or `nil`. Envelopes of version `1.x` carry no schema.
  func problem(_ envelope: Envelope) throws(BusError) -> String? {
    guard let version = envelope.schemaVersion else { return nil }
    let type = envelope.type
    guard let found = try contract(type, version: version) else { return "\(type) version \(version) is not a registered schema version" }
    guard let v = found.schema.violation(of: envelope) else { return nil }
    return "breaks \(type) schema version \(version): \(v)"
  }
}
