import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Done markers")
struct DoneMarkerTests {
  @Test("complete() publishes once, then marks and acknowledges; a second completion only acknowledges")
  func doneMarkers() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let cause = try envelope("a.b", "1")
      _ = try Publisher(connection: c, keys: keys).publish(cause)
      let consumer = try GroupConsumer(connection: c, keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let d = try #require(try consumer.read(max: 1, blockMilliseconds: nil).first)
      let done = DoneMarkers(connection: c, keys: keys, group: "g", ttlSeconds: 100)
      #expect(try !done.isDone(d.entry, eventID: cause.id))
      let followUp = try Envelope.create(
        type: "a.done", data: Array("1".utf8), id: EventID.derived(from: ["g", cause.type, cause.id, "a.done"]))
      #expect(try done.complete(d.entry, eventID: cause.id, publishing: [followUp]))
      #expect(try done.isDone(d.entry, eventID: cause.id))
      // Ids are unique per type: the same id in another type's stream is not done.
      _ = try Publisher(connection: c, keys: keys).publish(try Envelope.create(type: "a.c", data: Array("1".utf8), id: cause.id))
      let otherConsumer = try GroupConsumer(connection: c, keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.c"]))
      let other = try #require(try otherConsumer.read(max: 1, blockMilliseconds: nil).first)
      #expect(try !done.isDone(other.entry, eventID: cause.id))
      // Completed again (a crash before the marker, then a redelivery): the follow-up, with
      // the same derived id, is not written twice.
      #expect(try !done.complete(d.entry, eventID: cause.id, publishing: [followUp]))
      #expect(try c.command(["XLEN", keys.stream("a.done")]).int == 1)
      #expect(try c.command(["EXISTS", keys.published("a.done", followUp.id)]).int == 1)
      #expect(try c.command(["XPENDING", keys.stream("a.b"), "g"]).array?.first?.int == 0)
      let ttl = try c.command(["TTL", keys.done("g", "a.b", cause.id)]).int ?? -1
      #expect(ttl > 0 && ttl <= 100)
      #expect(try c.command(["SISMEMBER", keys.types, "a.done"]).int == 1)
    }
  }
}
