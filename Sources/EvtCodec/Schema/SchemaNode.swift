/// One compiled (sub)schema of a ``JSONSchema``: every keyword it uses, parsed and checked
/// once, so validating never looks at the schema's JSON again. A class: `$ref` makes the
/// schema a graph (a recursive schema refers back to an ancestor).
package final class SchemaNode: @unchecked Sendable {
  /// Where the schema is in its document, as a JSON pointer (`""`: the root).
  package let pointer: String
  /// The schema as written (for comparing versions).
  var json: JSONValue = .bool(true)
  /// A boolean schema: `true` accepts everything, `false` nothing.
  var always: Bool?

  // Any instance.
  var types: [SchemaType]?
  var enumValues: [JSONValue]?
  var constValue: JSONValue?
  var ref: SchemaNode?
  var refText: String?
  var allOf: [SchemaNode] = []
  var anyOf: [SchemaNode] = []
  var oneOf: [SchemaNode] = []
  var not: SchemaNode?
  var ifSchema: SchemaNode?
  var thenSchema: SchemaNode?
  var elseSchema: SchemaNode?

  // Objects.
  var properties: [(name: String, schema: SchemaNode)] = [] {
    didSet { propertyBytes = properties.map { Array($0.name.utf8) } }
  }
  var patternProperties: [(pattern: SchemaPattern, schema: SchemaNode)] = []
  var additionalProperties: SchemaNode?
  var propertyNames: SchemaNode?
  var required: [String] = [] {
    didSet { requiredBytes = required.map { Array($0.utf8) } }
  }
  /// The names of ``properties`` and ``required`` as UTF-8, for comparing in place.
  var propertyBytes: [[UInt8]] = []
  var requiredBytes: [[UInt8]] = []
  var minProperties: Int?
  var maxProperties: Int?
  var dependentRequired: [(name: String, required: [String])] = []

  // Arrays.
  var prefixItems: [SchemaNode] = []
  var items: SchemaNode?
  var contains: SchemaNode?
  var minContains: Int?
  var maxContains: Int?
  var minItems: Int?
  var maxItems: Int?
  var uniqueItems = false

  // Numbers.
  var minimum: JSONNumber? {
    didSet { integerBounds = IntegerBounds(self) }
  }
  var maximum: JSONNumber? {
    didSet { integerBounds = IntegerBounds(self) }
  }
  var exclusiveMinimum: JSONNumber? {
    didSet { integerBounds = IntegerBounds(self) }
  }
  var exclusiveMaximum: JSONNumber? {
    didSet { integerBounds = IntegerBounds(self) }
  }
  var multipleOf: JSONNumber? {
    didSet { integerBounds = IntegerBounds(self) }
  }
  /// The numeric keywords as integers, when each one set is an integer an `Int` holds: an
  /// integer instance is then checked without making a ``JSONNumber``.
  var integerBounds: IntegerBounds? = IntegerBounds()

  // Strings.
  var minLength: Int?
  var maxLength: Int?
  var pattern: SchemaPattern?
  var format: SchemaFormat?

  // Annotations, kept as written.
  package var title: String?
  package var description: String?
  package var defaultValue: JSONValue?
  package var examples: [JSONValue]?
  package var comment: String?

  /// Set once compiled (``seal()``): whether the node has keywords of each group, so the
  /// in-place validator looks only at those it has.
  private(set) var hasAnyKeyword = false
  private(set) var hasApplicator = false
  private(set) var hasObjectKeyword = false
  private(set) var hasArrayKeyword = false
  private(set) var hasEnumOrConst = false
  private(set) var hasPattern = false
  /// ``types`` as bits (``SchemaType/bit``); 0: any type.
  private(set) var typeMask: UInt8 = 0
  /// For a ``pattern`` with ``SchemaPattern/excluded``: its ASCII masks, kept here so the
  /// in-place validator reads them without touching the pattern.
  private(set) var patternMask: (UInt64, UInt64)?

  init(pointer: String) {
    self.pointer = pointer
  }

  /// Records which groups of keywords the node has; called when the schema is compiled.
  func seal() {
    hasEnumOrConst = enumValues != nil || constValue != nil
    hasPattern = pattern != nil
    typeMask = 0
    for t in types ?? [] { typeMask |= t.bit }
    patternMask = pattern?.asciiExcluded.map { ($0[0], $0[1]) }
    hasApplicator =
      ref != nil || !allOf.isEmpty || !anyOf.isEmpty || !oneOf.isEmpty || not != nil || ifSchema != nil
    hasObjectKeyword =
      !properties.isEmpty || !patternProperties.isEmpty || additionalProperties != nil || propertyNames != nil
      || !required.isEmpty || minProperties != nil || maxProperties != nil || !dependentRequired.isEmpty
    hasArrayKeyword =
      !prefixItems.isEmpty || items != nil || contains != nil || minItems != nil || maxItems != nil || uniqueItems
    hasAnyKeyword =
      always != nil || types != nil || enumValues != nil || constValue != nil || hasApplicator || hasObjectKeyword
      || hasArrayKeyword || minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil
      || multipleOf != nil || minLength != nil || maxLength != nil || pattern != nil || format != nil
  }

  /// The subschemas applied to the same instance as this one (not to its members or items):
  /// a cycle of these would never end, so the compiler refuses it.
  var inPlace: [SchemaNode] {
    var out = allOf + anyOf + oneOf
    for s in [ref, not, ifSchema, thenSchema, elseSchema] { if let s { out.append(s) } }
    return out
  }
}

/// A node's numeric keywords as integers (`nil` in ``SchemaNode/integerBounds`` when one of
/// them is not an integer an `Int` holds).
struct IntegerBounds {
  var minimum: Int?
  var maximum: Int?
  var exclusiveMinimum: Int?
  var exclusiveMaximum: Int?
  var multipleOf: Int?

  init() {}

  init?(_ node: SchemaNode) {
    func int(_ n: JSONNumber?) -> Int?? {
      guard let n else { return .some(nil) }
      guard let v = n.intValue else { return nil }
      return .some(v)
    }
    guard let a = int(node.minimum), let b = int(node.maximum), let c = int(node.exclusiveMinimum), let d = int(node.exclusiveMaximum),
      let e = int(node.multipleOf)
    else { return nil }
    (minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf) = (a, b, c, d, e)
  }

  /// Whether `v` meets every bound.
  func accepts(_ v: Int) -> Bool {
    if let m = minimum, v < m { return false }
    if let m = maximum, v > m { return false }
    if let m = exclusiveMinimum, v <= m { return false }
    if let m = exclusiveMaximum, v >= m { return false }
    if let m = multipleOf, m != 0, v % m != 0 { return false }
    return true
  }
}

/// A JSON Schema type name.
package enum SchemaType: String, Sendable, CaseIterable {
  case null, boolean, object, array, number, string, integer

  /// The type's bit in ``SchemaNode/typeMask``.
  var bit: UInt8 {
    switch self {
    case .null: return 1
    case .boolean: return 2
    case .object: return 4
    case .array: return 8
    case .number: return 16
    case .string: return 32
    case .integer: return 64
    }
  }
}
