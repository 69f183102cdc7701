import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Running handlers")
struct HandlerTests {
  final class Collect: DeliveryHandler {
    var seen: [Delivery] = []
    func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
      seen += batch
      return HandlerResult(succeeded: batch.map(\.entry))
    }
  }

  @Test("a subscription with a count stops after exactly that many and acknowledges them")
  func countLimit() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<10)
      let consumer = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let handler = Collect()
      let outcome = try Subscription.run(group: consumer, limits: SubscriptionLimits(count: 4), handler: handler) { false }
      #expect(outcome == SubscriptionOutcome(end: .finished, handled: 4, failed: 0))
      #expect(try pendingCount(try server.connect(), keys.stream("a.b"), "g") == 0)
    }
  }

  @Test("an idle timeout ends a subscription that receives nothing")
  func idleTimeout() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let consumer = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let outcome = try Subscription.run(group: consumer, limits: SubscriptionLimits(idleTimeout: 0.3), handler: Collect()) { false }
      #expect(outcome.end == .timedOut)
    }
  }
}
