import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Crash recovery")
struct ReclaimTests {
  func consumer(_ server: RedisServer, _ keys: Keys, _ name: String, claimIdle: Int? = nil) throws -> GroupConsumer {
    let c = try GroupConsumer(
      connection: try server.connect(), keys: keys, group: "g", consumer: name, selection: try TypeSelection(["a.b"]))
    c.claimIdleMilliseconds = claimIdle
    return c
  }

  func consumers(_ c: RedisConnection, _ keys: Keys) throws -> [String] {
    try c.command(["XINFO", "CONSUMERS", keys.stream("a.b"), "g"]).array!.map { $0.array![1].string! }.sorted()
  }

  @Test("entries a dead consumer left idle are claimed by a live one, with their delivery count")
  func reclaims() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<3)
      let dead = try consumer(server, keys, "dead")
      let taken = try dead.read(max: 3, blockMilliseconds: nil)
      #expect(taken.count == 3)
      let live = try consumer(server, keys, "live", claimIdle: 50)
      usleep(120_000)
      let claimed = try live.read(max: 10, blockMilliseconds: nil)
      #expect(claimed.map(\.entry.id) == taken.map(\.entry.id))
      #expect(claimed.allSatisfy { $0.deliveryCount == 2 })
    }
  }

  @Test("a consumer that touches what it holds keeps it; once it stops, another claims it and the touch says so")
  func touch() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<1)
      let busy = try consumer(server, keys, "busy")
      let held = try #require(try busy.read(max: 1, blockMilliseconds: nil).first)
      let other = try consumer(server, keys, "other", claimIdle: 150)
      for _ in 0..<4 {
        usleep(80_000)
        #expect(try busy.touch(held.entry))
        #expect(try other.read(max: 1, blockMilliseconds: nil).isEmpty)
      }
      usleep(250_000)
      let claimed = try other.read(max: 1, blockMilliseconds: nil)
      #expect(claimed.map(\.entry.id) == [held.entry.id])
      #expect(claimed.first?.deliveryCount == 2)  // touches did not count as deliveries
      #expect(try !busy.touch(held.entry))
    }
  }

  @Test("a poison message is dead-lettered instead of being handled again")
  func poison() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<1)
      _ = try consumer(server, keys, "dead").read(max: 1, blockMilliseconds: nil)
      let live = try consumer(server, keys, "live", claimIdle: 10)
      usleep(50_000)
      final class Never: DeliveryHandler {
        var calls = 0
        func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
          calls += batch.count
          return HandlerResult(succeeded: batch.map(\.entry))
        }
      }
      let handler = Never()
      let outcome = try Subscription.run(
        group: live, limits: SubscriptionLimits(untilEmpty: true), handler: handler,
        deadLetters: DeadLetterQueue(connection: try server.connect(), keys: keys, group: "g"), maxDeliveries: 1
      ) { false }
      #expect(handler.calls == 0 && outcome.deadLettered == 1)
      let c = try server.connect()
      let dlq = try c.command(["XRANGE", keys.deadLetters("g", "a.b"), "-", "+"]).array!
      #expect(dlq.first?.array?[1].array?.contains(.bulk(Array("poison message: delivered 2 times (limit 1)".utf8))) == true)
      #expect(try pendingCount(c, keys.stream("a.b"), "g") == 0)
    }
  }

  @Test("idle consumers are removed only once nothing is pending for them; their entries are claimed first, never lost")
  func removesIdleConsumers() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<2)
      let holder = try consumer(server, keys, "holder")
      _ = try holder.read(max: 1, blockMilliseconds: nil)  // keeps one entry pending
      let finished = try consumer(server, keys, "finished")
      try finished.ack(try finished.read(max: 1, blockMilliseconds: nil).map(\.entry))
      let c = try server.connect()
      #expect(try consumers(c, keys) == ["finished", "holder"])
      // claim-idle 1 ms: both are idle longer than 10 ms; only the one with nothing pending goes.
      let sweeper = try consumer(server, keys, "sweeper", claimIdle: 1_000_000)
      sweeper.claimIdleMilliseconds = 1
      usleep(30_000)
      _ = try sweeper.read(max: 1, blockMilliseconds: nil)
      _ = try sweeper.read(max: 1, blockMilliseconds: nil)
      // holder's entry was claimed by the sweeper before holder was removed: nothing lost.
      #expect(try consumers(c, keys) == ["sweeper"])
      #expect(try pendingCount(c, keys.stream("a.b"), "g") == 1)
      let owner = try c.command(["XPENDING", keys.stream("a.b"), "g", "-", "+", "10"]).array!.first!.array![1].string
      #expect(owner == "sweeper")
    }
  }
}
