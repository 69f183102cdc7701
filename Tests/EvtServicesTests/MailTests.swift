import EvtBus
import EvtRedis
import EvtTestSupport
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

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
