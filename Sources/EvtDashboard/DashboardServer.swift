import Dispatch
import EvtBus
import EvtRedis
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

#if canImport(Glibc)
  import Glibc
#endif

/// `evt dashboard`'s web server: server-rendered pages over the figures of a ``Poller``,
/// on-demand queries on ``RedisWork`` threads, the live tail of ``LiveTail``, and replay and
/// purge through ``DeadLetterStore`` (the code of `evt replay-dlq`).
///
/// Every response carries a strict Content-Security-Policy (scripts and styles only from the
/// dashboard itself, nothing inline, no framing), `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Request bodies over
/// ``maxBody`` are refused; connections idle for ``idleSeconds`` are closed; at most
/// ``DashboardSettings/maxConnections`` are open at once. On a loopback listener, requests
/// naming another host (DNS rebinding) are refused.
public final class DashboardServer: Sendable {
  let settings: DashboardSettings
  let access: Access
  let poller: Poller
  let work: RedisWork
  let live: LiveTail
  static let maxBody = 64 * 1024
  static let idleSeconds: Int64 = 30

  public init(settings: DashboardSettings) {
    self.settings = settings
    access = Access(token: settings.token, allowActions: settings.allowActions, pagesNeedToken: settings.pagesNeedToken)
    poller = Poller(settings: settings)
    work = RedisWork(connect: settings.connect)
    live = LiveTail(settings: settings)
  }

  /// Polls Redis once (so an unreachable Redis fails here), binds, calls `listening` with the
  /// address bound, and serves until SIGINT or SIGTERM.
  public func run(listening: @escaping @Sendable (_ host: String, _ port: Int) -> Void) throws {
    try poller.start()
    Self.raiseFileLimit()
    let router = Router()
    router.middlewares.add(Guard(server: self))
    routes(router)
    let logger = Logger(label: "evt-dashboard", factory: { _ in SwiftLogNoOpLogHandler() })
    let app = Application(
      router: router,
      server: .http1(configuration: .init(idleTimeout: .seconds(Self.idleSeconds))),
      configuration: .init(
        address: .hostname(settings.host, port: settings.port), backlog: 1024,
        availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)),
      onServerRunning: { [settings] channel in listening(settings.host, channel.localAddress?.port ?? settings.port) },
      logger: logger)
    let failure = Locked<(any Error)?>(nil)
    let done = DispatchSemaphore(value: 0)
    // SIGINT, SIGTERM and SIGHUP end the process at once: a live tail never ends by itself, so a
    // graceful shutdown would wait for its clients; every action is atomic per dead letter.
    signal(SIGINT) { _ in _exit(0) }
    signal(SIGTERM) { _ in _exit(0) }
    signal(SIGHUP) { _ in _exit(0) }
    Task {
      do { try await app.runService(gracefulShutdownSignals: []) } catch { failure.withLock { $0 = error } }
      done.signal()
    }
    done.wait()
    if let error = failure.withLock({ $0 }) {
      throw BusError(.unavailable, "evt dashboard: cannot listen on \(settings.host):\(settings.port): \(error)")
    }
  }

  /// Each connection is a descriptor: allow as many as the hard limit does.
  private static func raiseFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = min(limit.rlim_max, 65536)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  }

  // MARK: - Routes

  private func routes(_ router: Router<BasicRequestContext>) {
    router.get("/") { [self] request, _ in
      let snapshot = poller.snapshot
      return Self.html(OverviewPage.render(snapshot, settings, page(request)))
    }
    router.get("/type") { [self] request, _ in
      let form = Self.query(request)
      guard let type = knownType(form) else {
        return Self.html(Layout.message("No such type", "Give a type like /type?type=user.created.", page(request)), .notFound)
      }
      let q = Queries.EventQuery(
        before: form["before"].flatMap { StreamID($0) }, from: form["from"].flatMap { EventTime(iso: $0) },
        to: form["to"].flatMap { EventTime(iso: $0) }, eventID: form["id"], correlationID: form["correlation"])
      let keys = settings.keys
      let (events, schema) = try await work.run { (c) throws(BusError) in
        (try Queries.events(c, keys, type: type, q), try Queries.schema(c, keys, type: type))
      }
      return Self.html(TypePage.render(type: type, q, page: events, schema: schema, poller.snapshot, page(request)))
    }
    router.get("/live") { [self] request, _ in
      guard let type = knownType(Self.query(request)) else { return Response(status: .notFound) }
      guard let stream = live.subscribe(type) else {
        return Self.text("too many live clients (at most \(settings.maxLiveClients)); try again later\n", .serviceUnavailable)
      }
      var headers = HTTPFields()
      headers[.contentType] = "text/event-stream; charset=utf-8"
      return Response(
        status: .ok, headers: headers,
        body: ResponseBody { writer in
          for await message in stream { try await writer.write(ByteBuffer(bytes: message)) }
          try await writer.finish(nil)
        })
    }
    router.get("/group") { [self] request, _ in
      let form = Self.query(request)
      guard let type = form["type"], let group = form["group"] else {
        return Self.html(Layout.message("No such group", "Give a type and a group.", page(request)), .notFound)
      }
      let keys = settings.keys
      let detail = try await work.run { (c) throws(BusError) in try Queries.group(c, keys, type: type, group: group) }
      let context = page(request)
      return Self.html(GroupPage.render(type: type, group: group, detail: detail, poller.snapshot, settings, context))
    }
    router.get("/dead-letters") { [self] request, _ in
      let form = Self.query(request)
      let filter = DeadLettersPage.Filter(form)
      let snapshot = poller.snapshot
      var chosen: [(DeadLetterStats, String)] = []
      for t in snapshot.types {
        for d in t.deadLetters where filter.matches(group: d.group, type: t.type) { chosen.append((d, t.type)) }
      }
      let queues = Array(chosen.prefix(DeadLettersPage.maxQueues))
      let one = queues.count == 1
      let before = one ? form["before"].flatMap { StreamID($0) } : nil
      let keys = settings.keys
      let pages = try await work.run { (c) throws(BusError) in
        var out: [(stats: DeadLetterStats, type: String, page: Queries.DeadLetterPage)] = []
        for (stats, type) in queues {
          let page = try Queries.deadLetters(
            c, keys, group: stats.group, type: type, errorText: filter.error, before: before,
            count: one ? Queries.pageSize : DeadLettersPage.perQueue)
          out.append((stats, type, page))
        }
        return out
      }
      var done: String?
      if let n = form["replayed"].flatMap({ Int($0) }) {
        done = "Replayed \(n) dead letter\(n == 1 ? "" : "s")."
        if let skipped = form["skipped"].flatMap({ Int($0) }) { done! += " \(skipped) could not be replayed (not envelopes: purge them)." }
      } else if let n = form["purged"].flatMap({ Int($0) }) {
        done = "Purged \(n) dead letter\(n == 1 ? "" : "s")."
      }
      return Self.html(DeadLettersPage.render(filter, queues: pages, done: done, snapshot, page(request)))
    }
    router.post("/dead-letters/confirm") { [self] request, _ in
      let (form, context) = try await action(request)
      let (what, letters, _) = try await resolve(form)
      return Self.html(ConfirmPage.render(action: what, letters: letters, form: form, context))
    }
    router.post("/dead-letters/apply") { [self] request, _ in
      let (form, _) = try await action(request)
      let (what, letters, group) = try await resolve(form)
      let keys = settings.keys
      var query = DeadLettersPage.Filter(form).query
      if what.hasPrefix("purge") {
        let n = try await work.run { (c) throws(BusError) in try DeadLetterStore(connection: c, keys: keys).purge(letters) }
        query.append(("purged", String(n)))
      } else {
        let outcome = try await work.run { (c) throws(BusError) in
          try DeadLetterStore(connection: c, keys: keys).replayAll(letters, group: group)
        }
        query.append(("replayed", String(outcome.replayed)))
        if !outcome.skipped.isEmpty { query.append(("skipped", String(outcome.skipped.count))) }
      }
      return Self.redirect(Markup.url(["dead-letters"], query))
    }
    router.get("/login") { [self] request, _ in
      Self.html(LoginPage.render(next: Access.localPath(Self.query(request)["next"]), failed: false, page(request)))
    }
    router.post("/login") { [self] request, _ in
      let form = try await Self.body(request)
      guard access.isCSRF(form["csrf"], for: nil) else { throw Refusal.csrf }
      let next = Access.localPath(form["next"])
      guard access.isToken(form["token"]) else {
        return Self.html(LoginPage.render(next: next, failed: true, page(request)), .unauthorized)
      }
      var response = Self.redirect(next)
      response.headers[.setCookie] = "\(Access.cookie)=\(settings.token); Path=/; HttpOnly; SameSite=Strict"
      return response
    }
    router.post("/logout") { [self] request, _ in
      let form = try await Self.body(request)
      guard access.isCSRF(form["csrf"], for: session(request)) else { throw Refusal.csrf }
      var response = Self.redirect("/")
      response.headers[.setCookie] = "\(Access.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
      return response
    }
    router.get("/assets/dashboard.css") { _, _ in Self.asset(Assets.css, "text/css; charset=utf-8") }
    router.get("/assets/dashboard.js") { _, _ in Self.asset(Assets.js, "text/javascript; charset=utf-8") }
    router.get("/assets/icon.svg") { _, _ in Self.asset(Assets.icon, "image/svg+xml") }
    router.get("/favicon.ico") { _, _ in Self.asset(Assets.icon, "image/svg+xml") }
  }

  // MARK: - Requests

  /// Why a request is refused; each becomes a page with its status.
  enum Refusal: Error {
    case readOnly, noToken, csrf, badRequest(String), wrongHost, tooLarge, busy
  }

  /// The token the request carries, when it is the right one.
  func session(_ request: Request) -> String? {
    let given = Access.presented(authorization: request.headers[.authorization], cookieHeader: request.headers[.cookie])
    return access.isToken(given) ? given : nil
  }

  func page(_ request: Request) -> PageContext {
    let s = session(request)
    return PageContext(
      access: access, loggedIn: s != nil, csrf: access.csrf(for: s), namespace: settings.keys.namespace,
      intervalSeconds: Int(max(1, settings.intervalMilliseconds / 1000)))
  }

  /// The form of a state-changing request, after the checks every action needs: actions
  /// allowed, the token, and the session's CSRF token.
  private func action(_ request: Request) async throws -> (Form, PageContext) {
    guard access.allowActions else { throw Refusal.readOnly }
    guard let s = session(request) else { throw Refusal.noToken }
    let form = try await Self.body(request)
    guard access.isCSRF(form["csrf"], for: s) else { throw Refusal.csrf }
    return (form, page(request))
  }

  /// The dead letters an action form means: `one`, the `letter`s selected, or all that match
  /// the filter (every group's when none is given), as `evt replay-dlq` selects them.
  private func resolve(_ form: Form) async throws -> (action: String, letters: [DeadLetter], group: String?) {
    let filter = DeadLettersPage.Filter(form)
    let what: String
    var references: [String] = []
    if let one = form["one"] {
      what = "replay-one"
      references = [one]
    } else if let d = form["do"], ["replay-selected", "purge-selected", "replay-matching", "purge-matching"].contains(d) {
      what = d
      references = form.all("letter")
    } else {
      throw Refusal.badRequest("the form names no action")
    }
    if let group = filter.group {
      do { try GroupConsumer.validateGroupName(group) } catch { throw Refusal.badRequest(error.message) }
    }
    if let type = filter.type {
      do { try EventType.validatePattern(type) } catch { throw Refusal.badRequest(error.message) }
    }
    let keys = settings.keys
    if what.hasSuffix("matching") {
      let letters = try await work.run { (c) throws(BusError) -> [DeadLetter] in
        let store = DeadLetterStore(connection: c, keys: keys)
        var out: [DeadLetter] = []
        let f = DeadLetterFilter(type: filter.type, errorText: filter.error)
        let groups: [String]
        if let group = filter.group { groups = [group] } else { groups = try store.groups() }
        for g in groups { out += try store.list(group: g, filter: f) }
        return out
      }
      return (what, letters, filter.group)
    }
    guard references.count <= 1000 else { throw Refusal.badRequest("select at most 1000 dead letters at a time") }
    var byQueue: [String: (group: String, type: String, ids: [StreamID])] = [:]
    for r in references {
      guard let (group, type, id) = DeadLettersPage.parseReference(r), EventType.isValid(type),
        (try? GroupConsumer.validateGroupName(group)) != nil
      else { throw Refusal.badRequest("a selected dead letter is not one of this dashboard's") }
      byQueue[group + "\u{0}" + type, default: (group, type, [])].ids.append(id)
    }
    let queues = byQueue.values.sorted { ($0.group, $0.type) < ($1.group, $1.type) }
    let letters = try await work.run { (c) throws(BusError) -> [DeadLetter] in
      let store = DeadLetterStore(connection: c, keys: keys)
      var out: [DeadLetter] = []
      for q in queues { out += try store.letters(group: q.group, type: q.type, ids: q.ids) }
      return out.sorted { $0.dlqID < $1.dlqID }
    }
    let groups = Set(letters.map(\.group))
    return (what, letters, groups.count == 1 ? groups.first : nil)
  }

  static func query(_ request: Request) -> Form { Form(Substring(request.uri.query ?? "")) }

  /// The `type` a page asks for: a valid type name, or one the last poll found (a key in
  /// Redis may name a type evt would refuse to publish).
  private func knownType(_ form: Form) -> String? {
    guard let type = form["type"], EventType.isValid(type) || poller.snapshot.type(type) != nil else { return nil }
    return type
  }

  /// A form body (`application/x-www-form-urlencoded`, at most ``maxBody`` bytes).
  static func body(_ request: Request) async throws -> Form {
    guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else {
      throw Refusal.badRequest("send the form as application/x-www-form-urlencoded")
    }
    let buffer: ByteBuffer
    do { buffer = try await request.body.collect(upTo: maxBody) } catch { throw Refusal.tooLarge }
    return Form(Substring(String(buffer: buffer)))
  }

  // MARK: - Responses

  static func html(_ markup: Markup, _ status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "text/html; charset=utf-8"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: markup.html)))
  }

  static func text(_ text: String, _ status: HTTPResponse.Status) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "text/plain; charset=utf-8"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
  }

  static func asset(_ text: String, _ type: String) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
  }

  /// 303 See Other to a local path (after a POST, so reloading does not post again).
  static func redirect(_ path: String) -> Response {
    var headers = HTTPFields()
    headers[.location] = path
    return Response(status: .seeOther, headers: headers)
  }
}

/// Runs around every request: the host check, the token for pages when the listener is not
/// on loopback, refusals and errors as pages, and the security headers on every response.
struct Guard: RouterMiddleware {
  typealias Context = BasicRequestContext
  let server: DashboardServer

  static let policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; "
    + "frame-ancestors 'none'; base-uri 'none'"

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    var response: Response
    do {
      try check(request)
      response = try await next(request, context)
    } catch let refusal as DashboardServer.Refusal {
      response = page(for: refusal, request)
    } catch is RedisWork.Busy {
      response = page(for: .busy, request)
    } catch let error as BusError {
      response = DashboardServer.html(
        Layout.message("Redis could not answer", error.message, server.page(request)), .serviceUnavailable)
    } catch let error as HTTPError {
      let status = error.status
      let text = status == .notFound ? "There is no such page." : "The request could not be served (\(status.code))."
      response = DashboardServer.html(Layout.message(status.reasonPhrase, text, server.page(request)), status)
    } catch {
      response = DashboardServer.html(
        Layout.message("Error", "The request could not be served.", server.page(request)), .internalServerError)
    }
    let headers: [(String, String)] = [
      ("Content-Security-Policy", Self.policy), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
      ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"), ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    for (name, value) in headers { response.headers[HTTPField.Name(name)!] = value }
    return response
  }

  /// Refuses a request for another host on a loopback listener, and a page without the token
  /// when pages need it.
  private func check(_ request: Request) throws {
    let settings = server.settings
    if !settings.pagesNeedToken {
      let host = request.head.authority ?? ""
      let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }.dropFirst()) : String(host.prefix { $0 != ":" })
      guard ["127.0.0.1", "localhost", "::1", settings.host].contains(name) || name.hasPrefix("127.") else {
        throw DashboardServer.Refusal.wrongHost
      }
      return
    }
    let path = request.uri.path
    if path == "/login" || path.hasPrefix("/assets/") || server.session(request) != nil { return }
    throw DashboardServer.Refusal.noToken
  }

  private func page(for refusal: DashboardServer.Refusal, _ request: Request) -> Response {
    let context = server.page(request)
    switch refusal {
    case .readOnly:
      return DashboardServer.html(
        Layout.message("Read-only", "This dashboard is read-only: start it with --allow-actions to replay or purge.", context), .forbidden)
    case .noToken:
      if request.method == .get {
        return DashboardServer.redirect(Markup.url(["login"], [("next", request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))]))
      }
      return DashboardServer.html(
        Layout.message("Log in first", "This needs the dashboard's token.", context, link: ("/login", "Log in")), .unauthorized)
    case .csrf:
      return DashboardServer.html(
        Layout.message(
          "Form expired", "The form did not come from this dashboard, or the dashboard restarted since: reload the page and try again.",
          context), .forbidden)
    case .badRequest(let why):
      return DashboardServer.html(Layout.message("Bad request", why, context), .badRequest)
    case .wrongHost:
      return DashboardServer.text("this dashboard answers on its own address only\n", .misdirectedRequest)
    case .tooLarge:
      return DashboardServer.text("request too large\n", .contentTooLarge)
    case .busy:
      return DashboardServer.text("too busy; try again\n", .serviceUnavailable)
    }
  }
}
