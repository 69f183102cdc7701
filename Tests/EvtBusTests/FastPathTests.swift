import EvtRedis
import EvtTestSupport
import Testing

@testable import EvtBus

/// The in-place paths of issue 10 agree with the tree-based ones they replace.
@Suite("In-place decoding, contract checks and pipelined acknowledgements")
struct FastPathTests {
  @Test("an envelope another tool stored with white space is still printed as one line")
  func lineOfSpacedEnvelope() throws {
    let raw =
      "{ \"id\":\"x\",\n\"type\":\"a.b\", \"version\":\"1.0\",\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"data\":{ \"k\" : [1, 2] } }"
    let e = try Envelope.decode(Array(raw.utf8))
    #expect(e.raw == Array(raw.utf8))
    #expect(
      String(decoding: e.line, as: UTF8.self)
        == #"{"id":"x","type":"a.b","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"k":[1,2]}}"#)
    let minified = try Envelope.create(type: "a.b", data: Array("1".utf8))
    #expect(minified.line == minified.raw)
  }

  @Test("escaped member names and strings decode as the tree does")
  func escapes() throws {
    let raw =
      #"{"\u0069d":"a\/b","type":"a\u002eb","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":null,"headers":{"k":"v\n"}}"#
    let e = try Envelope.decode(Array(raw.utf8))
    #expect(e.id == "a/b" && e.type == "a.b" && e.hasType("a.b") && e.headers.first?.value == "v\n")
  }

  @Test(
    "invalid UTF-8 is refused in place: overlong forms, surrogates, beyond U+10FFFF, truncated",
    arguments: [
      [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82],
    ]
      as [[UInt8]])
  func utf8(_ bad: [UInt8]) throws {
    let text: [UInt8] = [0x22] + bad + [0x22]
    #expect(throws: JSONError.self) { try JSON.parse(text) }
    #expect(throws: JSONError.self) { try JSON.minify(text) }
    #expect(throws: (any Error).self) {
      try Envelope.decode(Array(#"{"id":"x","type":"a","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":"#.utf8) + text + [0x7D])
    }
    #expect(try JSON.parse(Array("\"€😀é\"".utf8)) == .string("€😀é"))
  }

  @Test("times in the envelope's own form read the same as through the general parser")
  func canonicalTimes() {
    for text in ["2026-11-30T23:59:59.999Z", "2024-02-29T00:00:00.000Z", "1970-01-01T00:00:00.000Z", "2026-11-30T12:00:00.123456Z"] {
      let fast = EventTime(iso: text)
      let general = EventTime(iso: String(text.dropLast()) + "+00:00")
      #expect(fast != nil && fast == general, "\(text)")
    }
    #expect(EventTime(iso: "2026-02-29T00:00:00.000Z") == nil)
    #expect(EventTime(iso: "2026-11-30T24:00:00.000Z") == nil)
    var copy = "2026-11-30T12:00:00.123456Z"
    #expect(copy.withUTF8(EventTime.microseconds(iso:)).map { $0 % 1_000_000 } == 123_456)
    #expect(EventTime(iso: EventTime.isoMicroseconds(1_795_999_029_588_007)).map { $0.milliseconds } == 1_795_999_029_588)
  }

  @Test("email addresses: the in-place check says exactly what the explaining one says")
  func emailBytes() {
    let samples = [
      "a@b.co", "ada.lovelace@example.com", "x+tag@sub.example.org", "@b.co", "a@", "a@b", "a@@b.co", "a@b@c.co", ".a@b.co", "a.@b.co",
      "a..b@c.co", "a b@c.co", "a@-b.co", "a@b-.co", "a@b..co", "a@b.123", "a@b.c1", "\u{e9}@b.co",
      String(repeating: "a", count: 65) + "@b.co",
      "a@" + String(repeating: "b", count: 64) + ".co", "o'neil@example.com", "a@b.co\r\nBcc: x@y.z", "",
    ]
    for s in samples {
      var copy = s
      #expect(copy.withUTF8(EmailAddress.isValid(bytes:)) == (EmailAddress.problem(s) == nil), "\(s)")
    }
  }

  @Test("contracts: the in-place schema check agrees with the tree wherever it decides")
  func contracts() throws {
    let schema = try JSONSchema.compile(
      Array(
        #"""
        {"type":"object","required":["userId","email"],
         "properties":{"userId":{"type":"string","maxLength":5,"pattern":\#(JSON.quoted(EventContracts.printablePattern))},
          "email":{"type":"string","format":"email"},"kind":{"enum":["a","b"]},"n":{"type":["integer","null"],"minimum":-1}}}
        """#.utf8))
    let data = [
      #"{"userId":"u1","email":"a@b.co"}"#, #"{"userId":"u1"}"#, #"{"userId":"toolong","email":"a@b.co"}"#,
      #"{"userId":"u\u0001","email":"a@b.co"}"#, #"{"userId":"u\u0031","email":"a@b.co"}"#, #"{"userId":"u1","email":"nope"}"#,
      #"{"userId":"u1","email":"a@b.co","kind":"c"}"#, #"{"userId":"u1","email":"a@b.co","kind":"b"}"#,
      #"{"userId":"u1","email":"a@b.co","n":1.5}"#, #"{"userId":"u1","email":"a@b.co","n":null}"#,
      #"{"userId":"u1","email":"a@b.co","n":-2}"#, #"{"userId":"u1","email":"a@b.co","n":3.0}"#,
      #"{"userId":1,"email":"a@b.co"}"#, #"[1]"#, #"{"userId":"u\u2028","email":"a@b.co"}"#,
      "{\"userId\":\"u\u{202E}\",\"email\":\"a@b.co\"}", "{\"userId\":\"\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\",\"email\":\"a@b.co\"}",
      #"{"user\u0049d":"u1","email":"a@b.co"}"#, #"{ "userId" : "u1" , "email" : "a@b.co" }"#,
    ]
    for text in data {
      let tree = try JSON.parse(Array(text.utf8))
      let bytes = Array(text.utf8)
      let accepted = schema.accepts(tree)
      if let verdict = schema.inPlaceVerdict(bytes) { #expect(verdict == accepted, "\(text)") }
      if !text.contains("\\u") { #expect(schema.inPlaceVerdict(bytes) != nil, "decided in place: \(text)") }
      #expect(bytes.withUnsafeBufferPointer { schema.violation(ofJSON: $0, 0..<$0.count) == nil } == accepted, "\(text)")
    }
  }

  @Test("stream ids are written into commands as Redis writes them")
  func streamIDArgument() {
    var c = RedisCommand()
    c.append(StreamID(milliseconds: 1_795_999_029_588, sequence: 0))
    c.append(StreamID(milliseconds: 0, sequence: UInt64.max))
    #expect(c.arguments == ["1795999029588-0", "0-18446744073709551615"])
  }

  @Test("reading ahead: every event once, in order; stopping gives what was read ahead back to the group")
  func readAhead() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let sent = try publish(Publisher(connection: c, keys: keys), "a.b", 0..<2_345)
      final class Collect: DeliveryHandler {
        var ids: [String] = []
        var stopAfter: Int?
        func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
          ids += batch.compactMap { $0.envelope?.id }
          return HandlerResult(succeeded: batch.map(\.entry))
        }
      }
      func consumer(_ group: String) throws -> GroupConsumer {
        let g = try GroupConsumer(
          connection: try server.connect(), keys: keys, group: group, consumer: "c1", selection: TypeSelection(["a.b"]))
        g.readAhead = true
        g.claimIdleMilliseconds = 60_000
        return g
      }
      let all = Collect()
      let outcome = try Subscription.run(
        group: try consumer("g1"), limits: SubscriptionLimits(untilEmpty: true, batchSize: 100), handler: all
      ) {
        false
      }
      #expect(outcome.handled == 2_345 && all.ids == sent.map(\.id))
      #expect(try pendingCount(c, keys.stream("a.b"), "g1") == 0)

      // Stopped after the first batch: the batches read ahead go back at once.
      let some = Collect()
      let stopping = try Subscription.run(group: try consumer("g2"), limits: SubscriptionLimits(batchSize: 100), handler: some) {
        !some.ids.isEmpty
      }
      let readAhead = GroupConsumer.readAheadDepth * 100
      #expect(some.ids.count == 100 && stopping.givenBack == readAhead)
      #expect(try pendingCount(c, keys.stream("a.b"), "g2") == readAhead)
      let rest = Collect()
      let other = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g2", consumer: "c2", selection: TypeSelection(["a.b"]))
      other.claimIdleMilliseconds = 60_000
      _ = try Subscription.run(group: other, limits: SubscriptionLimits(untilEmpty: true, batchSize: 100), handler: rest) { false }
      #expect(Set(some.ids + rest.ids) == Set(sent.map(\.id)) && some.ids.count + rest.ids.count == 2_345)
    }
  }

  @Test("a group acknowledges each batch with the next read: one XACK per batch, nothing left pending")
  func acksRideWithReads() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      _ = try publish(Publisher(connection: c, keys: keys), "a.b", 0..<25)
      let consumer = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g", consumer: "c1", selection: TypeSelection(["a.b"]))
      final class Count: DeliveryHandler {
        var n = 0
        func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
          n += batch.count
          return HandlerResult(succeeded: batch.map(\.entry))
        }
      }
      let handler = Count()
      _ = try c.command(["CONFIG", "RESETSTAT"])
      let outcome = try Subscription.run(group: consumer, limits: SubscriptionLimits(untilEmpty: true, batchSize: 10), handler: handler) {
        false
      }
      #expect(outcome.handled == 25 && handler.n == 25)
      #expect(try pendingCount(c, keys.stream("a.b"), "g") == 0)
      let stats = try c.command(["INFO", "commandstats"]).string ?? ""
      let xack = stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_xack:") }.map(String.init) ?? ""
      #expect(xack.hasPrefix("cmdstat_xack:calls=3,"), "\(xack)")
    }
  }
}
