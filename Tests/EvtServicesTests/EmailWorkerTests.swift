import EvtBus
import EvtRedis
import EvtTestSupport
import Logging
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

/// A mailer that records what it sent and fails while `down` is set (a real outbox behind it).
final class SwitchableMailer: Mailer, @unchecked Sendable {
  let sent = Locked<[String]>([])
  let down = Atomic<Bool>(false)
  let refuse = Atomic<Bool>(false)
  var destination: String { "test" }
  func send(_ mail: Mail) throws(MailError) {
    if down.load(ordering: .relaxed) { throw MailError("connection refused") }
    if refuse.load(ordering: .relaxed) { throw MailError("550 no such mailbox", permanent: true) }
    sent.withLock { $0.append(mail.messageID) }
  }
}

@Suite("Email worker")
struct EmailWorkerTests {
  func worker(_ server: RedisServer, _ keys: Keys, _ mailer: any Mailer, _ configure: (inout EmailWorkerOptions) -> Void = { _ in })
    throws -> EmailWorker
  {
    var options = EmailWorkerOptions()
    options.untilEmpty = true
    options.retry = RetryPolicy(maxAttempts: 3, backoffBase: 0.001, backoffMax: 0.01)
    options.breakerThreshold = 3
    options.breakerCoolDown = 0.1
    configure(&options)
    let url = server.url
    return try EmailWorker(
      keys: keys, mailer: mailer, options: options,
      connect: { () throws(BusError) in
        do throws(RedisError) { return try RedisConnection(url: url) } catch { throw BusError(error) }
      }, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
  }

  @Test("welcome mails and order confirmations, each once, even when the events are delivered again")
  func mailsOnce() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let store = UserStore(connection: c, keys: keys)
      let ada = try store.create(name: "Ada", email: "ada@example.com").user
      _ = try Publisher(connection: c, keys: keys).publish(
        try Envelope.create(type: "order.placed", data: Array(#"{"orderId":"o1","userId":"\#(ada.id)"}"#.utf8)))
      let mailer = SwitchableMailer()
      let outcome = try worker(server, keys, mailer) { $0.concurrency = 3 }.run { false }
      #expect(outcome.handled == 2 && outcome.deadLettered == 0)
      #expect(mailer.sent.withLock { $0.count } == 2)
      // The same events again (as a replay would bring them): acknowledged, not mailed.
      _ = try c.command(["XGROUP", "SETID", keys.stream("user.created"), "email-worker", "0"])
      _ = try c.command(["XGROUP", "SETID", keys.stream("order.placed"), "email-worker", "0"])
      _ = try worker(server, keys, mailer).run { false }
      #expect(mailer.sent.withLock { $0.count } == 2)
      #expect(try c.command(["XLEN", keys.stream("email.sent")]).int == 2)
    }
  }

  @Test("a mailer outage opens the circuit; events wait instead of being dead-lettered, then go out once")
  func outage() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let store = UserStore(connection: c, keys: keys)
      for i in 0..<6 { _ = try store.create(name: "U\(i)", email: "u\(i)@example.com") }
      let mailer = SwitchableMailer()
      mailer.down.store(true, ordering: .relaxed)
      let w = try worker(server, keys, mailer) { $0.concurrency = 2 }
      let restore = startThread {
        sleepSeconds(0.8)
        mailer.down.store(false, ordering: .relaxed)
      }
      let outcome = try w.run { false }
      pthread_join(restore, nil)
      #expect(outcome.deadLettered == 0 && outcome.handled == 6)
      #expect(mailer.sent.withLock { $0.count } == 6)
      #expect(Set(mailer.sent.withLock { $0 }).count == 6)
      #expect(try DeadLetterStore(connection: c, keys: keys).groups().isEmpty)
    }
  }

  @Test("a refused message and an order for an unknown user are dead-lettered at once, naming why")
  func permanent() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      _ = try Publisher(connection: c, keys: keys).publish(
        try Envelope.create(type: "order.placed", data: Array(#"{"orderId":"o9","userId":"u-404"}"#.utf8)))
      let mailer = SwitchableMailer()
      let outcome = try worker(server, keys, mailer).run { false }
      #expect(outcome.deadLettered == 1)
      let letters = try DeadLetterStore(connection: c, keys: keys).list(group: "email-worker", filter: DeadLetterFilter())
      #expect(letters.first?.error == "order o9: unknown user u-404")

      _ = try UserStore(connection: c, keys: keys).create(name: "Bo", email: "bo@example.com")
      mailer.refuse.store(true, ordering: .relaxed)
      let refused = try worker(server, keys, mailer).run { false }
      #expect(refused.deadLettered == 1 && mailer.sent.withLock { $0.isEmpty })
    }
  }
}
