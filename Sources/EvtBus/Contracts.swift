/// The shape an event type's `data` must have: its fields, their JSON types, which are required.
///
/// A schema only constrains the fields it names; other fields are allowed (so producers can add
/// fields before consumers know them).
public struct EventSchema: Sendable, Equatable {
  public enum FieldType: String, Sendable, Equatable {
    case string, number, integer, boolean, array, object

    func accepts(_ value: JSONValue) -> Bool {
      switch (self, value) {
      case (.string, .string), (.number, .number), (.boolean, .bool), (.array, .array), (.object, .object): return true
      case (.integer, .number(let text)): return !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
      default: return false
      }
    }

    var article: String { self == .integer || self == .array || self == .object ? "an" : "a" }
  }

  public struct Field: Sendable, Equatable {
    public var name: String
    /// Accepted JSON types; `null` is accepted only when ``nullable``.
    public var types: [FieldType]
    public var required: Bool
    public var nullable: Bool
    /// For strings: the only values allowed (empty: any).
    public var allowed: [String]

    public init(_ name: String, _ types: [FieldType], required: Bool = true, nullable: Bool = false, allowed: [String] = []) {
      self.name = name
      self.types = types
      self.required = required
      self.nullable = nullable
      self.allowed = allowed
    }

    public static func string(_ name: String, required: Bool = true, allowed: [String] = []) -> Field {
      Field(name, [.string], required: required, allowed: allowed)
    }
  }

  public var type: String
  public var fields: [Field]

  public init(type: String, fields: [Field]) {
    self.type = type
    self.fields = fields
  }

  /// The first way `data` breaks this schema, as one sentence naming the field; `nil` when it
  /// conforms.
  public func violation(of data: JSONValue) -> String? {
    guard case .object = data else { return "\(type): data must be an object, not \(data.kindDescription)" }
    for field in fields {
      guard let value = data[field.name] else {
        if field.required { return "\(type): data is missing the required field \(JSON.quoted(field.name))" }
        continue
      }
      if value == .null && field.nullable { continue }
      guard field.types.contains(where: { $0.accepts(value) }) else {
        let expected = field.types.map { "\($0.article) \($0.rawValue)" }.joined(separator: " or ")
        return "\(type): field \(JSON.quoted(field.name)) must be \(expected), not \(value.kindDescription)"
      }
      if !field.allowed.isEmpty, let s = value.stringValue, !field.allowed.contains(s) {
        return "\(type): field \(JSON.quoted(field.name)) must be one of \(field.allowed.joined(separator: ", ")), not \(JSON.quoted(s))"
      }
    }
    return nil
  }
}

/// The event contracts a bus enforces: a schema per known type. Types without a schema are
/// free-form. The command line checks them when publishing, and consumer groups check them
/// again when consuming (a violation is a permanent failure: straight to the dead letters).
public struct EventContracts: Sendable {
  public private(set) var schemas: [String: EventSchema]

  public init(_ schemas: [EventSchema]) {
    self.schemas = Dictionary(schemas.map { ($0.type, $0) }, uniquingKeysWith: { _, last in last })
  }

  /// No schemas: every type is free-form.
  public static let none = EventContracts([])

  /// The contracts of the services evt ships: `user.created`, `order.placed`, `email.sent`
  /// and `event.failed`.
  public static let builtIn = EventContracts([
    EventSchema(type: "user.created", fields: [.string("userId"), .string("email"), .string("name")]),
    EventSchema(
      type: "order.placed",
      fields: [
        .string("orderId"), .string("userId"), EventSchema.Field("items", [.array], required: false),
        EventSchema.Field("total", [.number], required: false),
      ]),
    EventSchema(
      type: "email.sent",
      fields: [
        .string("userId"), .string("type", allowed: ["welcome", "order_confirmation"]), .string("recipient"),
        .string("orderId", required: false), .string("messageId"),
      ]),
    EventSchema(
      type: DeadLetterQueue.failedType,
      fields: [
        EventSchema.Field("event", [.object], nullable: true), .string("error"), EventSchema.Field("permanent", [.boolean]),
        EventSchema.Field("attempts", [.integer]), .string("group"), .string("stream"), .string("entryId"),
      ]),
  ])

  public subscript(type: String) -> EventSchema? { schemas[type] }

  /// The first violation of the contract of `envelope`'s type, or `nil`.
  public func violation(of envelope: Envelope) -> String? {
    guard let schema = schemas[envelope.type] else { return nil }
    return schema.violation(of: envelope.data)
  }

  /// Throws when `envelope` breaks its type's contract.
  public func check(_ envelope: Envelope) throws(EnvelopeError) {
    if let problem = violation(of: envelope) { throw EnvelopeError(problem) }
  }
}
