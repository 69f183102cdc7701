#if canImport(Glibc)
  import Glibc
#endif

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
    /// For strings: what the text must be.
    public var format: StringFormat?
    /// For strings: the most bytes of UTF-8 allowed.
    public var maxBytes: Int?

    public init(
      _ name: String, _ types: [FieldType], required: Bool = true, nullable: Bool = false, allowed: [String] = [],
      format: StringFormat? = nil, maxBytes: Int? = nil
    ) {
      self.name = name
      self.types = types
      self.required = required
      self.nullable = nullable
      self.allowed = allowed
      self.format = format
      self.maxBytes = maxBytes
    }

    public static func string(
      _ name: String, required: Bool = true, allowed: [String] = [], format: StringFormat? = nil, maxBytes: Int? = nil
    ) -> Field {
      Field(name, [.string], required: required, allowed: allowed, format: format, maxBytes: maxBytes)
    }

    /// Whether a value's JSON text (valid, checked before) meets this field, decided in place;
    /// false also when a string holds escapes (the tree decides then).
    func accepts(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
      guard let first = v.first else { return false }
      if first == UInt8(ascii: "n") { return nullable }
      let matches = types.contains { t in
        switch t {
        case .string: return first == UInt8(ascii: "\"")
        case .number: return first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39)
        case .integer:
          return (first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39))
            && !v.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        case .boolean: return first == UInt8(ascii: "t") || first == UInt8(ascii: "f")
        case .array: return first == UInt8(ascii: "[")
        case .object: return first == UInt8(ascii: "{")
        }
      }
      guard matches else { return false }
      guard first == UInt8(ascii: "\"") else { return true }
      let text = UnsafeBufferPointer(rebasing: v[1..<(v.count - 1)])
      if text.contains(0x5C) { return false }
      if !allowed.isEmpty && !allowed.contains(where: { $0.utf8.elementsEqual(text) }) { return false }
      if let maxBytes, text.count > maxBytes { return false }
      switch format {
      case nil: return true
      case .email?: return EmailAddress.isValid(bytes: text)
      case .text?:
        // ASCII (the usual case) needs only the control characters looked for.
        if !text.contains(where: { $0 >= 0x7F || $0 < 0x20 }) { return true }
        var decoder = UTF8()
        var iterator = text.makeIterator()
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
          if Printable.isUnsafe(scalar) { return false }
        }
        return true
      }
    }

    /// The constraints beyond the type, in words (`email address, at most 254 bytes`).
    public var constraints: [String] {
      var out: [String] = []
      if let format { out.append(format.description) }
      if let maxBytes { out.append("at most \(maxBytes) bytes") }
      return out
    }
  }

  /// What a string must hold.
  public enum StringFormat: String, Sendable, Equatable, CustomStringConvertible {
    /// An email address fit for a mail header and an SMTP command (see ``EmailAddress``).
    case email
    /// Text without control characters, line separators or bidi controls (see ``Printable``).
    case text

    public var description: String { self == .email ? "email address" : "text without control characters" }

    func problem(_ s: String) -> String? {
      switch self {
      case .email: return EmailAddress.problem(s).map { "must be an email address (\($0))" }
      case .text:
        guard let bad = s.unicodeScalars.first(where: Printable.isUnsafe) else { return nil }
        return "must not contain control characters (it has U+\(String(bad.value, radix: 16, uppercase: true)))"
      }
    }
  }

  public var type: String
  public var fields: [Field] {
    didSet { fieldNames = fields.map { Array($0.name.utf8) } }
  }
  /// The fields' names as bytes, for comparing with names found in data in place.
  private var fieldNames: [[UInt8]]

  public init(type: String, fields: [Field]) {
    self.type = type
    self.fields = fields
    self.fieldNames = fields.map { Array($0.name.utf8) }
  }

  public static func == (a: EventSchema, b: EventSchema) -> Bool { a.type == b.type && a.fields == b.fields }

  /// Whether `data` (valid JSON text, checked before) certainly conforms, decided in place.
  /// False when it does not — or when deciding needs the tree (names or strings written with
  /// escapes): ``violation(of:)`` then says what is wrong, if anything.
  package func conforms(_ data: UnsafeBufferPointer<UInt8>) -> Bool {
    guard data.first == UInt8(ascii: "{") else { return false }
    return withUnsafeTemporaryAllocation(of: JSON.RawMember.self, capacity: 64) { slots in
      var n = 0
      JSON.forEachMember(of: 0..<data.count, in: data) { name, value in
        guard n < slots.count else {
          n = -1  // more members than slots: the tree decides
          return false
        }
        slots[n] = JSON.RawMember(name: name, value: value, depth: 0)
        n += 1
        return true
      }
      return n >= 0 && conforms(UnsafeBufferPointer(rebasing: slots[..<n]), in: data)
    }
  }

  /// ``conforms(_:)`` for an object whose members were found already, as ranges of `input`.
  func conforms(_ members: UnsafeBufferPointer<JSON.RawMember>, in input: UnsafeBufferPointer<UInt8>) -> Bool {
    guard fields.count <= 64 else { return false }
    var found: UInt64 = 0
    for m in members {
      let name = UnsafeBufferPointer(rebasing: input[m.name])
      if name.contains(0x5C) { return false }
      for (i, fieldName) in fieldNames.enumerated()
      where fieldName.count == name.count
        && (name.isEmpty || fieldName.withUnsafeBufferPointer { memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 })
      {
        let field = fields[i]
        found |= 1 << UInt64(i)
        if !field.accepts(UnsafeBufferPointer(rebasing: input[m.value])) { return false }
      }
    }
    for (i, field) in fields.enumerated() where field.required && found & (1 << UInt64(i)) == 0 { return false }
    return true
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
      if let s = value.stringValue {
        if let max = field.maxBytes, s.utf8.count > max {
          return "\(type): field \(JSON.quoted(field.name)) is \(s.utf8.count) bytes long; at most \(max) are allowed"
        }
        if let problem = field.format?.problem(s) { return "\(type): field \(JSON.quoted(field.name)) \(problem)" }
      }
    }
    return nil
  }
}

/// The event contracts a bus enforces: a schema per known type. Types without a schema are
/// free-form. The bus's `EventWriter` checks them before anything is written, and consumer groups
/// check them again when consuming (a violation is a permanent failure: straight to the dead
/// letters).
public struct EventContracts: Sendable {
  public private(set) var schemas: [String: EventSchema]

  public init(_ schemas: [EventSchema]) {
    self.schemas = Dictionary(schemas.map { ($0.type, $0) }, uniquingKeysWith: { _, last in last })
  }

  /// No schemas: every type is free-form.
  public static let none = EventContracts([])

  /// These contracts and `schemas` (which replace any of the same type).
  public func adding(_ schemas: [EventSchema]) -> EventContracts {
    EventContracts(Array(self.schemas.values) + schemas)
  }

  public subscript(type: String) -> EventSchema? { schemas[type] }

  /// The first violation of the contract of `envelope`'s type, or `nil`. Data that conforms
  /// is checked in place, without parsing it into a tree (only a violation is explained from
  /// the tree).
  public func violation(of envelope: Envelope) -> String? {
    violation(of: envelope, dataMembers: nil, in: UnsafeBufferPointer(start: nil, count: 0))
  }

  /// ``violation(of:)`` with the members of the data object found already, as ranges of
  /// `input` (by the scan that read the envelope, or the line it was made from); `nil`
  /// members: they are looked up in the envelope.
  func violation(of envelope: Envelope, dataMembers: UnsafeBufferPointer<JSON.RawMember>?, in input: UnsafeBufferPointer<UInt8>)
    -> String?
  {
    guard let schema = schemas[envelope.type] else { return nil }
    let conforms =
      dataMembers.map { schema.conforms($0, in: input) }
      ?? envelope.raw.withUnsafeBufferPointer { schema.conforms(UnsafeBufferPointer(rebasing: $0[envelope.layout.data])) }
    return conforms ? nil : schema.violation(of: envelope.data)
  }

  /// Throws when `envelope` breaks its type's contract.
  public func check(_ envelope: Envelope) throws(EnvelopeError) {
    if let problem = violation(of: envelope) { throw EnvelopeError(problem) }
  }
}
