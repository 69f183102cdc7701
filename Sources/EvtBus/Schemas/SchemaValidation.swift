import EvtRedis

/// What `tail --validate` and `subscribe --validate` (without a group) do: check each event
/// against the schema of the version it carries and report a breach, without stopping or
/// changing anything. Schemas are read on the reader's own connection between reads, and
/// cached like a group consumer's (``SchemaCache``).
public final class SchemaValidation {
  private let cache: SchemaCache

  /// - Parameter builtIns: the built-in contracts, which events without a schema version of
  ///   their types are checked against.
  public init(connection: RedisConnection, keys: Keys, builtIns: EventContracts) {
    cache = SchemaCache(registry: SchemaRegistry(connection: connection, keys: keys, builtIns: builtIns))
  }

  /// Why the event of `entry` breaks its type's schema — `invoice.paid event ID: breaks
  /// invoice.paid schema version 2: data/amount: …`, or an unknown version — or `nil` when it
  /// conforms, carries no schema version (`1.x`) of a type without a built-in contract, or is
  /// not an envelope (readers show those as they are).
  public func problem(_ entry: StreamEntry) throws(BusError) -> String? {
    guard let raw = entry.event, let envelope = try? Envelope.decode(raw) else { return nil }
    return try problem(envelope)
  }

  /// ``problem(_:)-(StreamEntry)`` for a decoded envelope.
  public func problem(_ envelope: Envelope) throws(BusError) -> String? {
    var problem = cache.registry.builtIns.violation(of: envelope).map { "breaks its contract: \($0)" }
    if problem == nil { problem = try cache.problem(envelope) }
    return problem.map { "\(envelope.type) event \(envelope.id): \($0)" }
  }
}

/// A handler that reports (through `report`) each delivery whose event breaks its schema, then
/// hands the whole batch on to `inner` unchanged: a live subscriber sees every event.
public final class ValidatingHandler: DeliveryHandler {
  let inner: DeliveryHandler
  let validation: SchemaValidation
  let report: (String) -> Void

  public init(_ inner: DeliveryHandler, validation: SchemaValidation, report: @escaping (String) -> Void) {
    self.inner = inner
    self.validation = validation
    self.report = report
  }

  public func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    for d in batch {
      let problem: String?
      if let e = d.envelope { problem = try validation.problem(e) } else { problem = try validation.problem(d.entry) }
      if let problem { report(problem) }
    }
    return try inner.handle(batch, shouldStop: shouldStop)
  }

  public var gate: CircuitBreaker? { inner.gate }
}
