import EvtBus
import Testing

@testable import EvtDashboard

@Suite struct MarkupTests {
  @Test func interpolatedTextIsEscaped() {
    let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>'&"#
    let m: Markup = "<td title=\"\(hostile)\">\(hostile)</td>"
    #expect(!m.html.contains("<script>"))
    #expect(!m.html.contains("<img"))
    #expect(!m.html.contains("\"><"))
    #expect(m.html.hasPrefix("<td title=\"&lt;script&gt;"))
    #expect(m.html.contains("&#39;&amp;</td>"))
  }

  @Test func controlCharactersAreReplaced() {
    #expect(Markup.escape("a\u{0}b\u{1B}[31mc\td\ne") == "a\u{FFFD}b\u{FFFD}[31mc\td\ne")
  }

  @Test func urlComponentsAreEncoded() {
    #expect(Markup.url(["type"], [("type", "a b&c=d/e?#\"'<"), ("none", nil)]) == "/type?type=a%20b%26c%3Dd%2Fe%3F%23%22%27%3C")
    #expect(Markup.component("user.created-x_y~") == "user.created-x_y~")
  }

  @Test func formsDecode() {
    let f = Form("a=1&b=x+y%20z&letter=p&letter=q&bad=%zz&empty=")
    #expect(f["a"] == "1")
    #expect(f["b"] == "x y z")
    #expect(f.all("letter") == ["p", "q"])
    #expect(f["bad"] == "%zz")
    #expect(f["empty"] == nil)
    #expect(f["missing"] == nil)
  }

  @Test func deadLetterReferencesRoundTrip() throws {
    let d = DeadLetter(
      group: "mail/er", key: "evt:{a.b}:dlq:mail/er", dlqID: StreamID(milliseconds: 5, sequence: 1), event: nil,
      fields: ["type": "a.b"])
    let r = DeadLettersPage.parseReference(DeadLettersPage.reference(d))
    #expect(r?.group == "mail/er")
    #expect(r?.type == "a.b")
    #expect(r?.id == StreamID(milliseconds: 5, sequence: 1))
    #expect(DeadLettersPage.parseReference("a/b") == nil)
    #expect(DeadLettersPage.parseReference("a/b/not-an-id") == nil)
  }
}

@Suite struct AccessTests {
  let access = Access(token: "t0ken-t0ken-t0ken", allowActions: true, pagesNeedToken: false)

  @Test func tokenFromHeaderOrCookie() {
    #expect(Access.presented(authorization: "Bearer abc", cookieHeader: nil) == "abc")
    #expect(Access.presented(authorization: nil, cookieHeader: "x=1; evt_dashboard=abc; y=2") == "abc")
    #expect(Access.presented(authorization: "Basic abc", cookieHeader: "other=abc") == nil)
    #expect(access.isToken("t0ken-t0ken-t0ken"))
    #expect(!access.isToken("t0ken-t0ken-t0keN"))
    #expect(!access.isToken(nil))
  }

  @Test func csrfBelongsToTheSessionAndTheRun() {
    let mine = access.csrf(for: "t0ken-t0ken-t0ken")
    #expect(access.isCSRF(mine, for: "t0ken-t0ken-t0ken"))
    #expect(!access.isCSRF(mine, for: nil))
    #expect(!access.isCSRF(access.csrf(for: nil), for: "t0ken-t0ken-t0ken"))
    let restarted = Access(token: "t0ken-t0ken-t0ken", allowActions: true, pagesNeedToken: false)
    #expect(!restarted.isCSRF(mine, for: "t0ken-t0ken-t0ken"))
    #expect(!access.isCSRF(nil, for: "t0ken-t0ken-t0ken"))
  }

  @Test func onlyLocalPathsAfterLogin() {
    #expect(Access.localPath("/type?type=a") == "/type?type=a")
    #expect(Access.localPath("//evil.example/") == "/")
    #expect(Access.localPath("https://evil.example/") == "/")
    #expect(Access.localPath("/\\evil") == "/")
    #expect(Access.localPath(nil) == "/")
  }

  @Test func generatedTokensAreLongAndFresh() {
    let a = DashboardSettings.randomToken()
    #expect(a.count == 64)
    #expect(a.allSatisfy { $0.isHexDigit })
    #expect(a != DashboardSettings.randomToken())
  }
}

@Suite struct GroupStateTests {
  func settings() throws -> DashboardSettings {
    DashboardSettings(
      host: "127.0.0.1", port: 0, allowActions: false, token: "x", tokenGenerated: true, pagesNeedToken: false,
      intervalMilliseconds: 1000, check: try StatsCheck("lag<100"), warn: try StatsCheck("lag<10,dlq=0"),
      connect: { () throws(BusError) in throw BusError(.unavailable, "no Redis in this test") }, keys: try Keys(namespace: "t"))
  }

  @Test func thresholdsMakeTheState() throws {
    var t = TypeStats(type: "a.b", length: 5, lastMinute: 0)
    t.groups = [
      GroupStats(name: "ok", lag: 1, pending: 0), GroupStats(name: "behind", lag: 50, pending: 0),
      GroupStats(name: "far", lag: 500, pending: 0), GroupStats(name: "dead", lag: 0, pending: 0),
    ]
    t.deadLetters = [DeadLetterStats(group: "dead", size: 2, oldest: nil)]
    let s = try settings()
    #expect(GroupState.of("ok", on: t, s).0 == .green)
    #expect(GroupState.of("behind", on: t, s).0 == .amber)
    #expect(GroupState.of("far", on: t, s).0 == .red)
    let (state, reasons) = GroupState.of("dead", on: t, s)
    #expect(state == .amber)
    #expect(reasons == ["dlq=0: dead letters of group dead on a.b is 2"])
  }
}

/// Pages rendered with hostile names and content: everything escaped, nothing of Swift's
/// own descriptions on the page.
@Suite struct PageTests {
  static let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(2)></script>"#

  func context(loggedIn: Bool) -> PageContext {
    let access = Access(token: "t0ken-t0ken-t0ken", allowActions: true, pagesNeedToken: false)
    return PageContext(
      access: access, loggedIn: loggedIn, csrf: access.csrf(for: loggedIn ? "t0ken-t0ken-t0ken" : nil), namespace: "n<s>",
      intervalSeconds: 5)
  }

  func assertSafe(_ m: Markup, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!m.html.contains("<script>"), sourceLocation: sourceLocation)
    #expect(!m.html.contains("<img"), sourceLocation: sourceLocation)
    #expect(!m.html.contains("Markup("), sourceLocation: sourceLocation)
    #expect(!m.html.contains("&lt;li"), sourceLocation: sourceLocation)
    #expect(!m.html.contains("&lt;a href"), sourceLocation: sourceLocation)
    #expect(m.html.contains("<script src=\"/assets/dashboard.js\" defer></script>"), sourceLocation: sourceLocation)
  }

  func letter() -> DeadLetter {
    var data: [UInt8] = []
    JSON.writeString(Self.hostile, to: &data)
    let envelope =
      #"{"id":"e-1","type":"a.b","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":{"x":"#
      + String(decoding: data, as: UTF8.self) + "}}"
    return DeadLetter(
      group: "g" + Self.hostile, key: "k", dlqID: StreamID(milliseconds: 1, sequence: 0), event: Array(envelope.utf8),
      fields: ["type": "a.b", "error": Self.hostile, "attempts": "3"])
  }

  @Test func overview() throws {
    var t = TypeStats(type: "a.b", length: 3, lastMinute: 1)
    t.groups = [GroupStats(name: "g" + Self.hostile, lag: 5, pending: 1)]
    t.deadLetters = [DeadLetterStats(group: "g" + Self.hostile, size: 2, oldest: nil)]
    let snapshot = Snapshot(time: EventTime(milliseconds: 120_000), types: [t], error: "boom " + Self.hostile)
    let m = OverviewPage.render(snapshot, try GroupStateTests().settings(), context(loggedIn: false))
    assertSafe(m)
    #expect(m.html.contains("data-state=\"amber\""))
    #expect(m.html.contains("<a href=\"/dead-letters?group=g%3Cscript%3E"))
  }

  @Test func deadLettersAndConfirmation() {
    let d = letter()
    let m = DeadLettersPage.render(
      DeadLettersPage.Filter(Form("error=" + Markup.component(Self.hostile))),
      queues: [(DeadLetterStats(group: d.group, size: 1, oldest: nil), "a.b", Queries.DeadLetterPage(letters: [d]))],
      done: nil, Snapshot(time: EventTime(milliseconds: 0)), context(loggedIn: true))
    assertSafe(m)
    #expect(m.html.contains("name=\"letter\""))
    #expect(m.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    let readOnly = DeadLettersPage.render(
      DeadLettersPage.Filter(Form("")),
      queues: [(DeadLetterStats(group: d.group, size: 1, oldest: nil), "a.b", Queries.DeadLetterPage(letters: [d]))],
      done: nil, Snapshot(time: EventTime(milliseconds: 0)), context(loggedIn: false))
    assertSafe(readOnly)
    #expect(!readOnly.html.contains("name=\"letter\""))
    let confirm = ConfirmPage.render(
      action: "purge-selected", letters: [d], form: Form("do=purge-selected&letter=" + Markup.component(Self.hostile)),
      context(loggedIn: true))
    assertSafe(confirm)
    #expect(confirm.html.contains("for good"))
  }

  @Test func groupAndLogin() throws {
    var t = TypeStats(type: "a.b", length: 3, lastMinute: 1)
    t.groups = [GroupStats(name: "g", lag: 5, pending: 1)]
    let snapshot = Snapshot(time: EventTime(milliseconds: 120_000), types: [t])
    let detail = Queries.GroupDetail(
      consumers: [ConsumerStats(name: Self.hostile, pending: 1, idleMilliseconds: 5)],
      pending: [(StreamID(milliseconds: 1, sequence: 0), Self.hostile, 5, 2)])
    assertSafe(
      GroupPage.render(type: "a.b", group: "g", detail: detail, snapshot, try GroupStateTests().settings(), context(loggedIn: false)))
    assertSafe(LoginPage.render(next: "/\"><script>", failed: true, context(loggedIn: false)))
  }
}
