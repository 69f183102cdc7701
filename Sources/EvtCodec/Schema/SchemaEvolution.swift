extension JSONSchema {
  /// Every way `self` refuses data that `previous` accepted, one reason each (empty: none
  /// found): what a new version must not do under backward compatibility (swap the two for
  /// forward). Each keyword is compared where both versions have it, and a keyword added
  /// counts as a tightening — except a property the previous version did not declare at all,
  /// which is new rather than narrowed (adding an optional field is compatible); subschemas of `properties`, `items`, `prefixItems`, `contains`,
  /// `additionalProperties`, `propertyNames` and `patternProperties` (same pattern) are
  /// compared in turn. Where no rule can prove a change safe (`allOf`, `anyOf`, `oneOf`, `not`,
  /// `if`/`then`/`else`, `$ref` changed), the change is reported as one that cannot be checked.
  public func tightenings(since previous: JSONSchema) -> [String] {
    var out: [String] = []
    Self.compare(old: previous.root, new: root, at: "", into: &out)
    return out
  }

  private static func compare(old: SchemaNode, new: SchemaNode, at path: String, into out: inout [String]) {
    let here = path.isEmpty ? "the schema" : path
    func say(_ s: String) { out.append("\(here): \(s)") }
    if new.always == false && old.always != false { return say("refuses every value now (false)") }
    if old.always == false || new.always == true { return }
    if let n = new.types {
      let o = old.types ?? SchemaType.allCases
      let lost = o.filter { t in !n.contains(t) && !(t == .integer && n.contains(.number)) }
      if !lost.isEmpty { say("type narrowed: \(lost.map(\.rawValue).joined(separator: ", ")) no longer accepted") }
    }
    if let n = new.enumValues {
      if let o = old.enumValues {
        for v in o where !n.contains(where: { SchemaValidator.equal($0, v) }) { say("enum lost \(SchemaValidator.show(v))") }
      } else {
        say("enum added")
      }
    }
    if let n = new.constValue, old.constValue.map({ !SchemaValidator.equal($0, n) }) ?? true { say("const added or changed") }
    for name in new.required where !old.required.contains(name) { say("property \(JSON.quoted(name)) became required") }
    for (name, required) in new.dependentRequired {
      let before = old.dependentRequired.first { $0.name == name }?.required ?? []
      for r in required where !before.contains(r) { say("\(JSON.quoted(name)) now requires \(JSON.quoted(r))") }
    }
    lower("minimum", old.minimum, new.minimum)
    lower("exclusiveMinimum", old.exclusiveMinimum, new.exclusiveMinimum)
    higher("maximum", old.maximum, new.maximum)
    higher("exclusiveMaximum", old.exclusiveMaximum, new.exclusiveMaximum)
    counted("minLength", old.minLength, new.minLength, raising: true)
    counted("maxLength", old.maxLength, new.maxLength, raising: false)
    counted("minItems", old.minItems, new.minItems, raising: true)
    counted("maxItems", old.maxItems, new.maxItems, raising: false)
    counted("minProperties", old.minProperties, new.minProperties, raising: true)
    counted("maxProperties", old.maxProperties, new.maxProperties, raising: false)
    if new.contains != nil { counted("minContains", old.minContains ?? 1, new.minContains ?? 1, raising: true) }
    counted("maxContains", old.maxContains, new.maxContains, raising: false)
    if let n = new.multipleOf, !(old.multipleOf.map { $0.isMultiple(of: n) } ?? false) {
      say("multipleOf \(n) added or changed")
    }
    if new.uniqueItems && !old.uniqueItems { say("uniqueItems became true") }
    if let n = new.pattern, old.pattern?.source != n.source { say("pattern \(JSON.quoted(n.source)) added or changed") }
    if let n = new.format, old.format != n { say("format \(n.rawValue) added or changed") }

    // Subschemas: where the old version had none, it accepted anything there.
    let anything = SchemaNode(pointer: "")
    anything.always = true
    for p in new.properties {
      // A property the previous version did not declare at all (no properties, pattern or
      // additionalProperties entry applied to it) is new, not narrowed: adding an optional
      // field is backward compatible.
      guard let before = old.properties.first(where: { $0.name == p.name })?.schema ?? oldFor(property: p.name) else { continue }
      compare(old: before, new: p.schema, at: path + "/properties/" + p.name, into: &out)
    }
    for p in new.patternProperties {
      let before = old.patternProperties.first { $0.pattern.source == p.pattern.source }?.schema ?? anything
      compare(old: before, new: p.schema, at: path + "/patternProperties/" + p.pattern.source, into: &out)
    }
    if let n = new.additionalProperties {
      if n.always == false && old.additionalProperties?.always != false {
        say("additionalProperties closed: properties not named are refused now")
      } else {
        compare(old: old.additionalProperties ?? anything, new: n, at: path + "/additionalProperties", into: &out)
      }
    }
    if let n = new.propertyNames { compare(old: old.propertyNames ?? anything, new: n, at: path + "/propertyNames", into: &out) }
    for (i, item) in new.prefixItems.enumerated() {
      let before = i < old.prefixItems.count ? old.prefixItems[i] : old.items ?? anything
      compare(old: before, new: item, at: path + "/prefixItems/\(i)", into: &out)
    }
    if let n = new.items { compare(old: old.items ?? anything, new: n, at: path + "/items", into: &out) }
    if let n = new.contains {
      if let o = old.contains { compare(old: o, new: n, at: path + "/contains", into: &out) } else { say("contains added") }
    }
    for (keyword, o, n) in [
      ("allOf", old.allOf, new.allOf), ("anyOf", old.anyOf, new.anyOf), ("oneOf", old.oneOf, new.oneOf),
    ] where n.map(\.json) != o.map(\.json) {
      say("\(keyword) changed, which evt cannot prove compatible")
    }
    for (keyword, o, n) in [
      ("not", old.not, new.not), ("if", old.ifSchema, new.ifSchema), ("then", old.thenSchema, new.thenSchema),
      ("else", old.elseSchema, new.elseSchema), ("$ref", old.ref, new.ref),
    ] where n != nil && n?.json != o?.json {
      say("\(keyword) added or changed, which evt cannot prove compatible")
    }

    func lower(_ keyword: String, _ o: JSONNumber?, _ n: JSONNumber?) {
      guard let n else { return }
      if let o, !(o < n) { return }
      say("\(keyword) \(o.map { "raised from \($0) to" } ?? "added:") \(n)")
    }
    func higher(_ keyword: String, _ o: JSONNumber?, _ n: JSONNumber?) {
      guard let n else { return }
      if let o, !(n < o) { return }
      say("\(keyword) \(o.map { "lowered from \($0) to" } ?? "added:") \(n)")
    }
    func counted(_ keyword: String, _ o: Int?, _ n: Int?, raising: Bool) {
      guard let n else { return }
      if let o, raising ? n <= o : n >= o { return }
      say("\(keyword) \(o.map { raising ? "raised from \($0) to" : "lowered from \($0) to" } ?? "added:") \(n)")
    }
    func oldFor(property name: String) -> SchemaNode? {
      old.patternProperties.first { $0.pattern.matches(name) == true }?.schema ?? old.additionalProperties
    }
  }
}
