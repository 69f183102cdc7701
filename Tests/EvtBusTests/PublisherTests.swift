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

  @Test("with replicas: an event counts only once WAIT says enough replicas have it")
  func replicas() throws {
    let master = try RedisServer(tcp: true, arguments: ["--repl-diskless-sync-delay", "0"])
    defer { master.stop() }
    let keys = try Keys(namespace: uniqueNamespace())
    let publisher = Publisher(connection: try master.connect(), keys: keys)
    publisher.replicas = (1, 100)
    // No replica yet: the master stores the event, but it is not published.
    let lonely = try Envelope.create(type: "a.b", data: Array("1".utf8))
    let error = try #require(throws: BusError.self) { try publisher.publish(lonely) }
    #expect(error.kind == .notReplicated)
    #expect(error.message == "only 0 of 1 replica confirmed within 100ms; 1 event is on the master only and would be lost if it failed")
    #expect(publisher.acknowledged == 0 && publisher.unconfirmedLines == [0])

    let replica = try RedisServer(arguments: ["--replicaof", "127.0.0.1", String(master.port!)])
    defer { replica.stop() }
    let r = try replica.connect()
    for _ in 0..<200 where try !(r.command(["INFO", "replication"]).string ?? "").contains("master_link_status:up") { usleep(25_000) }
    let sync = Publisher(connection: try master.connect(), keys: keys)
    sync.replicas = (1, 5000)
    sync.window = 100
    for i in 0..<1000 { try sync.enqueue(try Envelope.create(type: "a.b", data: Array(String(i).utf8)), line: i + 1) }
    #expect(try sync.finish() == 1000)
    // Everything acknowledged is on the replica.
    #expect(try r.command(["XLEN", keys.stream("a.b")]) == .integer(1001))
  }

  @Test("with replicas: a resend that fails half-way (a cluster still failing over) forgets nothing; the next one counts every event")
  func resendAfterFailedResend() throws {
    let server = try RedisServer(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
    defer { server.stop() }
    let keys = try Keys(namespace: uniqueNamespace())
    let publisher = Publisher(connection: try server.connect(), keys: keys)
    publisher.replicas = (1, 10)
    for i in 0..<10 { try publisher.enqueue(try Envelope.create(type: "a.b", data: Array(String(i).utf8)), line: i + 1) }
    // Stored on the master, but no replica confirmed them.
    #expect(throws: BusError.self) { try publisher.finish() }
    #expect(publisher.acknowledged == 0 && publisher.unconfirmedLines == Array(1...10))
    // The server goes away while the events are being looked for.
    server.kill9()
    #expect(throws: BusError.self) { try publisher.resendUnconfirmed() }
    #expect(publisher.unconfirmedLines == Array(1...10))
    // Back (with its append-only file): all ten are found there, none sent twice.
    try server.start()
    try publisher.connection.reconnect()
    try publisher.resendUnconfirmed()
    #expect(publisher.acknowledged == 10)
    #expect(try server.connect().command(["XLEN", keys.stream("a.b")]) == .integer(10))
  }

  @Test("pipelined batches keep the order of the input")
  func batches() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      publisher.window = 7
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
