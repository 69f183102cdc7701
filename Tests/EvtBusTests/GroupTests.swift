import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Consumer groups")
struct GroupTests {
  @Test("two consumers share the work: each event delivered once, all acknowledged")
  func sharing() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "job.run", 0..<100)
      let selection = try TypeSelection(["job.run"])
      let a = try GroupConsumer(connection: try server.connect(), keys: keys, group: "g", consumer: "a", selection: selection)
      let b = try GroupConsumer(connection: try server.connect(), keys: keys, group: "g", consumer: "b", selection: selection)
      var seen: [StreamID] = []
      while true {
        let fromA = try a.read(max: 7, blockMilliseconds: nil)
        let fromB = try b.read(max: 5, blockMilliseconds: nil)
        if fromA.isEmpty && fromB.isEmpty { break }
        try a.ack(fromA.map(\.entry))
        try b.ack(fromB.map(\.entry))
        seen += (fromA + fromB).map(\.entry.id)
      }
      #expect(seen.count == 100 && Set(seen).count == 100)
      #expect(try pendingCount(try server.connect(), keys.stream("job.run"), "g") == 0)
    }
  }

  @Test("a group created on first use starts at the beginning of history, or at the end with latest")
  func start() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      try publish(publisher, "a.b", 0..<3)
      let selection = try TypeSelection(["a.b"])
      let old = try GroupConsumer(connection: try server.connect(), keys: keys, group: "old", consumer: "c", selection: selection)
      #expect(try old.read(max: 10, blockMilliseconds: nil).count == 3)
      let new = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "new", consumer: "c", selection: selection, start: .latest)
      #expect(try new.read(max: 10, blockMilliseconds: nil).isEmpty)
      try publish(publisher, "a.b", 3..<4)
      #expect(try new.read(max: 10, blockMilliseconds: nil).count == 1)
    }
  }

  @Test("a consumer restarted under its name gets its unacknowledged entries back, delivery count 2")
  func redelivery() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<3)
      let selection = try TypeSelection(["a.b"])
      let first = try GroupConsumer(connection: try server.connect(), keys: keys, group: "g", consumer: "w1", selection: selection)
      let got = try first.read(max: 3, blockMilliseconds: nil)
      try first.ack([got[0].entry])
      let again = try GroupConsumer(connection: try server.connect(), keys: keys, group: "g", consumer: "w1", selection: selection)
      let redelivered = try again.read(max: 10, blockMilliseconds: nil)
      #expect(redelivered.map(\.entry.id) == got.dropFirst().map(\.entry.id))
      #expect(redelivered.allSatisfy { $0.deliveryCount == 2 })
    }
  }

  @Test("pending entries deleted from the stream are cleaned, not stuck")
  func deletedPending() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<2)
      let selection = try TypeSelection(["a.b"])
      let first = try GroupConsumer(connection: try server.connect(), keys: keys, group: "g", consumer: "w", selection: selection)
      let got = try first.read(max: 2, blockMilliseconds: nil)
      let c = try server.connect()
      try c.command(["XDEL", keys.stream("a.b"), got[0].entry.id.description])
      let again = try GroupConsumer(connection: try server.connect(), keys: keys, group: "g", consumer: "w", selection: selection)
      #expect(try again.read(max: 10, blockMilliseconds: nil).map(\.entry.id) == [got[1].entry.id])
      #expect(try pendingCount(c, keys.stream("a.b"), "g") == 1)
    }
  }

  @Test("an exact limit across several streams never hands out more than asked")
  func exactLimit() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      for t in ["a.one", "a.two", "a.three"] { try publish(publisher, t, 0..<4) }
      let consumer = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.*"]))
      #expect(try consumer.read(max: 2, blockMilliseconds: 50).count == 2)
      let c = try server.connect()
      let pending = try ["a.one", "a.two", "a.three"].map { try pendingCount(c, keys.stream($0), "g") }.reduce(0, +)
      #expect(pending == 2)
    }
  }

  @Test("a stream deleted under a running consumer is joined again")
  func noGroupRecovery() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      try publish(publisher, "a.b", 0..<1)
      let consumer = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      #expect(try consumer.read(max: 10, blockMilliseconds: nil).count == 1)
      try server.connect().command(["DEL", keys.stream("a.b")])
      #expect(try consumer.read(max: 10, blockMilliseconds: nil).isEmpty)
      try publish(publisher, "a.b", 1..<2)
      #expect(try consumer.read(max: 10, blockMilliseconds: nil).count == 1)
    }
  }
}
