import EvtRedis
import Testing

@testable import EvtBus

/// The reply decoders, fed replies written as RESP2 and parsed by hiredis's own reader, so
/// they read exactly what a live connection lends them.
@Suite("Stream replies")
struct StreamReplyTests {
  func bulk(_ s: String) -> RedisReply { .bulk(Array(s.utf8)) }

  /// `reply` as the bytes a server would send.
  func resp(_ reply: RedisReply) -> [UInt8] {
    switch reply {
    case .null: return Array("$-1\r\n".utf8)
    case .status(let s): return Array("+\(s)\r\n".utf8)
    case .error(let s): return Array("-\(s)\r\n".utf8)
    case .integer(let n): return Array(":\(n)\r\n".utf8)
    case .bulk(let b): return Array("$\(b.count)\r\n".utf8) + b + Array("\r\n".utf8)
    case .array(let items): return Array("*\(items.count)\r\n".utf8) + items.flatMap(resp)
    }
  }

  /// Decodes `reply` with `decode`, in place.
  func decode<T>(_ reply: RedisReply, _ decode: (RawReply) throws(BusError) -> T) throws -> T {
    try RawReply.lending(resp(reply), to: decode).get()
  }

  func entries(_ reply: RedisReply) throws -> [StreamEntry] {
    try decode(reply) { (raw) throws(BusError) in
      var out: [StreamEntry] = []
      try StreamEntry.list(raw, stream: StreamKey(key: "s", type: "t"), into: &out)
      return out
    }
  }

  @Test("entries decode with their fields; a deleted pending entry has none")
  func entryList() throws {
    let reply = RedisReply.array([
      .array([bulk("1-0"), .array([bulk("event"), bulk("{}")])]), .array([bulk("2-0"), .null]),
      .array([bulk("3-0"), .array([bulk("a"), bulk("1"), bulk("b"), bulk("2")])]),
    ])
    let entries = try entries(reply)
    #expect(entries.map(\.id) == [1, 2, 3].map { StreamID(milliseconds: $0) })
    #expect(entries[0].event == Array("{}".utf8))
    #expect(entries[1].fields == nil)
    #expect(entries[2].fields?.map(\.name) == ["a", "b"])
    let none = try decode(.null) { (raw) throws(BusError) in
      var out: [StreamEntry] = []
      try StreamEntry.streams(raw, streams: [:], into: &out)
      return out
    }
    #expect(none.isEmpty)
  }

  @Test("a stream read: each stream's entries carry the key and type asked for; a stream not asked for is an error")
  func streamRead() throws {
    let a = StreamKey(key: "n:{a}:stream", type: "a")
    let b = StreamKey(key: "n:{b}:replay:g", type: "b")
    let reply = RedisReply.array([
      .array([bulk(a.key), .array([.array([bulk("1-0"), .array([bulk("event"), bulk("{}")])])])]),
      .array([bulk(b.key), .array([.array([bulk("2-0"), .array([bulk("event"), bulk("{}")])])])]),
    ])
    let read = { (streams: [String: StreamKey]) throws -> [StreamEntry] in
      try self.decode(reply) { (raw) throws(BusError) in
        var out: [StreamEntry] = []
        try StreamEntry.streams(raw, streams: streams, into: &out)
        return out
      }
    }
    let entries = try read([a.key: a, b.key: b])
    #expect(entries.map(\.stream) == [a.key, b.key])
    #expect(entries.map(\.type) == ["a", "b"])
    #expect(throws: BusError.self) { try read([a.key: a]) }
  }

  @Test("a read is built from its streams, whole or by part; the key recorded routes it")
  func readRequest() {
    let streams = ["x", "y", "z"].map { StreamKey(key: "n:{\($0)}:stream", type: $0) }
    let request = StreamReadRequest(
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10"], streams: streams, ids: [">", ">", ">"], blockMilliseconds: 500)
    #expect(
      request.command.arguments == [
        "XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "500", "STREAMS", "n:{x}:stream", "n:{y}:stream", "n:{z}:stream", ">", ">",
        ">",
      ])
    #expect(request.command.key == "n:{x}:stream")
    #expect(
      request.part([2, 0], blocking: false).arguments == [
        "XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "n:{z}:stream", "n:{x}:stream", ">", ">",
      ])
    #expect(request.part([1], blocking: true).key == "n:{y}:stream")
  }

  @Test(
    "a reply of the wrong shape is an error, never skipped",
    arguments: [
      RedisReply.integer(1), .array([.integer(1)]), .array([.array([.bulk(Array("x".utf8)), .null])]),
      .array([.array([.bulk(Array("1-0".utf8)), .array([.bulk(Array("odd".utf8))])])]),
    ])
  func wrongShape(_ reply: RedisReply) {
    #expect(throws: BusError.self) { try entries(reply) }
  }

  @Test("XAUTOCLAIM and XPENDING replies decode or throw")
  func claimsAndPending() throws {
    let claimed = RedisReply.array([bulk("0-0"), .array([.array([bulk("3-0"), .array([bulk("event"), bulk("1")])])]), .array([])])
    #expect(
      try decode(claimed) { (raw) throws(BusError) in try StreamReply.autoclaim(raw, stream: StreamKey(key: "s", type: "t")) }.entries.count
        == 1)
    #expect(throws: BusError.self) {
      try decode(.array([bulk("0-0")])) { (raw) throws(BusError) in try StreamReply.autoclaim(raw, stream: StreamKey(key: "s", type: "t")) }
    }
    let pending = RedisReply.array([.array([bulk("3-0"), bulk("c"), .integer(10), .integer(2)])])
    #expect(
      try decode(pending) { (raw) throws(BusError) in try StreamReply.deliveryCounts(raw, stream: "s") } == [StreamID(milliseconds: 3): 2])
    #expect(throws: BusError.self) {
      try decode(.array([.array([bulk("3-0")])])) { (raw) throws(BusError) in try StreamReply.pending(raw, stream: "s") }
    }
    let summary = try decode(.array([.integer(2), bulk("5-1"), bulk("6-0"), .array([])])) { (raw) throws(BusError) in
      try StreamReply.pendingSummary(raw, stream: "s")
    }
    #expect(summary.count == 2)
    #expect(summary.oldest == StreamID("5-1"))
    let empty = try decode(.array([.integer(0), .null, .null, .null])) { (raw) throws(BusError) in
      try StreamReply.pendingSummary(raw, stream: "s")
    }
    #expect(empty.oldest == nil)
  }

  @Test("XINFO GROUPS, CONSUMERS and STREAM decode into values or throw")
  func info() throws {
    let groups = RedisReply.array([
      .array([
        bulk("name"), bulk("g"), bulk("consumers"), .integer(2), bulk("pending"), .integer(3), bulk("last-delivered-id"), bulk("7-0"),
        bulk("entries-read"), .integer(9), bulk("lag"), .null,
      ])
    ])
    let g = try decode(groups) { (raw) throws(BusError) in try StreamReply.groups(raw, stream: "s") }
    #expect(g == [GroupInfo(name: "g", consumers: 2, pending: 3, lastDelivered: StreamID("7-0"), entriesRead: 9, lag: nil)])
    let consumers = RedisReply.array([.array([bulk("name"), bulk("c"), bulk("pending"), .integer(1), bulk("idle"), .integer(50)])])
    let c = try decode(consumers) { (raw) throws(BusError) in try StreamReply.consumers(raw, stream: "s", group: "g") }
    #expect(c == [ConsumerInfo(name: "c", pending: 1, idleMilliseconds: 50)])
    #expect(throws: BusError.self) {
      try decode(.array([.array([bulk("name")])])) { (raw) throws(BusError) in try StreamReply.groups(raw, stream: "s") }
    }
    #expect(throws: BusError.self) {
      try decode(.array([.array([bulk("name"), bulk("c")])])) { (raw) throws(BusError) in
        try StreamReply.consumers(raw, stream: "s", group: "g")
      }
    }
    let stream = RedisReply.array([
      bulk("length"), .integer(2), bulk("first-entry"), .array([bulk("1-0"), .array([bulk("event"), bulk("{}")])]),
      bulk("last-entry"), .array([bulk("2-0"), .array([bulk("event"), bulk("{}")])]),
    ])
    let s = try decode(stream) { (raw) throws(BusError) in try StreamReply.stream(raw, stream: "s") }
    #expect(s == StreamInfo(length: 2, first: StreamID("1-0"), last: StreamID("2-0")))
    #expect(throws: BusError.self) {
      try decode(.array([bulk("length")])) { (raw) throws(BusError) in try StreamReply.stream(raw, stream: "s") }
    }
  }
}
