import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Retries and dead letters")
struct DeadLetterTests {
  /// Fails each event `failures` times (transiently), then succeeds.
  final class Flaky: DeliveryHandler {
    let failures: Int
    let permanent: Bool
    var attempts: [StreamID: Int] = [:]
    init(failures: Int, permanent: Bool = false) {
      self.failures = failures
      self.permanent = permanent
    }
    func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
      var result = HandlerResult(succeeded: [])
      for d in batch {
        attempts[d.entry.id, default: 0] += 1
        if attempts[d.entry.id]! > failures {
          result.succeeded.append(d.entry)
        } else {
          result.failures.append((d, HandlerFailure("boom \(attempts[d.entry.id]!)", permanent: permanent)))
        }
      }
      return result
    }
  }

  func run(_ server: RedisServer, _ keys: Keys, _ handler: DeliveryHandler, maxAttempts: Int) throws -> SubscriptionOutcome {
    let consumer = try GroupConsumer(
      connection: try server.connect(), keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
    return try Subscription.run(
      group: consumer, limits: SubscriptionLimits(untilEmpty: true), handler: handler,
      retry: RetryPolicy(maxAttempts: maxAttempts, backoffBase: 0.001, backoffMax: 0.01),
      deadLetters: DeadLetterQueue(connection: try server.connect(), keys: keys, group: "g")
    ) { false }
  }

  @Test("backoff doubles from the base up to the maximum, with jitter in the upper half")
  func backoff() {
    let p = RetryPolicy(maxAttempts: 5, backoffBase: 0.5, backoffMax: 3)
    #expect(p.ceiling(beforeAttempt: 1) == 0)
    #expect([2, 3, 4, 5, 6].map { p.ceiling(beforeAttempt: $0) } == [0.5, 1, 2, 3, 3])
    #expect(p.delay(beforeAttempt: 3, unit: 0) == 0.5 && p.delay(beforeAttempt: 3, unit: 1) == 1)
    #expect(p.shouldRetry(after: HandlerFailure("x"), attempt: 4))
    #expect(!p.shouldRetry(after: HandlerFailure("x"), attempt: 5))
    #expect(!p.shouldRetry(after: HandlerFailure("x", permanent: true), attempt: 1))
  }

  @Test("a handler that fails twice, then succeeds: every event handled, the DLQ empty")
  func recovers() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<5)
      let outcome = try run(server, keys, Flaky(failures: 2), maxAttempts: 3)
      #expect(outcome == SubscriptionOutcome(end: .finished, handled: 5, failed: 0, deadLettered: 0))
      let c = try server.connect()
      #expect(try c.command(["XLEN", keys.deadLetters("g", "a.b")]).int == 0)
      #expect(try pendingCount(c, keys.stream("a.b"), "g") == 0)
    }
  }

  @Test("a handler that always fails: each event dead-lettered once, acknowledged, announced as event.failed")
  func exhausted() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let sent = try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<4)
      let outcome = try run(server, keys, Flaky(failures: 99), maxAttempts: 3)
      #expect(outcome == SubscriptionOutcome(end: .finished, handled: 0, failed: 0, deadLettered: 4))
      let c = try server.connect()
      let dlq = try c.command(["XRANGE", keys.deadLetters("g", "a.b"), "-", "+"]).array!
      #expect(dlq.count == 4)
      let fields = dlq.map { entry -> [String: String] in
        let flat = entry.array![1].array!.map { $0.string! }
        return Dictionary(uniqueKeysWithValues: stride(from: 0, to: flat.count, by: 2).map { (flat[$0], flat[$0 + 1]) })
      }
      #expect(fields.map { $0["event"]! } == sent.map(\.rawString))
      #expect(fields.allSatisfy { $0["error"] == "boom 3" && $0["attempts"] == "3" && $0["group"] == "g" })
      #expect(try pendingCount(c, keys.stream("a.b"), "g") == 0)
      let failed = try c.command(["XRANGE", keys.stream("event.failed"), "-", "+"]).array!
      #expect(failed.count == 4)
      let first = try Envelope.decode(failed[0].array![1].array![1].bytes!)
      #expect(first.header("causationId") == sent[0].id)
      #expect(first.data["event"]?["id"] == .string(sent[0].id))
    }
  }

  @Test("a permanent failure is dead-lettered after one attempt")
  func permanent() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<2)
      let handler = Flaky(failures: 99, permanent: true)
      let outcome = try run(server, keys, handler, maxAttempts: 5)
      #expect(outcome.deadLettered == 2)
      #expect(handler.attempts.values.allSatisfy { $0 == 1 })
    }
  }
}
