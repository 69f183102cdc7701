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
  var properties: [(name: String, schema: SchemaNode)] = []
  var patternProperties: [(pattern: SchemaPattern, schema: SchemaNode)] = []
  var additionalProperties: SchemaNode?
  var propertyNames: SchemaNode?
  var required: [String] = []
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
  var minimum: JSONNumber?
  var maximum: JSONNumber?
  var exclusiveMinimum: JSONNumber?
  var exclusiveMaximum: JSONNumber?
  var multipleOf: JSONNumber?

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

  init(pointer: String) {
    self.pointer = pointer
  }

  /// The subschemas applied to the same instance as this one (not to its members or items):
  /// a cycle of these would never end, so the compiler refuses it.
  var inPlace: [SchemaNode] {
    var out = allOf + anyOf + oneOf
    for s in [ref, not, ifSchema, thenSchema, elseSchema] { if let s { out.append(s) } }
    return out
  }
}

/// A JSON Schema type name.
package enum SchemaType: String, Sendable, CaseIterable {
  case null, boolean, object, array, number, string, integer
}
