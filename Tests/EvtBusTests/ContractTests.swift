import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Event contracts, done markers and the circuit breaker")
struct ContractTests {
  func envelope(_ type: String, _ data: String) throws -> Envelope {
    try Envelope.create(type: type, data: Array(data.utf8))
  }

  @Test("the dead letters' own event.failed keeps its contract")
  func deadLetterEventKeepsContract() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      _ = try Publisher(connection: c, keys: keys).publish(try envelope("a.b", "1"))
      let consumer = try GroupConsumer(connection: c, keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let d = try #require(try consumer.read(max: 1, blockMilliseconds: nil).first)
      let failed = try DeadLetterQueue(connection: c, keys: keys, group: "g").bury(
        d, failure: HandlerFailure("x"), attempts: 1, consumer: "c")
      #expect(EventContracts.bus.violation(of: failed) == nil)
    }
  }

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

  @Test("the breaker opens after N consecutive failures, lets one probe through after the cool-down, closes on success")
  func breaker() {
    let log = LogLines()
    let b = CircuitBreaker(failureThreshold: 2, coolDown: 0.2) { log.append($0) }
    #expect(b.acquire { false })
    #expect(!b.failed("a"))
    b.succeeded()  // resets the count
    #expect(!b.failed("b"))
    #expect(b.failed("c"))
    #expect(b.state == .open)
    // While open nobody gets through.
    var polls = 0
    #expect(
      !b.acquire {
        polls += 1; return polls > 2
      })
    b.waitWhileOpen { false }  // returns after the cool-down
    #expect(b.acquire { false })
    #expect(b.state == .halfOpen)
    // A second caller waits while the probe is out.
    polls = 0
    #expect(
      !b.acquire {
        polls += 1; return polls > 2
      })
    #expect(b.failed("probe"))
    #expect(b.state == .open)
    b.waitWhileOpen { false }
    #expect(b.acquire { false })
    b.cancel()  // the probe was not made: the next caller probes at once
    #expect(b.tryAcquire())
    b.succeeded()
    #expect(b.state == .closed)
    #expect(
      log.lines.map { String($0.prefix(20)) }
        == [
          "circuit open after 2", "circuit half-open: l", "circuit open again: ", "circuit half-open: l", "circuit half-open: l",
          "circuit closed: the d",
        ].map { String($0.prefix(20)) })
  }
}

final class LogLines: @unchecked Sendable {
  private(set) var lines: [String] = []
  func append(_ s: String) { lines.append(s) }
}
