import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Done markers")
struct DoneMarkerTests {
  @Test("complete() marks, acknowledges and publishes once; a second completion only acknowledges")
  func doneMarkers() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let cause = try envelope("a.b", "1")
      _ = try Publisher(connection: c, keys: keys).publish(cause)
      let consumer = try GroupConsumer(connection: c, keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let d = try #require(try consumer.read(max: 1, blockMilliseconds: nil).first)
      let done = DoneMarkers(connection: c, keys: keys, group: "g", ttlSeconds: 100)
      #expect(try !done.isDone(type: "a.b", eventID: cause.id))
      #expect(try done.complete(d.entry, type: "a.b", eventID: cause.id, publishing: [try envelope("a.done", "1")]))
      #expect(try done.isDone(type: "a.b", eventID: cause.id))
      // Ids are unique per type: the same id of another type is not done.
      #expect(try !done.isDone(type: "a.c", eventID: cause.id))
      #expect(try !done.complete(d.entry, type: "a.b", eventID: cause.id, publishing: [try envelope("a.done", "2")]))
      #expect(try c.command(["XLEN", keys.stream("a.done")]).int == 1)
      #expect(try c.command(["XPENDING", keys.stream("a.b"), "g"]).array?.first?.int == 0)
      let ttl = try c.command(["TTL", keys.done("g", "a.b", cause.id)]).int ?? -1
      #expect(ttl > 0 && ttl <= 100)
      #expect(try c.command(["SISMEMBER", keys.types, "a.done"]).int == 1)
    }
  }
}
