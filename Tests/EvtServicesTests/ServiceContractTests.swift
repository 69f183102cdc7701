import EvtBus
import EvtRedis
import EvtTestSupport
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Service contracts")
struct ServiceContractTests {
  @Test("the built-in contracts name the missing or mistyped field; other fields and other types are free")
  func builtIn() throws {
    let c = ServiceTypes.contracts
    #expect(
      c.violation(of: try envelope("order.placed", #"{"orderId":"1"}"#))
        == #"order.placed: data: the required property "userId" is missing"#)
    #expect(
      c.violation(of: try envelope("order.placed", #"{"orderId":"1","userId":2}"#))
        == #"order.placed: data/userId: 2 is a number, not a string"#)
    #expect(c.violation(of: try envelope("order.placed", #"{"orderId":"1","userId":"2","items":[],"total":3.5,"x":{}}"#)) == nil)
    #expect(c.violation(of: try envelope("order.placed", #"[1]"#)) == "order.placed: data: an array of 1 is an array, not an object")
    #expect(c.violation(of: try envelope("user.created", #"{"userId":"1","email":"a@b.c","name":"A"}"#)) == nil)
    #expect(
      c.violation(of: try envelope("email.sent", #"{"userId":"1","type":"x","recipient":"a@b.c","messageId":"m"}"#))?.contains(
        #"data/type: "x" is not one of "welcome", "order_confirmation""#) == true)
    #expect(c.violation(of: try envelope("something.else", "1")) == nil)
    let failed = #"{"event":null,"error":"e","permanent":true,"attempts":1,"group":"g","stream":"s","entryId":"1-0"}"#
    #expect(c.violation(of: try envelope("event.failed", failed)) == nil)
    #expect(c.violation(of: try envelope("event.failed", failed.replacing(#""attempts":1"#, with: #""attempts":1.5"#))) != nil)
    #expect(EventContracts.none.violation(of: try envelope("order.placed", "1")) == nil)
  }
}
