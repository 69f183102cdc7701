import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Event contracts")
struct ContractTests {
  @Test("the dead letters' own event.failed keeps its contract")
  func deadLetterEventKeepsContract() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      _ = try Publisher(connection: c, keys: keys).publish(try envelope("a.b", "1"))
      let consumer = try GroupConsumer(connection: c, keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let d = try #require(try consumer.read(max: 1, blockMilliseconds: nil).first)
      let failed = try DeadLetterQueue(connection: c, keys: keys, group: "g").bury(
        d, failure: HandlerFailure("x"), attempts: 1, consumer: "c")
      #expect(EventContracts.bus.violation(of: failed) == nil)
    }
  }

}
