/// The built-in event contracts: a JSON Schema (draft 2020-12, see ``JSONSchema``) per known
/// type — the bus's `event.failed` and the services' types. Types without one are free-form.
///
/// They are contracts of the same kind as the schemas teams register for their own types: the
/// schema registry (EvtBus's `SchemaRegistry`) registers each as its type's first version the
/// first time it is asked for that type, and an envelope stamped with a version is checked
/// against that registered version. An envelope without a schema version (`1.x`, as the
/// services write them) is checked against the built-in schema itself, in process: the bus's
/// `EventWriter` does it before anything is written, and consumer groups again when consuming
/// (a violation is a permanent failure: straight to the dead letters).
public struct EventContracts: Sendable {
  /// The compiled schema of each type, and its document as written.
  public private(set) var schemas: [String: JSONSchema]

  /// Contracts from `(type, schema document)` pairs; a later pair replaces an earlier one of
  /// the same type. The documents are the program's own: one that does not compile is a bug,
  /// and stops the program with the reason.
  public init(_ documents: [(type: String, schema: String)]) {
    var schemas: [String: JSONSchema] = [:]
    for (type, text) in documents {
      do {
        schemas[type] = try JSONSchema.compile(Array(text.utf8))
      } catch {
        fatalError("the built-in schema of \(type) does not compile: \(error.message)")
      }
    }
    self.schemas = schemas
  }

  private init(schemas: [String: JSONSchema]) { self.schemas = schemas }

  /// No schemas: every type is free-form.
  public static let none = EventContracts([])

  /// These contracts and `other`'s (which replace any of the same type).
  public func adding(_ other: EventContracts) -> EventContracts {
    EventContracts(schemas: schemas.merging(other.schemas) { _, new in new })
  }

  public subscript(type: String) -> JSONSchema? { schemas[type] }

  /// The types that have a built-in contract, sorted.
  public var types: [String] { schemas.keys.sorted() }

  /// The first violation of the contract of `envelope`'s type, as one line naming the type,
  /// the instance's place and the keyword (`order.placed: data: the required property
  /// "userId" is missing`), or `nil`. Checked in place over the envelope's bytes (see
  /// ``JSONSchema/violation(of:)``). An envelope stamped with a schema version is not checked
  /// here: the registered version it names is its contract.
  public func violation(of envelope: Envelope) -> String? {
    guard envelope.schemaVersion == nil, let schema = schemas[envelope.type], let v = schema.violation(of: envelope) else { return nil }
    return "\(envelope.type): \(v)"
  }

  /// Throws when `envelope` breaks its type's contract.
  public func check(_ envelope: Envelope) throws(EnvelopeError) {
    if let problem = violation(of: envelope) { throw EnvelopeError(problem) }
  }

  /// What built-in schemas write for text that must be safe to print, log and put in a mail:
  /// no control characters, line separators or bidi controls (see ``Printable``).
  public static let printablePattern = #"^[^\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]*$"#
}
