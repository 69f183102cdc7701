/// Validates an instance against compiled ``SchemaNode``s, exactly as draft 2020-12 defines
/// each keyword, stopping at the first violation. The instance's place is kept as a stack of
/// keys and indexes and written out only when something is wrong.
struct SchemaValidator {
  private enum Step {
    case key(String)
    case index(Int)
  }
  private var path: [Step] = []

  /// The first violation of `node` by `instance`, its place written below `root`.
  mutating func check(_ instance: JSONValue, _ node: SchemaNode, pointer root: String) -> SchemaViolation? {
    path.removeAll(keepingCapacity: true)
    guard let (keyword, reason, at) = first(instance, node) else { return nil }
    var place = root
    for step in at {
      switch step {
      case .key(let k): place += "/" + SchemaCompiler.escape(k)
      case .index(let i): place += "/\(i)"
      }
    }
    return SchemaViolation(instancePath: place, keyword: keyword, reason: reason)
  }

  /// Whether `instance` conforms to `node` (for the applicators that only need a yes or no).
  private mutating func conforms(_ instance: JSONValue, _ node: SchemaNode) -> Bool {
    let depth = path.count
    defer { path.removeSubrange(depth...) }
    return first(instance, node) == nil
  }

  private mutating func first(_ instance: JSONValue, _ node: SchemaNode) -> (String, String, [Step])? {
    if let always = node.always { return always ? nil : ("false", "no value is allowed here", path) }
    func fail(_ keyword: String, _ reason: String) -> (String, String, [Step])? { (keyword, reason, path) }

    if let types = node.types, !types.contains(where: { Self.isOf($0, instance) }) {
      let names = types.map(\.rawValue).joined(separator: " or ")
      return fail("type", "\(Self.show(instance)) is \(instance.kindDescription), not \(Self.article(names))")
    }
    if let values = node.enumValues, !values.contains(where: { Self.equal($0, instance) }) {
      return fail("enum", "\(Self.show(instance)) is not one of \(Self.list(values))")
    }
    if let c = node.constValue, !Self.equal(c, instance) {
      return fail("const", "\(Self.show(instance)) is not \(Self.show(c))")
    }
    switch instance {
    case .number(let text):
      if let v = JSONNumber(text), let problem = number(v, text, node) { return fail(problem.0, problem.1) }
    case .string(let s):
      if let problem = string(s, node) { return fail(problem.0, problem.1) }
    case .array(let items):
      if let problem = array(items, node) { return problem }
    case .object(let members):
      if let problem = object(members, node) { return problem }
    default:
      break
    }
    if let target = node.ref, let problem = first(instance, target) { return problem }
    for s in node.allOf {
      if let problem = first(instance, s) { return problem }
    }
    if !node.anyOf.isEmpty, !node.anyOf.contains(where: { conforms(instance, $0) }) {
      return fail("anyOf", "\(Self.show(instance)) matches none of the schemas of anyOf")
    }
    if !node.oneOf.isEmpty {
      var matched = 0
      for s in node.oneOf where conforms(instance, s) { matched += 1 }
      if matched == 0 { return fail("oneOf", "\(Self.show(instance)) matches none of the schemas of oneOf") }
      if matched > 1 { return fail("oneOf", "\(Self.show(instance)) matches \(matched) of the schemas of oneOf, not exactly one") }
    }
    if let n = node.not, conforms(instance, n) {
      return fail("not", "\(Self.show(instance)) matches the schema of not")
    }
    if let i = node.ifSchema {
      if conforms(instance, i) {
        if let t = node.thenSchema, let problem = first(instance, t) { return problem }
      } else if let e = node.elseSchema, let problem = first(instance, e) {
        return problem
      }
    }
    return nil
  }

  private func number(_ v: JSONNumber, _ text: String, _ node: SchemaNode) -> (String, String)? {
    if let m = node.minimum, v < m { return ("minimum", "\(text) is less than minimum \(m)") }
    if let m = node.maximum, m < v { return ("maximum", "\(text) is greater than maximum \(m)") }
    if let m = node.exclusiveMinimum, !(m < v) { return ("exclusiveMinimum", "\(text) is not greater than exclusiveMinimum \(m)") }
    if let m = node.exclusiveMaximum, !(v < m) { return ("exclusiveMaximum", "\(text) is not less than exclusiveMaximum \(m)") }
    if let m = node.multipleOf, !v.isMultiple(of: m) { return ("multipleOf", "\(text) is not a multiple of \(m)") }
    return nil
  }

  private func string(_ s: String, _ node: SchemaNode) -> (String, String)? {
    if node.minLength != nil || node.maxLength != nil {
      let n = s.unicodeScalars.count
      if let m = node.minLength, n < m { return ("minLength", "\(Self.show(.string(s))) is shorter than minLength \(m)") }
      if let m = node.maxLength, n > m { return ("maxLength", "\(Self.show(.string(s))) is longer than maxLength \(m)") }
    }
    if let p = node.pattern, p.matches(s) != true {
      return ("pattern", "\(Self.show(.string(s))) does not match pattern \(JSON.quoted(p.source))")
    }
    if let f = node.format, !f.accepts(s) { return ("format", "\(Self.show(.string(s))) is not a valid \(f.rawValue)") }
    return nil
  }

  private mutating func array(_ items: [JSONValue], _ node: SchemaNode) -> (String, String, [Step])? {
    if let m = node.minItems, items.count < m { return ("minItems", "the array has \(items.count) items, fewer than minItems \(m)", path) }
    if let m = node.maxItems, items.count > m { return ("maxItems", "the array has \(items.count) items, more than maxItems \(m)", path) }
    if node.uniqueItems, items.count > 1 {
      for i in 1..<items.count {
        for j in 0..<i where Self.equal(items[i], items[j]) {
          return ("uniqueItems", "items \(j) and \(i) are equal, and uniqueItems is true", path)
        }
      }
    }
    for (i, item) in items.enumerated() {
      let schema: SchemaNode?
      if i < node.prefixItems.count { schema = node.prefixItems[i] } else { schema = node.items }
      guard let schema else { continue }
      path.append(.index(i))
      if let problem = first(item, schema) { return problem }
      path.removeLast()
    }
    if let c = node.contains {
      let minimum = node.minContains ?? 1
      var matched = 0
      for (i, item) in items.enumerated() {
        path.append(.index(i))
        if conforms(item, c) { matched += 1 }
        path.removeLast()
      }
      if matched < minimum {
        return minimum == 1 && node.minContains == nil
          ? ("contains", "no item of the array matches contains", path)
          : ("minContains", "\(matched) items match contains, fewer than minContains \(minimum)", path)
      }
      if let m = node.maxContains, matched > m {
        return ("maxContains", "\(matched) items match contains, more than maxContains \(m)", path)
      }
    }
    return nil
  }

  private mutating func object(_ members: [JSONValue.Member], _ node: SchemaNode) -> (String, String, [Step])? {
    if let m = node.minProperties, members.count < m {
      return ("minProperties", "the object has \(members.count) properties, fewer than minProperties \(m)", path)
    }
    if let m = node.maxProperties, members.count > m {
      return ("maxProperties", "the object has \(members.count) properties, more than maxProperties \(m)", path)
    }
    for name in node.required where !members.contains(where: { Self.same($0.key, name) }) {
      return ("required", "the required property \(JSON.quoted(name)) is missing", path)
    }
    for (name, required) in node.dependentRequired where members.contains(where: { Self.same($0.key, name) }) {
      for r in required where !members.contains(where: { Self.same($0.key, r) }) {
        return ("dependentRequired", "the property \(JSON.quoted(name)) requires \(JSON.quoted(r)), which is missing", path)
      }
    }
    if let names = node.propertyNames {
      for m in members {
        path.append(.key(m.key))
        if let problem = first(.string(m.key), names) {
          return ("propertyNames", "the property name \(JSON.quoted(m.key)) breaks propertyNames: \(problem.1)", Array(path.dropLast()))
        }
        path.removeLast()
      }
    }
    for m in members {
      var matched = false
      for p in node.properties where Self.same(p.name, m.key) {
        matched = true
        path.append(.key(m.key))
        if let problem = first(m.value, p.schema) { return problem }
        path.removeLast()
      }
      for p in node.patternProperties where p.pattern.matches(m.key) == true {
        matched = true
        path.append(.key(m.key))
        if let problem = first(m.value, p.schema) { return problem }
        path.removeLast()
      }
      if !matched, let additional = node.additionalProperties {
        path.append(.key(m.key))
        if let problem = first(m.value, additional) {
          if additional.always == false {
            path.removeLast()
            return ("additionalProperties", "the property \(JSON.quoted(m.key)) is not allowed (additionalProperties)", path)
          }
          return problem
        }
        path.removeLast()
      }
    }
    return nil
  }

  // MARK: - Values

  static func isOf(_ type: SchemaType, _ v: JSONValue) -> Bool {
    switch (type, v) {
    case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.string, .string), (.number, .number): return true
    case (.integer, .number(let text)): return JSONNumber(text)?.isInteger == true
    default: return false
    }
  }

  /// Strings are equal when their code points are (JSON, unlike Swift's `==`, does not
  /// compare canonical equivalents as equal: `é` and `e` + combining acute differ).
  static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

  /// JSON equality: numbers by value, strings by code point, objects regardless of member order.
  static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.string(let x), .string(let y)): return same(x, y)
    case (.number(let x), .number(let y)): return x == y || JSONNumber(x) == JSONNumber(y)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
    case (.object(let x), .object(let y)):
      guard x.count == y.count else { return false }
      return x.allSatisfy { m in y.contains { same($0.key, m.key) && equal($0.value, m.value) } }
    default: return false
    }
  }

  /// An instance for a message: short, every byte escaped.
  static func show(_ v: JSONValue) -> String {
    switch v {
    case .string(let s):
      let cut = s.unicodeScalars.count > 60 ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(60))) + "…" : s
      return JSON.quoted(cut)
    case .number(let n): return n.count > 40 ? String(n.prefix(40)) + "…" : n
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .array(let items): return "an array of \(items.count)"
    case .object(let members): return "an object of \(members.count) properties"
    }
  }

  private static func list(_ values: [JSONValue]) -> String {
    let shown = values.prefix(5).map(show).joined(separator: ", ")
    return values.count > 5 ? "\(shown), … (\(values.count) values)" : shown
  }

  private static func article(_ name: String) -> String {
    name.first.map { "aeiou".contains($0) } == true ? "an \(name)" : "a \(name)"
  }
}
