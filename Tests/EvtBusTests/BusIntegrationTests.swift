import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Publishing")
struct PublisherTests {
  @Test("a published event is in its type stream exactly as built, and its type is registered")
  func publishOne() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      let e = try Envelope.create(type: "user.created", data: Array(#"{"userId":"1"}"#.utf8))
      let id = try publisher.publish(e)
      let c = try server.connect()
      let entries = try c.command(["XRANGE", keys.stream("user.created"), "-", "+"]).array!
      #expect(entries.count == 1)
      #expect(entries[0].array?[0].string == id.description)
      #expect(entries[0].array?[1].array?[1].bytes == e.raw)
      #expect(try c.command(["SMEMBERS", keys.types]).array?.compactMap(\.string) == ["user.created"])
    }
  }

  @Test("pipelined batches keep the order of the input")
  func batches() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      publisher.batchSize = 7
      var sent: [Envelope] = []
      for i in 0..<250 {
        let e = try Envelope.create(type: i % 2 == 0 ? "a.even" : "a.odd", data: Array("\(i)".utf8))
        try publisher.enqueue(e)
        sent.append(e)
      }
      #expect(try publisher.finish() == 250)
      let c = try server.connect()
      let evens = try c.command(["XRANGE", keys.stream("a.even"), "-", "+"]).array!.map { $0.array![1].array![1].bytes! }
      #expect(evens == sent.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.raw))
    }
  }

  @Test("an NDJSON import stops at the first bad line and sends only what came before it")
  func ndjsonStops() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let path = server.directory + "/in.ndjson"
      let lines = [#"{"type":"a.b","data":1}"#, "", #"{"type":"a.b","data":2}"#, "{bad", #"{"type":"a.b","data":3}"#]
      try writeFile(path, lines.joined(separator: "\n") + "\n")
      let fd = open(path, O_RDONLY)
      defer { close(fd) }
      var reported: [Int] = []
      let summary = try NDJSONImport(decoder: NDJSONDecoder(), skipInvalid: false).run(
        LineReader(fd: fd, maxLineLength: 1 << 20), into: Publisher(connection: try server.connect(), keys: keys)
      ) { line, _ in reported.append(line) }
      #expect(summary.published == 2 && summary.stopped && reported == [4])
      #expect(try server.connect().command(["XLEN", keys.stream("a.b")]).int == 2)
    }
  }

  @Test("with skipInvalid every good line is sent and every bad one reported")
  func ndjsonSkips() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let path = server.directory + "/in.ndjson"
      try writeFile(path, "{bad\n{\"type\":\"a.b\",\"data\":1}\r\n[]\n{\"type\":\"a.b\",\"data\":2}")
      let fd = open(path, O_RDONLY)
      defer { close(fd) }
      var reported: [Int] = []
      let summary = try NDJSONImport(decoder: NDJSONDecoder(), skipInvalid: true).run(
        LineReader(fd: fd, maxLineLength: 1 << 20), into: Publisher(connection: try server.connect(), keys: keys)
      ) { line, _ in reported.append(line) }
      #expect(summary.published == 2 && !summary.stopped && reported == [1, 3])
    }
  }
}

@Suite("Reading streams without a group")
struct WatcherTests {
  @Test("the last N events of several types come merged in time order (millisecond resolution)")
  func lastMerged() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      var all: [Envelope] = []
      for i in 0..<30 {
        all += try publish(publisher, ["user.created", "order.placed", "user.deleted"][i % 3], i..<i + 1)
        usleep(2_000)  // across streams, order is only known to the millisecond
      }
      let watcher = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection([]))
      #expect(try watcher.last(10).compactMap(\.event) == all.suffix(10).map(\.raw))
      let users = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection(["user.*"]))
      #expect(try users.last(100).compactMap(\.event) == all.filter { $0.type.hasPrefix("user.") }.map(\.raw))
    }
  }

  @Test("history since a stream id pages through everything after it")
  func history() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      try publish(publisher, "a.one", 0..<5)
      let cut = StreamID(milliseconds: UInt64(EventTime.now().milliseconds + 5))
      usleep(10_000)
      let later = try publish(publisher, "a.one", 5..<2500) + (try publish(publisher, "a.two", 0..<10))
      let watcher = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection([]))
      var seen: [[UInt8]] = []
      try watcher.history(since: cut, pageSize: 100) { e in
        seen.append(e.event!)
        return true
      }
      #expect(Set(seen) == Set(later.map(\.raw)))
      #expect(seen.count == later.count)
    }
  }

  @Test("following picks up new events, including types first published after it started")
  func follow() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      try publish(publisher, "a.old", 0..<3)
      let watcher = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection(["a.*"]))
      try watcher.startAtEnd()
      #expect(try watcher.poll(blockMilliseconds: 0).isEmpty)
      let fresh = try publish(publisher, "a.new", 0..<2) + (try publish(publisher, "a.old", 3..<4))
      let got = try watcher.poll(blockMilliseconds: 100)
      #expect(Set(got.compactMap(\.event)) == Set(fresh.map(\.raw)))
      #expect(try watcher.poll(blockMilliseconds: 0).isEmpty)
    }
  }
}

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
