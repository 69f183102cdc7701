import EvtBus
import EvtRedis
import EvtTestSupport
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

@Suite("User service")
struct UserServiceTests {
  @Test("valid and invalid addresses and names")
  func validation() throws {
    for good in ["a@b.co", "Ada.Lovelace+evt@mail.example.com", "x_y-z@a-b.example", "o'hara@example.ie"] {
      #expect(throws: Never.self, "\(good)") { _ = try UserValidation.email(good) }
    }
    for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@@b.co", "a@b..co", ".a@b.co", "a.@b.co", "a@-b.co", "a@b.123", "\"a\"@b.co"] {
      #expect(throws: BusError.self, "\(bad)") { _ = try UserValidation.email(bad) }
    }
    #expect(try UserValidation.email("  ada@example.com\n") == "ada@example.com")
    #expect(try UserValidation.name("  Ada  ") == "Ada")
    #expect(try UserValidation.name("Zoë Ñandú") == "Zoë Ñandú")
    for bad in ["", "   ", String(repeating: "x", count: 201), "a\u{7}b"] {
      #expect(throws: BusError.self) { _ = try UserValidation.name(bad) }
    }
    #expect(UserValidation.indexKey(" Ada@Example.COM ") == "ada@example.com")
  }

  @Test("create writes user, index and event together; a taken address or id writes nothing")
  func create() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let store = UserStore(connection: c, keys: keys)
      let (user, event) = try store.create(name: "Ada", email: "Ada@Example.com", headers: [("correlationId", "k")])
      #expect(event.type == "user.created" && event.header("correlationId") == "k" && event.header("source") == "evt create-user")
      #expect(ServiceTypes.contracts.violation(of: event) == nil)
      #expect(try store.user(id: user.id) == user)
      #expect(try store.user(email: "ADA@example.com") == user)
      #expect(try store.find(user.id) == user && store.find("nobody@example.com") == nil)
      let stored = try c.command(["XRANGE", keys.stream("user.created"), "-", "+"]).array ?? []
      #expect(stored.count == 1)
      let keysBefore = try c.command(["DBSIZE"]).int
      do {
        _ = try store.create(name: "Other", email: "ada@EXAMPLE.com")
        Issue.record("a duplicate address was accepted")
      } catch {
        #expect((error as? BusError)?.kind == .conflict)
      }
      do {
        _ = try store.create(name: "Other", email: "other@example.com", id: user.id)
        Issue.record("a duplicate id was accepted")
      } catch {
        #expect((error as? BusError)?.kind == .conflict)
      }
      #expect(try c.command(["DBSIZE"]).int == keysBefore)
      #expect(try c.command(["XLEN", keys.stream("user.created")]).int == 1)
    }
  }
}

@Suite("Mail")
struct MailTests {
  @Test("rendered as RFC 5322 with CRLF; non-ASCII names and subjects as encoded words")
  func render() {
    let mail = Mail(
      from: Mail.Address("shop@example.com", name: "Shop, Inc."), to: Mail.Address("zoe@example.com", name: "Zoë"),
      subject: "Grüße", body: "line 1\nline 2\n", messageID: "e1.welcome@example.com", date: "Fri, 27 Nov 2026 10:00:00 +0000",
      headers: [("X-Evt-Event-Id", "e1")])
    let text = String(decoding: mail.rendered, as: UTF8.self)
    #expect(
      text
        == "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nFrom: \"Shop, Inc.\" <shop@example.com>\r\nTo: =?UTF-8?B?Wm/Dqw==?= <zoe@example.com>\r\n"
        + "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nMessage-ID: <e1.welcome@example.com>\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nX-Evt-Event-Id: e1\r\n\r\nline 1\r\nline 2\r\n")
    #expect(Mail.base64(Array("Man".utf8)) == "TWFu" && Mail.base64(Array("Ma".utf8)) == "TWE=" && Mail.base64([]) == "")
  }

  @Test("Message-IDs and outbox file names are one-to-one with event ids, whatever bytes they hold")
  func naming() {
    let ids = ["a/b", "a:b", "a_b", "a%2Fb", "..", ".", "a..b", "<x>", "a b", String(repeating: "x", count: 200)]
    let messageIDs = ids.map { Mail.messageID(eventID: $0, kind: "welcome", domain: "example.com") }
    #expect(Set(messageIDs).count == ids.count)
    let files = messageIDs.map(OutboxMailer.fileName)
    #expect(Set(files).count == ids.count)
    for f in files {
      #expect(f.utf8.count <= 255 && !f.contains("/") && f.hasSuffix(".eml"), "\(f)")
    }
    #expect(Mail.messageID(eventID: "0b171421-e749", kind: "welcome", domain: "evt.localhost") == "0b171421-e749.welcome@evt.localhost")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test("the date header is RFC 5322")
  func date() {
    #expect(EventTime(milliseconds: 1_795_860_000_000).rfc5322 == "Sat, 28 Nov 2026 10:00:00 +0000")
  }
}

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
    -> EmailWorker
  {
    var options = EmailWorkerOptions()
    options.untilEmpty = true
    options.retry = RetryPolicy(maxAttempts: 3, backoffBase: 0.001, backoffMax: 0.01)
    options.breakerThreshold = 3
    options.breakerCoolDown = 0.1
    configure(&options)
    let url = server.url
    return EmailWorker(
      keys: keys, mailer: mailer, options: options,
      connect: { () throws(BusError) in
        do throws(RedisError) { return try RedisConnection(url: url) } catch { throw BusError(error) }
      }, log: { _ in })
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
      let w = worker(server, keys, mailer) { $0.concurrency = 2 }
      let restore = startThread {
        sleepSeconds(0.8)
        mailer.down.store(false, ordering: .relaxed)
      }
      let outcome = try w.run { false }
      pthread_join(restore, nil)
      #expect(outcome.deadLettered == 0 && outcome.handled == 6)
      #expect(mailer.sent.withLock { $0.count } == 6)
      #expect(Set(mailer.sent.withLock { $0 }).count == 6)
      #expect(try c.command(["EXISTS", keys.deadLetters("email-worker")]).int == 0)
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

@Suite("Addresses")
struct AddressTests {
  @Test("sender addresses parse with or without a display name")
  func parse() {
    #expect(Mail.Address(parsing: "Shop <shop@example.com>") == Mail.Address("shop@example.com", name: "Shop"))
    #expect(Mail.Address(parsing: "\"Shop, Inc.\" <shop@example.com>") == Mail.Address("shop@example.com", name: "Shop, Inc."))
    #expect(Mail.Address(parsing: " shop@example.com ") == Mail.Address("shop@example.com"))
    #expect(Mail.Address(parsing: "<shop@example.com>") == Mail.Address("shop@example.com"))
    #expect(Mail.Address(parsing: "Shop <nobody>") == nil)
    #expect(Mail.Address(parsing: "nobody") == nil)
  }
}

@Suite("Timings")
struct TimingsTests {
  @Test("mean, a p95 upper bound and the max, in bounded memory")
  func summary() {
    let t = Timings()
    #expect(t.summary == nil)
    for ms in 1...100 { t.record(milliseconds: Int64(ms)) }
    let s = t.summary!
    #expect(s.count == 100 && s.meanMilliseconds == 50.5 && s.maxMilliseconds == 100)
    #expect(s.p95Milliseconds >= 95 && s.p95Milliseconds <= 100)
    t.record(milliseconds: -3)
    #expect(t.summary!.count == 101)
  }
}

@Suite("Service contracts")
struct ServiceContractTests {
  func envelope(_ type: String, _ data: String) throws -> Envelope {
    try Envelope.create(type: type, data: Array(data.utf8))
  }

  @Test("the built-in contracts name the missing or mistyped field; other fields and other types are free")
  func builtIn() throws {
    let c = ServiceTypes.contracts
    #expect(
      c.violation(of: try envelope("order.placed", #"{"orderId":"1"}"#)) == #"order.placed: data is missing the required field "userId""#)
    #expect(
      c.violation(of: try envelope("order.placed", #"{"orderId":"1","userId":2}"#))
        == #"order.placed: field "userId" must be a string, not a number"#)
    #expect(c.violation(of: try envelope("order.placed", #"{"orderId":"1","userId":"2","items":[],"total":3.5,"x":{}}"#)) == nil)
    #expect(c.violation(of: try envelope("order.placed", #"[1]"#)) == "order.placed: data must be an object, not an array")
    #expect(c.violation(of: try envelope("user.created", #"{"userId":"1","email":"a@b.c","name":"A"}"#)) == nil)
    #expect(
      c.violation(of: try envelope("email.sent", #"{"userId":"1","type":"x","recipient":"a@b.c","messageId":"m"}"#))?.contains(
        "one of welcome, order_confirmation") == true)
    #expect(c.violation(of: try envelope("something.else", "1")) == nil)
    let failed = #"{"event":null,"error":"e","permanent":true,"attempts":1,"group":"g","stream":"s","entryId":"1-0"}"#
    #expect(c.violation(of: try envelope("event.failed", failed)) == nil)
    #expect(c.violation(of: try envelope("event.failed", failed.replacing(#""attempts":1"#, with: #""attempts":1.5"#))) != nil)
    #expect(EventContracts.none.violation(of: try envelope("order.placed", "1")) == nil)
  }
}
