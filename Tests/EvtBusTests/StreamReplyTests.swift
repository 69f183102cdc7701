import EvtRedis
import Testing

@testable import EvtBus

@Suite("Stream replies")
struct StreamReplyTests {
  func bulk(_ s: String) -> RedisReply { .bulk(Array(s.utf8)) }

  @Test("entries decode with their fields; a deleted pending entry has none")
  func entries() throws {
    let reply = RedisReply.array([
      .array([bulk("1-0"), .array([bulk("event"), bulk("{}")])]), .array([bulk("2-0"), .null]),
    ])
    let entries = try StreamEntry.list(reply, stream: "s", type: "t")
    #expect(entries.map(\.id) == [StreamID(milliseconds: 1), StreamID(milliseconds: 2)])
    #expect(entries[0].event == Array("{}".utf8) && entries[1].fields == nil)
    #expect(try StreamEntry.streams(.null, keys: try Keys(namespace: "n")).isEmpty)
  }

  @Test(
    "a reply of the wrong shape is an error, never skipped",
    arguments: [
      RedisReply.integer(1), .array([.integer(1)]), .array([.array([.bulk(Array("x".utf8)), .null])]),
      .array([.array([.bulk(Array("1-0".utf8)), .array([.bulk(Array("odd".utf8))])])]),
    ])
  func wrongShape(_ reply: RedisReply) {
    #expect(throws: BusError.self) { try StreamEntry.list(reply, stream: "s", type: "t") }
  }

  @Test("XAUTOCLAIM, XPENDING, XINFO and SCAN replies decode or throw")
  func others() throws {
    let claimed = RedisReply.array([bulk("0-0"), .array([.array([bulk("3-0"), .array([bulk("event"), bulk("1")])])]), .array([])])
    #expect(try StreamReply.autoclaim(claimed, stream: "s", type: "t").entries.count == 1)
    #expect(throws: BusError.self) { try StreamReply.autoclaim(.array([bulk("0-0")]), stream: "s", type: "t") }
    let pending = RedisReply.array([.array([bulk("3-0"), bulk("c"), .integer(10), .integer(2)])])
    #expect(try StreamReply.deliveryCounts(pending, stream: "s") == [StreamID(milliseconds: 3): 2])
    #expect(throws: BusError.self) { try StreamReply.pending(.array([.array([bulk("3-0")])]), stream: "s") }
    let info = try StreamReply.info(.array([.array([bulk("name"), bulk("c"), bulk("pending"), .integer(1)])]), "XINFO")
    #expect(info.first?["name"]?.string == "c" && info.first?["pending"]?.int == 1)
    #expect(throws: BusError.self) { try StreamReply.info(.array([.array([bulk("name")])]), "XINFO") }
    #expect(try StreamReply.scan(.array([bulk("0"), .array([bulk("k")])])).keys == ["k"])
    #expect(throws: BusError.self) { try StreamReply.scan(.array([bulk("0")])) }
  }
}
