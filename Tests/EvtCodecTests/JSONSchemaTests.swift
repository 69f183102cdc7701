import Testing

@testable import EvtCodec

@Suite("JSON Schema: compiling and messages")
struct JSONSchemaTests {
  func compile(_ text: String) throws(SchemaError) -> JSONSchema { try JSONSchema.compile(Array(text.utf8)) }

  func refusal(_ text: String) -> String? {
    do {
      _ = try compile(text)
      return nil
    } catch {
      return error.message
    }
  }

  @Test("a breach names the instance's place, the keyword and the values")
  func messages() throws {
    let schema = try compile(
      ##"{"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"$ref":"#/$defs/item"}}},"$defs":{"item":{"type":"object","properties":{"price":{"type":"number","minimum":0}}}}}"##
    )
    let data = try JSON.parse(##"{"items":[{"price":1},{"price":2},{"price":-1}]}"##)
    let v = try #require(schema.violation(of: data))
    #expect(v.description == "data/items/2/price: -1 is less than minimum 0")
    #expect(v.keyword == "minimum")
    #expect(schema.violation(of: try JSON.parse(##"{"nope":1}"##))?.description == ##"data: the required property "items" is missing"##)
    #expect(schema.accepts(try JSON.parse(##"{"items":[]}"##)))
  }

  @Test(
    "bad schemas are refused with one line naming what and where",
    arguments: [
      ("{", "not JSON"),
      ("[1]", "a JSON object or a boolean"),
      (##"{"$id":"x"}"##, ##"unsupported keyword "$id" at #/$id"##),
      (
        ##"{"properties":{"a":{"unevaluatedProperties":false}}}"##,
        ##"unsupported keyword "unevaluatedProperties" at #/properties/a/unevaluatedProperties"##
      ),
      (##"{"$ref":"#/$defs/missing"}"##, "does not resolve"),
      (##"{"$ref":"other.json"}"##, "is not local"),
      (##"{"$ref":"#"}"##, "loops"),
      (##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}"##, "loops"),
      (##"{"pattern":"("}"##, "not a valid regular expression"),
      (##"{"pattern":"^(a+)+$"}"##, "repeats a group that itself repeats"),
      (##"{"pattern":"(a)\\1"}"##, "back-reference"),
      (##"{"format":"hostname"}"##, ##"format "hostname" at #/format is not supported"##),
      (##"{"minimum":"1"}"##, "minimum at #/minimum must be a number"),
      (##"{"multipleOf":0}"##, "above 0"),
      (##"{"$schema":"http://json-schema.org/draft-07/schema#"}"##, "only draft 2020-12"),
      (##"{"required":["a","a"]}"##, "unique strings"),
    ])
  func refused(_ schema: String, _ expected: String) {
    let message = refusal(schema)
    #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    #expect(message?.contains("\n") != true)
  }

  @Test("size and depth limits")
  func limits() {
    let deep = String(repeating: ##"{"not":"##, count: 70) + "true" + String(repeating: "}", count: 70)
    #expect(refusal(deep)?.contains("not JSON") == true)
    let big = "{\"description\":\"" + String(repeating: "x", count: JSONSchema.maxSize) + "\"}"
    #expect(refusal(big)?.contains("at most") == true, "\(refusal(big) ?? "accepted")")
  }

  @Test("a recursive schema that goes into the instance is fine; a long string is not matched, it breaches")
  func recursionAndLongStrings() throws {
    let tree = try compile(##"{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}"##)
    #expect(tree.accepts(try JSON.parse(##"{"children":[{"children":[{}]}]}"##)))
    #expect(!tree.accepts(try JSON.parse(##"{"children":[{"children":[1]}]}"##)))
    let p = try compile(##"{"pattern":"a"}"##)
    #expect(p.accepts(.string("xa")))
    #expect(!p.accepts(.string(String(repeating: "a", count: SchemaPattern.maxMatchedLength + 1))))
  }

  @Test("numbers compare and divide exactly")
  func numbers() throws {
    func n(_ s: String) -> JSONNumber { JSONNumber(s)! }
    #expect(n("1") == n("1.0"))
    #expect(n("10e-1") == n("1"))
    #expect(n("-0") == n("0"))
    #expect(n("0.1") < n("0.10000000000000000001"))
    #expect(n("-2") < n("-1.5"))
    #expect(n("12345678901234567890123") < n("12345678901234567890124"))
    #expect(n("0.0075").isMultiple(of: n("0.0001")))
    #expect(!n("0.00751").isMultiple(of: n("0.0001")))
    #expect(n("1e308").isMultiple(of: n("1")))
    #expect(!n("1e308").isMultiple(of: n("0.123456789")))
    #expect(n("123456789012345678901234567890").isMultiple(of: n("10")))
    #expect(n("1e2").isInteger)
    #expect(!n("1.5").isInteger)
    #expect(n("0.0001").description == "0.0001")
  }
}
