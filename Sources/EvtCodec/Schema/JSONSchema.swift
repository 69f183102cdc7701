/// A JSON Schema (draft 2020-12), compiled once and used to validate instances.
///
/// The keywords supported are those draft 2020-12 defines for: any instance (`type`, `enum`,
/// `const`), objects (`properties`, `required`, `additionalProperties`, `patternProperties`,
/// `propertyNames`, `minProperties`, `maxProperties`, `dependentRequired`), arrays (`items`,
/// `prefixItems`, `contains`, `minContains`, `maxContains`, `minItems`, `maxItems`,
/// `uniqueItems`), numbers (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`), strings (`minLength`, `maxLength` in code points, `pattern`, `format` for
/// `email`, `date-time`, `date`, `uuid`, `uri`, `ipv4`, `ipv6` as assertions), the applicators
/// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `$defs` with local `$ref` (`#`, `#/…`),
/// boolean schemas, `$schema` naming draft 2020-12, and the annotations `title`,
/// `description`, `default`, `examples`, `$comment` (kept, not asserted). Anything else — an
/// unknown keyword, `$id`, `$anchor`, `$dynamicRef`, `unevaluated*`, a remote `$ref`, another
/// `format` — is refused by ``compile(_:)`` with the keyword and its JSON pointer: a schema is
/// never half understood.
public struct JSONSchema: Sendable {
  package let root: SchemaNode
  /// The schema as registered (compact JSON).
  public let source: [UInt8]

  /// Largest schema document accepted, and its deepest nesting.
  public static let maxSize = 1 << 20
  public static let maxDepth = 64
  /// The only `$schema` accepted.
  public static let dialect = "https://json-schema.org/draft/2020-12/schema"

  /// Compiles a schema document.
  /// - Throws: ``SchemaError`` with one line: not JSON, not an object or boolean, over
  ///   ``maxSize`` or ``maxDepth``, an unsupported keyword or `format`, a keyword with a value
  ///   of the wrong kind, a `$ref` that does not resolve or that loops, a `pattern` that is not
  ///   a valid (or a bounded) regular expression — each naming the JSON pointer.
  public static func compile(_ bytes: [UInt8]) throws(SchemaError) -> JSONSchema {
    guard bytes.count <= maxSize else { throw SchemaError("the schema is \(bytes.count) bytes; at most \(maxSize) are accepted") }
    let value: JSONValue
    do { value = try JSON.parse(bytes, maxDepth: maxDepth) } catch { throw SchemaError("the schema is not JSON: \(error.message)") }
    return try compile(value)
  }

  /// Compiles a schema already parsed.
  public static func compile(_ value: JSONValue) throws(SchemaError) -> JSONSchema {
    var compiler = SchemaCompiler(document: value)
    let root = try compiler.compileRoot()
    return JSONSchema(root: root, source: value.serialized)
  }

  /// The first way `instance` breaks the schema, or `nil` when it conforms. `root` names the
  /// instance in the message (`data/items/2/price: -1 is less than minimum 0`).
  public func violation(of instance: JSONValue, root name: String = "data") -> SchemaViolation? {
    var v = SchemaValidator()
    return v.check(instance, root, pointer: name)
  }

  /// Whether `instance` conforms.
  public func accepts(_ instance: JSONValue) -> Bool { violation(of: instance) == nil }

  /// The first way the JSON text at `range` of `input` (valid JSON, checked before; no white
  /// space around it) breaks the schema, or `nil`. Data that conforms is decided in place,
  /// without building a tree (see ``InPlaceValidator``); only what the bytes alone cannot
  /// tell, and a breach to explain, are parsed.
  public func violation(ofJSON input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, root name: String = "data")
    -> SchemaViolation?
  {
    if InPlaceValidator(input: input).check(range, root) == .yes { return nil }
    guard let tree = try? JSON.parse(Array(input[range]), maxDepth: 1024) else {
      return SchemaViolation(instancePath: name, keyword: "$schema", reason: "nested too deep to be checked")
    }
    return violation(of: tree, root: name)
  }

  /// The first way `envelope`'s data breaks the schema, decided in place over the envelope's
  /// bytes (see ``violation(ofJSON:_:root:)``).
  public func violation(of envelope: Envelope) -> SchemaViolation? {
    envelope.raw.withUnsafeBufferPointer { violation(ofJSON: $0, envelope.layout.data) }
  }

  /// What the in-place check alone says of valid JSON text: `true` conforms, `false` breaks,
  /// `nil` it cannot tell without the tree. For tests that hold it to the tree validator.
  package func inPlaceVerdict(_ json: [UInt8]) -> Bool? {
    json.withUnsafeBufferPointer { buf in
      var r = 0..<buf.count
      while let f = r.first, [0x20, 0x09, 0x0A, 0x0D].contains(buf[f]) { r = (f + 1)..<r.upperBound }
      while let l = r.last, [0x20, 0x09, 0x0A, 0x0D].contains(buf[l]) { r = r.lowerBound..<l }
      switch InPlaceValidator(input: buf).check(r, root) {
      case .yes: return true
      case .no: return false
      case .unknown: return nil
      }
    }
  }

  /// The schema's title and description (annotations of its root), when it has them.
  public var title: String? { root.title }
  public var description: String? { root.description }
}

/// Why a schema was refused: one line, naming the keyword and its JSON pointer.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Why a pattern was refused (the compiler adds where it is).
struct SchemaCompileError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

/// How an instance breaks a schema: where (`data/items/2/price`), which keyword, and a line
/// for people (`data/items/2/price: -1 is less than minimum 0`).
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
  /// The instance's place, as a JSON pointer below the root's name.
  public let instancePath: String
  /// The failing keyword (`minimum`, `required`, `$ref`, …).
  public let keyword: String
  /// What is wrong, without the place.
  public let reason: String
  public var description: String { "\(instancePath): \(reason)" }
}
