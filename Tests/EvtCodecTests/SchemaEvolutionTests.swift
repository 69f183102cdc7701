import Testing

@testable import EvtCodec

@Suite("JSON Schema: what a new version tightens")
struct SchemaEvolutionTests {
  func tightenings(_ old: String, _ new: String) throws -> [String] {
    try JSONSchema.compile(Array(new.utf8)).tightenings(since: try JSONSchema.compile(Array(old.utf8)))
  }

  static let v1 =
    ##"{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"amount":{"type":"number","minimum":0},"currency":{"enum":["EUR","USD"]}}}"##

  @Test("an optional field added, a bound loosened, an enum value added: nothing tightened")
  func loosened() throws {
    let v2 =
      ##"{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"amount":{"type":"number","minimum":-10},"currency":{"enum":["EUR","USD","GBP"]},"note":{"type":"string"}}}"##
    #expect(try tightenings(Self.v1, v2) == [])
  }

  @Test("every tightening is named with where it is")
  func tightened() throws {
    let v2 =
      ##"{"type":"object","required":["id","note"],"additionalProperties":false,"properties":{"id":{"type":"integer"},"amount":{"type":"number","minimum":1},"currency":{"enum":["EUR"]},"note":{"type":"string"}}}"##
    let found = try tightenings(Self.v1, v2)
    #expect(found.contains(#"the schema: property "note" became required"#))
    #expect(found.contains("the schema: additionalProperties closed: properties not named are refused now"))
    #expect(found.contains("/properties/id: type narrowed: string no longer accepted"))
    #expect(found.contains("/properties/amount: minimum raised from 0 to 1"))
    #expect(found.contains(#"/properties/currency: enum lost "USD""#))
    #expect(found.count == 5, "\(found)")
  }

  @Test("what evt cannot prove safe is said so; integer → number is a widening")
  func unprovable() throws {
    #expect(
      try tightenings(#"{"anyOf":[{"type":"string"}]}"#, #"{"anyOf":[{"type":"number"}]}"#) == [
        "the schema: anyOf changed, which evt cannot prove compatible"
      ])
    #expect(try tightenings(#"{"type":"integer"}"#, #"{"type":"number"}"#) == [])
    #expect(try tightenings(#"{"type":"number"}"#, #"{"type":"integer"}"#) == ["the schema: type narrowed: number no longer accepted"])
    #expect(try tightenings("true", "false") == ["the schema: refuses every value now (false)"])
    #expect(try tightenings(#"{"multipleOf":4}"#, #"{"multipleOf":2}"#) == [])
    #expect(try tightenings(#"{"multipleOf":2}"#, #"{"multipleOf":4}"#).count == 1)
  }
}
