import Foundation
import Testing

@testable import EvtCodec

/// The official JSON-Schema-Test-Suite (draft 2020-12), read from `../shared/` when it is there
/// (it is never copied into this repository): every test of the file of every supported
/// keyword, and the format-assertion tests of the supported formats. A group whose schema uses
/// a keyword evt does not support must be refused naming it (that is the rule: never half
/// understood); every other group's tests must all pass.
@Suite("JSON-Schema-Test-Suite (draft 2020-12)")
struct SchemaSuiteTests {
  static let root: String = {
    var dir = #filePath
    for _ in 0..<3 { dir = String(dir[..<dir.lastIndex(of: "/")!]) }  // …/Tests/EvtCodecTests/x.swift → repository
    return dir + "/../shared/json-schema-test-suite/tests/draft2020-12"
  }()

  static let keywordFiles = [
    "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties", "propertyNames", "minProperties",
    "maxProperties", "dependentRequired", "items", "prefixItems", "contains", "minContains", "maxContains", "minItems", "maxItems",
    "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
    "allOf", "anyOf", "oneOf", "not", "if-then-else", "defs", "ref", "boolean_schema", "default", "infinite-loop-detection",
  ]
  static let formatFiles = ["email", "date-time", "date", "uuid", "uri", "ipv4", "ipv6"].map { "optional/format/" + $0 }
  /// What a refused group's message must name: the keywords and features evt leaves out.
  static let unsupported = [
    "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas",
    "$vocabulary", "not local", "anchor", "$schema",
  ]

  struct Outcome {
    var passed = 0
    var refusedGroups: [String] = []
    var failures: [String] = []
  }

  static func run(_ file: String) throws -> Outcome? {
    guard let data = FileManager.default.contents(atPath: root + "/" + file + ".json") else { return nil }
    let bytes = [UInt8](data)
    guard case .array(let groups) = try JSON.parse(bytes, maxDepth: 256) else { return nil }
    var outcome = Outcome()
    for group in groups {
      let description = group["description"]?.stringValue ?? "?"
      guard let schemaValue = group["schema"], case .array(let tests)? = group["tests"] else { continue }
      let schema: JSONSchema
      do {
        schema = try JSONSchema.compile(schemaValue)
      } catch {
        if unsupported.contains(where: { error.message.contains($0) }) {
          outcome.refusedGroups.append("\(file): \(description) (\(error.message))")
        } else {
          outcome.failures.append("\(file): \(description): schema refused: \(error.message)")
        }
        continue
      }
      for test in tests {
        guard let data = test["data"], case .bool(let valid)? = test["valid"] else { continue }
        let violation = schema.violation(of: data)
        // Events take the in-place path: it must agree wherever it decides.
        let text = data.serialized
        let inPlace = schema.inPlaceVerdict(text)
        let combined = text.withUnsafeBufferPointer { schema.violation(ofJSON: $0, 0..<$0.count) == nil }
        if inPlace != nil && inPlace != valid || combined != valid {
          outcome.failures.append(
            "\(file): \(description): \(test["description"]?.stringValue ?? "?"): in place: expected \(valid ? "valid" : "invalid")")
        }
        if (violation == nil) == valid {
          outcome.passed += 1
        } else {
          outcome.failures.append(
            "\(file): \(description): \(test["description"]?.stringValue ?? "?"): expected \(valid ? "valid" : "invalid")\(violation.map { " (\($0))" } ?? "")"
          )
        }
      }
    }
    return outcome
  }

  @Test("every test of every supported keyword's file, and of the supported formats, passes")
  func suite() throws {
    var total = Outcome()
    var ran = 0
    for file in Self.keywordFiles + Self.formatFiles {
      guard let o = try Self.run(file) else { continue }
      ran += 1
      total.passed += o.passed
      total.refusedGroups += o.refusedGroups
      total.failures += o.failures
    }
    guard ran > 0 else {
      print("JSON-Schema-Test-Suite not found at \(Self.root): skipped")
      return
    }
    print(
      "JSON-Schema-Test-Suite: \(ran) files, \(total.passed) tests passed, \(total.failures.count) failed, \(total.refusedGroups.count) groups refused by design"
    )
    for r in total.refusedGroups { print("  refused: \(r)") }
    for f in total.failures.prefix(200) { print("  FAILED: \(f)") }
    #expect(total.failures.isEmpty)
  }
}
