import EvtRedis

/// Registered schemas by type and version, each read from Redis and compiled once: for the
/// consumers, which check every event against the version it carries, and for
/// `publish --ndjson`, which checks every line. A version Redis does not have is asked for
/// again at most once a second, so a consumer picks up a newly registered version within a
/// second of meeting it.
final class SchemaCache {
  private var entries: [String: (found: SchemaRegistry.Version?, readAt: Int64)] = [:]
  private var last: (type: String, version: Int?, found: SchemaRegistry.Version)?
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
    // Events of one type and version come in runs: the last one found needs no lookup.
    if let last, last.type == type, last.version == version { return last.found }
    let key = type + "\u{0}" + String(version ?? 0)
    let now = EventTime.now().milliseconds
    if let entry = entries[key], entry.found != nil || now - entry.readAt < 1000 {
      last = entry.found.map { (type, version, $0) }
      return entry.found
    }
    if entries[key] == nil && entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
    let found: SchemaRegistry.Version?
    do {
      found = try registry.contract(type, version: version)
    } catch  where error.kind == .notFound {
      found = nil
    }
    entries[key] = (found, now)
    last = found.map { (type, version, $0) }
    return found
  }

  /// Why `envelope` may not be handled — its data breaks the schema of the version it carries,
  /// or that version is not registered — or `nil`. Envelopes of version `1.x` carry no schema.
  func problem(_ envelope: Envelope) throws(BusError) -> String? {
    guard let version = envelope.schemaVersion else { return nil }
    if let last, last.version == version, envelope.hasType(last.type) { return problem(envelope, last.found) }
    let type = envelope.type
    guard let found = try contract(type, version: version) else { return "\(type) version \(version) is not a registered schema version" }
    return problem(envelope, found)
  }

  private func problem(_ envelope: Envelope, _ found: SchemaRegistry.Version) -> String? {
    guard let v = found.schema.violation(of: envelope) else { return nil }
    return "breaks \(found.type) schema version \(found.version): \(v)"
  }
}
