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
    #expect(m.html.contains("&#39;&amp;&quot;"))
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
