import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// A small HTTP listener on a thread of its own for a long-running consumer:
///
/// - `GET /metrics`: the ``BusMetrics`` in Prometheus' text format (lag and pending as the
///   ``ReadinessProbe`` last read them);
/// - `GET /healthz`: 200 while the process runs (liveness), answered from memory at once;
/// - `GET /readyz`: 200 when the consumer is connected, its group exists on its streams and
///   its circuit breaker is not open; otherwise 503 with the reasons on one line. Answered from
///   what the probe keeps current, never by asking Redis inside the request.
///
/// One thread serves every connection with `poll()`, so a slow client holds up only itself:
/// each connection has one deadline of ``deadline`` seconds for its whole request and reply,
/// at most ``maxConnections`` are open at once (the oldest idle one is closed to make room),
/// requests over 8 KiB get 431, a request line that is not HTTP or a bare-LF request gets
/// 400, methods other than GET and HEAD get 405. Nothing it is sent reaches a log.
package final class OpsServer: @unchecked Sendable {
  package let metrics: BusMetrics
  package let probe: ReadinessProbe
  private let fd: Int32
  /// The address it listens on, like `127.0.0.1:9464` (the port the kernel chose for port 0).
  package let address: String
  /// Seconds a connection may take for its request and the reply.
  package static let deadline = 2.0
  /// Connections served at once.
  package static let maxConnections = 256
  /// The largest request accepted.
  package static let maxRequest = 8192

  /// Binds `HOST:PORT` (`[::1]:PORT` for IPv6; port 0 for any free port; `:PORT` is loopback,
  /// `0.0.0.0:PORT` every interface) now, so a bad or busy address fails before the consumer
  /// starts.
  package init(address text: String, metrics: BusMetrics, probe: ReadinessProbe) throws(BusError) {
    self.metrics = metrics
    self.probe = probe
    let (host, port) = try ListenAddress.parse(text, option: "--metrics-addr", port: 9464)
    var hints = addrinfo()
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &found)
    guard status == 0, let info = found else {
      throw BusError(.invalidArgument, "--metrics-addr \(JSON.quoted(text)): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(found) }
    let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { throw BusError(.unavailable, "--metrics-addr: cannot open a socket: \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 128) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw BusError(.invalidArgument, "--metrics-addr \(JSON.quoted(text)): cannot listen: \(reason)")
    }
    self.fd = fd
    var bound = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let boundPort = withUnsafeMutablePointer(to: &bound) { p -> UInt16 in
      p.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
      if Int32(p.pointee.ss_family) == AF_INET6 {
        return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
      }
      return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
    }
    address = (host.contains(":") ? "[\(host)]" : host) + ":\(boundPort)"
  }

  /// One client connection: what it sent, the reply being written, its deadline.
  private struct Connection {
    let fd: Int32
    let deadline: Int64
    var request: [UInt8] = []
    var reply: [UInt8]?
    var written = 0
  }

  /// Serves requests on a thread of its own until the process exits; starts the probe.
  package func start() {
    probe.start()
    _ = startThread { [self] in
      var connections: [Connection] = []
      var fds: [pollfd] = []
      var chunk = [UInt8](repeating: 0, count: 4096)
      while true {
        fds.removeAll(keepingCapacity: true)
        fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        for c in connections { fds.append(pollfd(fd: c.fd, events: Int16(c.reply == nil ? POLLIN : POLLOUT), revents: 0)) }
        let now = EventTime.now().milliseconds
        let wait = connections.map { max(0, $0.deadline - now) }.min().map { Int32(min($0, 1000)) } ?? 1000
        if poll(&fds, nfds_t(fds.count), wait) < 0 && errno != EINTR { sleepSeconds(0.01) }
        for i in connections.indices where fds[i + 1].revents != 0 { step(&connections[i], &chunk) }
        let after = EventTime.now().milliseconds
        connections.removeAll { c in
          let done = c.reply.map { c.written >= $0.count } ?? false
          if done || c.fd < 0 || after >= c.deadline {
            if c.fd >= 0 { close(c.fd) }
            return true
          }
          return false
        }
        if fds[0].revents != 0 { acceptAll(&connections) }
      }
    }
  }

  private func acceptAll(_ connections: inout [Connection]) {
    while true {
      let client = accept(fd, nil, nil)
      if client < 0 {
        if errno == EINTR || errno == ECONNABORTED { continue }
        return  // EAGAIN: no more waiting; EMFILE and the like: try again on the next turn
      }
      _ = fcntl(client, F_SETFD, FD_CLOEXEC)
      _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
      if connections.count >= Self.maxConnections {
        // Room for the new one: the connection that has sent the least goes.
        if let i = connections.indices.min(by: { connections[$0].request.count < connections[$1].request.count }) {
          close(connections[i].fd)
          connections.remove(at: i)
        }
      }
      connections.append(Connection(fd: client, deadline: EventTime.now().milliseconds + Int64(Self.deadline * 1000)))
    }
  }

  /// Reads what a connection sent (and answers once the request is whole) or writes its reply.
  private func step(_ c: inout Connection, _ chunk: inout [UInt8]) {
    if let reply = c.reply {
      let n = reply.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.written, $0.count - c.written, Int32(MSG_NOSIGNAL)) }
      if n > 0 { c.written += n } else if n < 0 && errno != EAGAIN && errno != EINTR { c.written = reply.count }
      return
    }
    let n = chunk.withUnsafeMutableBytes { read(c.fd, $0.baseAddress, $0.count) }
    if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
      close(c.fd)
      c = Connection(fd: -1, deadline: c.deadline)
      return
    }
    guard n > 0 else { return }
    c.request += chunk[0..<n]
    if let answer = answer(c.request) {
      c.reply = answer
      c.request = []
      step(&c, &chunk)
    }
  }

  /// The reply to a request, or `nil` while it is not whole yet.
  func answer(_ request: [UInt8]) -> [UInt8]? {
    guard let end = request.headerEnd else {
      if request.count >= Self.maxRequest { return reply(431, "request too large\n") }
      if request.contains(0x0A) && !request.hasCRLFLines { return reply(400, "bad request: lines must end with CRLF\n") }
      return nil
    }
    if end > Self.maxRequest { return reply(431, "request too large\n") }
    let line = request.prefix { $0 != 0x0D && $0 != 0x0A }.split(separator: 0x20, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    guard line.count == 3, line[2].hasPrefix("HTTP/1.") else { return reply(400, "bad request\n") }
    let head = line[0] == "HEAD"
    guard line[0] == "GET" || head else { return reply(405, "only GET and HEAD\n", head: head) }
    let path = line[1].prefix { $0 != "?" }
    switch path {
    case "/metrics":
      probe.refreshGauges()
      return reply(200, metrics.exposition(), type: "text/plain; version=0.0.4; charset=utf-8", head: head)
    case "/healthz":
      return reply(200, "ok\n", head: head)
    case "/readyz":
      let state = probe.current()
      return reply(state.ready ? 200 : 503, state.ready ? "ready\n" : "not ready: \(state.reason)\n", head: head)
    default:
      return reply(404, "not found (try /metrics, /healthz or /readyz)\n", head: head)
    }
  }

  private func reply(_ status: Int, _ body: String, head: Bool = false) -> [UInt8] {
    reply(status, Array(body.utf8), type: "text/plain; charset=utf-8", head: head)
  }

  private func reply(_ status: Int, _ body: [UInt8], type: String, head: Bool) -> [UInt8] {
    let reason =
      [
        200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Request Header Fields Too Large",
        503: "Service Unavailable",
      ][status] ?? "Error"
    var out = Array(
      "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
    if !head { out += body }
    return out
  }
}

extension [UInt8] {
  /// Where the header ends (just past its blank line, CRLF CRLF), or `nil`.
  fileprivate var headerEnd: Int? {
    guard count >= 4 else { return nil }
    for i in 0...(count - 4) where self[i] == 0x0D && self[i + 1] == 0x0A && self[i + 2] == 0x0D && self[i + 3] == 0x0A {
      return i + 4
    }
    return nil
  }

  /// Whether every LF so far follows a CR.
  fileprivate var hasCRLFLines: Bool {
    for i in indices where self[i] == 0x0A && (i == 0 || self[i - 1] != 0x0D) { return false }
    return true
  }
}

/// Whether a consumer is ready for work, kept current by a thread of its own: every second it
/// asks Redis (on a connection of its own, with short time-outs) whether the consumer's group
/// exists on its streams, and refreshes the lag and pending gauges. ``current()`` answers from
/// memory at once: not ready when the consumer's own connection is down, its circuit breaker
/// is open, the last probe found a problem, or Redis has not answered a probe for
/// ``staleAfter`` seconds (a Redis that hangs).
package final class ReadinessProbe: @unchecked Sendable {
  package struct State: Sendable {
    package var ready: Bool
    package var reason: String
  }

  /// Seconds without a completed probe after which Redis counts as not answering.
  package static let staleAfter = 3.0

  let connect: @Sendable () throws(BusError) -> RedisConnection
  let keys: Keys
  let group: String
  let selection: TypeSelection
  let metrics: BusMetrics
  let breaker: CircuitBreaker?
  let outage: Reconnect.Outage?
  private var connection: RedisConnection?
  /// What the last completed probe found (problems; empty when ready) and when.
  private let last = Locked<(at: Int64, problems: [String])?>(nil)
  private let started = Locked(false)

  package init(
    connect: @escaping @Sendable () throws(BusError) -> RedisConnection, keys: Keys, group: String, selection: TypeSelection,
    metrics: BusMetrics, breaker: CircuitBreaker?, outage: Reconnect.Outage?
  ) {
    self.connect = connect
    self.keys = keys
    self.group = group
    self.selection = selection
    self.metrics = metrics
    self.breaker = breaker
    self.outage = outage
  }

  /// Starts probing on a thread of its own (once; later calls do nothing): once a second
  /// while ready, ten times a second while not, so a problem that goes away (a stream the
  /// worker is creating, Redis back) stops being reported within a tenth of a second.
  package func start() {
    guard
      started.withLock({ s in
        defer { s = true }
        return !s
      })
    else { return }
    _ = startThread { [self] in
      while true {
        probeOnce()
        let ready = last.withLock { $0?.problems.isEmpty ?? false }
        sleepSeconds(ready ? 1 : 0.1)
      }
    }
  }

  /// Asks Redis once and keeps what it found.
  package func probeOnce() {
    var problems: [String] = []
    do throws(BusError) {
      try readGroups(&problems)
      metrics.set("evt_redis_up", to: 1)
    } catch {
      metrics.set("evt_redis_up", to: 0)
      connection?.close()
      connection = nil
      problems.append("Redis: \(error.message)")
    }
    let now = EventTime.now().milliseconds
    last.withLock { $0 = (now, problems) }
  }

  /// Readiness now, from memory.
  package func current() -> State {
    refreshGauges()
    var problems: [String] = []
    if outage?.isDown == true { problems.append("the consumer lost its Redis connection and is reconnecting") }
    let now = EventTime.now().milliseconds
    if let (at, found) = last.withLock({ $0 }) {
      if Double(now - at) / 1000 > Self.staleAfter {
        problems.append("Redis has not answered the readiness probe for \((now - at) / 1000) s")
      } else {
        problems += found
      }
    } else {
      problems.append("the first readiness probe has not finished yet")
    }
    if breaker?.state == .open { problems.append("the circuit breaker is open (the downstream keeps failing)") }
    return State(ready: problems.isEmpty, reason: problems.joined(separator: "; "))
  }

  /// Sets the gauges that are read from memory (the circuit breaker's state).
  func refreshGauges() {
    guard let breaker else { return }
    let value: Double
    switch breaker.state {
    case .closed: value = 0
    case .halfOpen: value = 1
    case .open: value = 2
    }
    metrics.set("evt_breaker_state", to: value)
  }

  private func readGroups(_ problems: inout [String]) throws(BusError) {
    if connection == nil || connection!.isBroken { connection = try connect() }
    let redis = connection!
    for type in try selection.resolve(redis, keys) {
      let stream = keys.stream(type)
      let groups: [GroupInfo]
      do {
        groups = try redis.groups(of: stream)
      } catch  where error.isNoSuchKey {
        problems.append("the stream of \(type) does not exist (yet)")
        continue
      }
      var found = false
      for g in groups where g.name == group {
        found = true
        metrics.set("evt_group_lag", type: type, to: Double(g.lag ?? -1))
        metrics.set("evt_group_pending", type: type, to: Double(g.pending))
      }
      if !found { problems.append("group \(group) does not exist on the stream of \(type)") }
    }
  }
}
