/// Turns a schema document into ``SchemaNode``s: every keyword checked and parsed, every
/// `$ref` resolved to the node it names, and refused when it names nothing or when refs and
/// in-place applicators would loop without end.
struct SchemaCompiler {
  let document: JSONValue
  /// Every schema of the document, by JSON pointer.
  private var nodes: [String: SchemaNode] = [:]
  private var withRefs: [SchemaNode] = []

  init(document: JSONValue) {
    self.document = document
  }

  mutating func compileRoot() throws(SchemaError) -> SchemaNode {
    guard case .object = document else {
      if case .bool = document {
        let root = try compile(document, at: "")
        root.seal()
        return root
      }
      throw SchemaError("a schema is a JSON object or a boolean, not \(document.kindDescription)")
    }
    let root = try compile(document, at: "")
    for node in withRefs {
      let text = node.refText!
      guard let target = try resolve(text, from: node.pointer) else {
        throw SchemaError("$ref \(JSON.quoted(text)) at \(Self.show(node.pointer + "/$ref")) does not resolve to a schema of this document")
      }
      node.ref = target
    }
    try checkNoLoop()
    for node in nodes.values { node.seal() }
    return root
  }

  /// `#` or `#/a/b` (a JSON pointer in a URI fragment, percent-decoded) → its node.
  private func resolve(_ ref: String, from pointer: String) throws(SchemaError) -> SchemaNode? {
    guard ref.hasPrefix("#") else {
      throw SchemaError(
        "$ref \(JSON.quoted(ref)) at \(Self.show(pointer + "/$ref")) is not local (only \"#\" and \"#/…\" within the schema are supported)")
    }
    let fragment = String(ref.dropFirst())
    guard fragment.isEmpty || fragment.hasPrefix("/") else {
      throw SchemaError("$ref \(JSON.quoted(ref)) at \(Self.show(pointer + "/$ref")) names an anchor, which is not supported")
    }
    guard let decoded = Self.percentDecoded(fragment) else { return nil }
    // The pointer's tokens as written in the document, then as the compiler keyed its nodes.
    let tokens = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { (token: Substring) -> String in
      String(token).replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")
    }
    return nodes[tokens.map { "/" + Self.escape($0) }.joined()]
  }

  /// Refs and in-place applicators that come back to where they started without moving into
  /// the instance would recurse for ever.
  private func checkNoLoop() throws(SchemaError) {
    var state: [ObjectIdentifier: Int] = [:]  // 1 visiting, 2 done
    func visit(_ n: SchemaNode) throws(SchemaError) {
      let id = ObjectIdentifier(n)
      if state[id] == 2 { return }
      if state[id] == 1 {
        throw SchemaError("$ref at \(Self.show(n.pointer)) loops: the schema refers to itself without going into the instance")
      }
      state[id] = 1
      for next in n.inPlace { try visit(next) }
      state[id] = 2
    }
    for n in nodes.values { try visit(n) }
  }

  private mutating func compile(_ value: JSONValue, at pointer: String) throws(SchemaError) -> SchemaNode {
    let node = SchemaNode(pointer: pointer)
    node.json = value
    nodes[pointer] = node
    switch value {
    case .bool(let b):
      node.always = b
      return node
    case .object(let members):
      var seen = Set<String>()
      for m in members {
        guard seen.insert(m.key).inserted else { throw SchemaError("keyword \(JSON.quoted(m.key)) given twice at \(Self.show(pointer))") }
        try keyword(m.key, m.value, of: node, at: pointer)
      }
      return node
    default:
      throw SchemaError("the schema at \(Self.show(pointer)) is \(value.kindDescription), not an object or a boolean")
    }
  }

  private mutating func keyword(_ key: String, _ value: JSONValue, of node: SchemaNode, at pointer: String) throws(SchemaError) {
    let here = pointer + "/" + Self.escape(key)
    func bad(_ what: String) -> SchemaError { SchemaError("\(key) at \(Self.show(here)) must be \(what)") }
    func count() throws(SchemaError) -> Int {
      guard case .number(let text) = value, let n = JSONNumber(text), n.isInteger, !n.negative, let i = Int(exactly: n) else {
        throw bad("a non-negative integer")
      }
      return i
    }
    func number() throws(SchemaError) -> JSONNumber {
      guard case .number(let text) = value, let n = JSONNumber(text) else { throw bad("a number") }
      return n
    }
    func string() throws(SchemaError) -> String {
      guard case .string(let s) = value else { throw bad("a string") }
      return s
    }
    func schemas(nonEmpty: Bool = true) throws(SchemaError) -> [SchemaNode] {
      guard case .array(let items) = value, !nonEmpty || !items.isEmpty else { throw bad("a non-empty array of schemas") }
      var out: [SchemaNode] = []
      for (i, item) in items.enumerated() { out.append(try compile(item, at: here + "/\(i)")) }
      return out
    }
    func schemaMap() throws(SchemaError) -> [(String, SchemaNode)] {
      guard case .object(let members) = value else { throw bad("an object of schemas") }
      var out: [(String, SchemaNode)] = []
      for m in members { out.append((m.key, try compile(m.value, at: here + "/" + Self.escape(m.key)))) }
      return out
    }
    func names() throws(SchemaError) -> [String] {
      guard case .array(let items) = value else { throw bad("an array of unique strings") }
      var out: [String] = []
      for item in items {
        guard case .string(let s) = item, !out.contains(s) else { throw bad("an array of unique strings") }
        out.append(s)
      }
      return out
    }

    switch key {
    case "$schema":
      let s = try string()
      guard s == JSONSchema.dialect || s == JSONSchema.dialect + "#" else {
        throw SchemaError("$schema at \(Self.show(here)) is \(JSON.quoted(s)); only draft 2020-12 (\(JSONSchema.dialect)) is supported")
      }
    case "$defs":
      _ = try schemaMap()
    case "$ref":
      node.refText = try string()
      withRefs.append(node)
    case "$comment": node.comment = try string()
    case "title": node.title = try string()
    case "description": node.description = try string()
    case "default": node.defaultValue = value
    case "examples":
      guard case .array(let items) = value else { throw bad("an array") }
      node.examples = items
    case "type":
      var kinds: [SchemaType] = []
      switch value {
      case .string(let s):
        guard let t = SchemaType(rawValue: s) else { throw bad("one of \(SchemaType.allCases.map(\.rawValue).joined(separator: ", "))") }
        kinds = [t]
      case .array(let items):
        for item in items {
          guard case .string(let s) = item, let t = SchemaType(rawValue: s), !kinds.contains(t) else {
            throw bad("a type name or an array of unique type names")
          }
          kinds.append(t)
        }
      default: throw bad("a type name or an array of unique type names")
      }
      node.types = kinds
    case "enum":
      guard case .array(let items) = value else { throw bad("an array") }
      node.enumValues = items
    case "const": node.constValue = value
    case "properties": node.properties = try schemaMap().map { (name: $0.0, schema: $0.1) }
    case "patternProperties":
      guard case .object(let members) = value else { throw bad("an object of schemas") }
      for m in members {
        let pattern: SchemaPattern
        do { pattern = try SchemaPattern(m.key) } catch {
          throw SchemaError("patternProperties at \(Self.show(here)): \(error.message)")
        }
        node.patternProperties.append((pattern, try compile(m.value, at: here + "/" + Self.escape(m.key))))
      }
    case "additionalProperties": node.additionalProperties = try compile(value, at: here)
    case "propertyNames": node.propertyNames = try compile(value, at: here)
    case "required": node.required = try names()
    case "minProperties": node.minProperties = try count()
    case "maxProperties": node.maxProperties = try count()
    case "dependentRequired":
      guard case .object(let members) = value else { throw bad("an object of arrays of unique strings") }
      for m in members {
        guard case .array(let items) = m.value else { throw bad("an object of arrays of unique strings") }
        var required: [String] = []
        for item in items {
          guard case .string(let s) = item, !required.contains(s) else { throw bad("an object of arrays of unique strings") }
          required.append(s)
        }
        node.dependentRequired.append((m.key, required))
      }
    case "items": node.items = try compile(value, at: here)
    case "prefixItems": node.prefixItems = try schemas()
    case "contains": node.contains = try compile(value, at: here)
    case "minContains": node.minContains = try count()
    case "maxContains": node.maxContains = try count()
    case "minItems": node.minItems = try count()
    case "maxItems": node.maxItems = try count()
    case "uniqueItems":
      guard case .bool(let b) = value else { throw bad("true or false") }
      node.uniqueItems = b
    case "minimum": node.minimum = try number()
    case "maximum": node.maximum = try number()
    case "exclusiveMinimum": node.exclusiveMinimum = try number()
    case "exclusiveMaximum": node.exclusiveMaximum = try number()
    case "multipleOf":
      let n = try number()
      guard !n.isZero, !n.negative else { throw bad("a number above 0") }
      node.multipleOf = n
    case "minLength": node.minLength = try count()
    case "maxLength": node.maxLength = try count()
    case "pattern":
      let source = try string()
      do { node.pattern = try SchemaPattern(source) } catch { throw SchemaError("pattern at \(Self.show(here)): \(error.message)") }
    case "format":
      let s = try string()
      guard let f = SchemaFormat(rawValue: s) else {
        throw SchemaError(
          "format \(JSON.quoted(s)) at \(Self.show(here)) is not supported (supported: \(SchemaFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
        )
      }
      node.format = f
    case "allOf": node.allOf = try schemas()
    case "anyOf": node.anyOf = try schemas()
    case "oneOf": node.oneOf = try schemas()
    case "not": node.not = try compile(value, at: here)
    case "if": node.ifSchema = try compile(value, at: here)
    case "then": node.thenSchema = try compile(value, at: here)
    case "else": node.elseSchema = try compile(value, at: here)
    default:
      throw SchemaError("unsupported keyword \(JSON.quoted(key)) at \(Self.show(here))")
    }
  }

  /// A JSON pointer token, escaped (`~` → `~0`, `/` → `~1`).
  static func escape(_ token: String) -> String {
    token.replacingOccurrences("~", "~0").replacingOccurrences("/", "~1")
  }

  /// A pointer as people read it in messages: `#/properties/a`, `#` for the root.
  static func show(_ pointer: String) -> String { "#" + pointer }

  private static func percentDecoded(_ s: String) -> String? {
    var out: [UInt8] = []
    var b = Array(s.utf8)[...]
    while let c = b.popFirst() {
      if c == UInt8(ascii: "%") {
        guard b.count >= 2, let v = UInt8(String(decoding: b.prefix(2), as: UTF8.self), radix: 16) else { return nil }
        out.append(v)
        b = b.dropFirst(2)
      } else {
        out.append(c)
      }
    }
    return String(validating: out, as: UTF8.self)
  }
}

extension String {
  /// Every occurrence of `target` replaced (without Foundation).
  func replacingOccurrences(_ target: String, _ replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    var out = ""
    var rest = self[...]
    while let r = rest.firstRange(of: target) {
      out += rest[..<r.lowerBound]
      out += replacement
      rest = rest[r.upperBound...]
    }
    return out + rest
  }
}

extension Int {
  /// The number's value when it is a whole number that fits.
  init?(exactly n: JSONNumber) {
    guard n.isInteger, n.digits.count + n.exponent <= 18 else { return nil }
    var v = 0
    for d in n.digits { v = v * 10 + Int(d) }
    for _ in 0..<n.exponent { v *= 10 }
    self = n.negative ? -v : v
  }
}
