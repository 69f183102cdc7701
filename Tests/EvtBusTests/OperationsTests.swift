import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Operations: processing figures, retention, trace context")
struct OperationsTests {
  @Test("histogram buckets: exact below 16 µs, then within 12.5%; percentiles from merged buckets")
  func histogram() {
    for v: Int64 in [0, 1, 15, 16, 17, 100, 999, 1000, 123_456, 1_000_000_000, Int64.max / 2] {
      let middle = ProcessingStats.value(ofBucket: ProcessingStats.bucket(microseconds: v))
      if v < 16 { #expect(middle == v) } else { #expect(abs(Double(middle - v)) <= Double(v) * 0.125, "\(v) → \(middle)") }
    }
    #expect(ProcessingStats.bucket(microseconds: -5) == 0)
    var a = ProcessingStats()
    var b = ProcessingStats()
    for ms in 1...90 { a.add(fromMicroseconds: Int64(ms) * 1000) }
    for ms in 91...100 { b.add(fromMicroseconds: Int64(ms) * 1000) }
    a.add(b)
    #expect(a.handled == 100)
    let p50 = Double(a.percentile(0.5)!) / 1000
    let p99 = Double(a.percentile(0.99)!) / 1000
    #expect(abs(p50 - 50) <= 50 * 0.125)
    #expect(abs(p99 - 99) <= 99 * 0.125)
    #expect(ProcessingStats().percentile(0.5) == nil)
  }

  @Test("a recorder's figures reach Redis once a second and at the end, and add up over workers")
  func recorder() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let one = ProcessingStatsRecorder(connection: c, keys: keys, group: "g")
      let two = ProcessingStatsRecorder(connection: c, keys: keys, group: "g")
      one.handled(type: "a.b", count: 3, seconds: 0.002)
      one.retried(type: "a.b")
      two.handled(type: "a.b", count: 1, seconds: 0.5)
      two.deadLettered(type: "a.b")
      #expect(try ProcessingStats.read(c, keys: keys, group: "g", type: "a.b", minutes: 5).handled == 0)  // not written yet
      one.ended()
      two.ended()
      let stats = try ProcessingStats.read(c, keys: keys, group: "g", type: "a.b", minutes: 5)
      #expect(stats.handled == 4 && stats.retried == 1 && stats.deadLettered == 1)
      #expect(abs(Double(stats.percentile(0.5)!) - 2000) <= 250)
      #expect(abs(Double(stats.percentile(0.99)!) - 500_000) <= 62_500)
      // Hostile fields are ignored, huge counts saturate.
      let minute = Int(EventTime.now().milliseconds / 60_000)
      _ = try c.command([
        "HSET", keys.processingStats("g", "a.b", minute: minute), "b99999", "5", "handled", "9223372036854775807", "x", "y",
      ])
      let more = try ProcessingStats.read(c, keys: keys, group: "g", type: "a.b", minutes: 1)
      #expect(more.handled == Int.max)
      // Several minutes of huge counts add up without trapping, buckets included.
      _ = try c.command([
        "HSET", keys.processingStats("g", "a.b", minute: minute - 1), "handled", "9223372036854775807", "b20", "9223372036854775807",
      ])
      _ = try c.command(["HSET", keys.processingStats("g", "a.b", minute: minute), "b20", "9223372036854775807"])
      let huge = try ProcessingStats.read(c, keys: keys, group: "g", type: "a.b", minutes: 2)
      #expect(huge.handled == Int.max && huge.buckets[20] == Int.max)
      #expect(huge.percentile(0.99) != nil && huge.percentile(1) != nil)
      #expect(try c.command(["TTL", keys.processingStats("g", "a.b", minute: minute)]).int ?? 0 > 3600)
    }
  }

  @Test("trim keeps what any group has not read or acknowledged; a dry run removes nothing")
  func retention() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let publisher = Publisher(connection: c, keys: keys)
      for i in 0..<10 { _ = try publisher.publish(try Envelope.create(type: "a.b", data: Array("\(i)".utf8))) }
      let stream = keys.stream("a.b")
      _ = try c.command(["XGROUP", "CREATE", stream, "ahead", "$"])
      _ = try c.command(["XGROUP", "CREATE", stream, "behind", "0"])
      _ = try c.command(["XREADGROUP", "GROUP", "behind", "x", "COUNT", "4", "STREAMS", stream, ">"])
      let ids = try c.command(["XRANGE", stream, "-", "+"]).array!.map { $0.array![0].string! }
      _ = try c.command(["XACK", stream, "behind", ids[0], ids[1], ids[3]])  // ids[2] stays pending
      let retention = Retention(connection: c, keys: keys)
      let dry = try retention.trim(try TypeSelection(["a.b"]), to: .all, dryRun: true)
      #expect(dry.count == 1 && dry[0].removed == 2 && dry[0].wanted == 10 && dry[0].heldBy?.group == "behind")
      #expect(dry[0].heldBy?.firstNeeded.description == ids[2])
      #expect(try c.command(["XLEN", stream]).int == 10)
      let done = try retention.trim(try TypeSelection(["a.b"]), to: .maxLength(9))
      #expect(done[0].removed == 1 && done[0].kept == 0)
      let rest = try retention.trim(try TypeSelection(["a.b"]), to: .all)
      #expect(rest[0].removed == 1 && rest[0].kept == 8)
      #expect(try c.command(["XRANGE", stream, "-", "+", "COUNT", "1"]).array?.first?.array?[0].string == ids[2])
      let forced = try retention.trim(try TypeSelection(["a.b"]), to: .all, ignoringGroups: true)
      #expect(forced[0].removed == 8)
    }
  }

  @Test("traceparent: kept when valid, derived per flow when absent, carried forward with a new parent id")
  func traceContext() throws {
    let given = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    let e = try Envelope.create(type: "a.b", data: Array("{}".utf8), headers: [("traceparent", given), ("x-tenant", "acme")])
    #expect(TraceContext.traceparent(of: e) == given)
    let env = TraceContext.environment(for: e).variables
    #expect(env.contains("TRACEPARENT=\(given)") && env.contains("EVT_HEADER_X_TENANT=acme") && env.contains("EVT_CORRELATION_ID=\(e.id)"))
    let first = try Envelope.create(type: "a.b", data: Array("{}".utf8), headers: [("correlationId", "flow")])
    let second = try Envelope.create(type: "a.c", data: Array("{}".utf8), headers: [("correlationId", "flow")])
    let t1 = try #require(TraceContext.parse(TraceContext.traceparent(of: first)))
    let t2 = try #require(TraceContext.parse(TraceContext.traceparent(of: second)))
    #expect(t1.traceID == t2.traceID && t1.parentID != t2.parentID)
    for bad in [
      "", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
    ] {
      #expect(TraceContext.parse(bad) == nil, "\(bad)")
    }
    let vars = ["EVT_ID": "cause-1", "EVT_CORRELATION_ID": "flow", "TRACEPARENT": given]
    let inherited = try TraceContext.inheritedHeaders(given: [("correlationId", "mine")], environment: { vars[$0] })
    #expect(inherited.map(\.key) == ["causationId", "traceparent"])
    let parent = try #require(TraceContext.parse(inherited[1].value))
    #expect(parent.traceID == "0af7651916cd43dd8448eb211c80319c" && parent.parentID != "b7ad6b7169203331" && parent.flags == "01")
    // A value that is not a header value (a newline) is not carried.
    #expect(try TraceContext.inheritedHeaders(given: [], environment: { $0 == "EVT_ID" ? "a\nb" : nil }).isEmpty)
    // A correlation id that cannot be carried on is refused, never dropped silently.
    #expect(throws: EnvelopeError.self) {
      try TraceContext.inheritedHeaders(given: [], environment: { $0 == "EVT_CORRELATION_ID" ? "a\nb" : nil })
    }
    #expect(
      try TraceContext.inheritedHeaders(given: [("correlationId", "new")], environment: { $0 == "EVT_CORRELATION_ID" ? "é" : nil }).isEmpty)
    // Header names a handler could not tell apart are refused at publish.
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a.b", data: Array("{}".utf8), headers: [("x-y", "1"), ("X_Y", "2")]) }
    #expect(throws: EnvelopeError.self) {
      try Envelope.create(type: "a.b", data: Array("{}".utf8), headers: [("correlationId", String(repeating: "x", count: 257))])
    }
  }
}

extension ProcessingStats {
  fileprivate mutating func add(fromMicroseconds us: Int64) {
    var one = ProcessingStats()
    one.handled = 1
    one.buckets[ProcessingStats.bucket(microseconds: us)] = 1
    add(one)
  }
}
