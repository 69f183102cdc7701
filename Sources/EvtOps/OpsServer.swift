import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// A small synchronous HTTP listener on its own thread for a long-running consumer:
///
/// - `GET /metrics`: the ``BusMetrics`` in Prometheus' text format (lag and pending read from
///   Redis first);
/// - `GET /healthz`: 200 while the process runs (liveness);
/// - `GET /readyz`: 200 when the consumer is connected, its group exists on its streams and
///   its circuit breaker is not open; otherwise 503 with the reason on one line.
///
/// One request at a time, each with a two-second deadline; requests larger than 8 KiB and
/// methods other than GET and HEAD are refused. Nothing it is sent reaches a log.
public final class OpsServer: @unchecked Sendable {
  public let metrics: BusMetrics
  public let probe: ReadinessProbe
  private let fd: Int32
  /// The address it listens on, like `127.0.0.1:9464` (the port the kernel chose for port 0).
  public let address: String

  /// Binds `HOST:PORT` (`[::1]:PORT` for IPv6; port 0 for any free port) now, so a bad or busy
  /// address fails before the consumer starts.
  public init(address text: String, metrics: BusMetrics, probe: ReadinessProbe) throws(BusError) {
    self.metrics = metrics
    self.probe = probe
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
      throw BusError(.invalidArgument, "--metrics-addr \(JSON.quoted(text)) is not HOST:PORT, like 127.0.0.1:9464 or [::1]:9464")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host.isEmpty { host = "0.0.0.0" }
    var hints = addrinfo()
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &found)
    guard status == 0, let info = found else {
      throw BusError(.invalidArgument, "--metrics-addr \(JSON.quoted(text)): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(found) }
    let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw BusError(.unavailable, "--metrics-addr: cannot open a socket: \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
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

  /// Serves requests on a thread of its own until the process exits.
  public func start() {
    _ = startThread { [self] in
      while true {
        let client = accept(fd, nil, nil)
        if client < 0 {
          if errno == EINTR || errno == ECONNABORTED { continue }
          sleepSeconds(0.1)
          continue
        }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        serve(client)
        close(client)
      }
    }
  }

  private func serve(_ client: Int32) {
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var request: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 2048)
    while request.count < 8192 && !request.containsBlankLine {
      let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, 2048) }
      if n <= 0 { return }
      request += chunk[0..<n]
    }
    guard request.containsBlankLine else { return reply(client, 431, "request too large\n") }
    let line = request.prefix { $0 != 0x0D && $0 != 0x0A }.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
    guard line.count == 3, line[2].hasPrefix("HTTP/1.") else { return reply(client, 400, "bad request\n") }
    let head = line[0] == "HEAD"
    guard line[0] == "GET" || head else { return reply(client, 405, "only GET and HEAD\n", head: head) }
    let path = line[1].prefix { $0 != "?" }
    switch path {
    case "/metrics":
      _ = probe.check()
      reply(client, 200, metrics.exposition(), type: "text/plain; version=0.0.4; charset=utf-8", head: head)
    case "/healthz":
      reply(client, 200, "ok\n", head: head)
    case "/readyz":
      let state = probe.check()
      reply(client, state.ready ? 200 : 503, state.ready ? "ready\n" : "not ready: \(state.reason)\n", head: head)
    default:
      reply(client, 404, "not found (try /metrics, /healthz or /readyz)\n", head: head)
    }
  }

  private func reply(_ client: Int32, _ status: Int, _ body: String, head: Bool = false) {
    reply(client, status, Array(body.utf8), type: "text/plain; charset=utf-8", head: head)
  }

  private func reply(_ client: Int32, _ status: Int, _ body: [UInt8], type: String, head: Bool) {
    let reason =
      [
        200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Request Header Fields Too Large",
        503: "Service Unavailable",
      ][status] ?? "Error"
    var out = Array(
      "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
    if !head { out += body }
    var off = 0
    while off < out.count {
      let n = out.withUnsafeBytes { send(client, $0.baseAddress! + off, out.count - off, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { return }
      off += n
    }
  }
}

extension [UInt8] {
  fileprivate var containsBlankLine: Bool {
    guard count >= 4 else { return false }
    for i in 0...(count - 4) where self[i] == 0x0D && self[i + 1] == 0x0A && self[i + 2] == 0x0D && self[i + 3] == 0x0A { return true }
    return false
  }
}

/// Whether a consumer is ready for work, asked by `/readyz` and before each `/metrics`
/// scrape (which also refreshes the lag and pending gauges): on a connection of its own, with
/// short time-outs, at most once a second (answers in between are the last one).
public final class ReadinessProbe: @unchecked Sendable {
  public struct State: Sendable {
    public var ready: Bool
    public var reason: String
  }

  let connect: @Sendable () throws(BusError) -> RedisConnection
  let keys: Keys
  let group: String
  let selection: TypeSelection
  let metrics: BusMetrics
  let breaker: CircuitBreaker?
  let outage: Reconnect.Outage?
  private var connection: RedisConnection?
  private var last: (at: Int64, state: State)?

  public init(
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

  public func check() -> State {
    let now = EventTime.now().milliseconds
    if let last, now - last.at < 1000 { return last.state }
    let state = evaluate()
    last = (now, state)
    return state
  }

  private func evaluate() -> State {
    if let breaker {
      let value: Double
      switch breaker.state {
      case .closed: value = 0
      case .halfOpen: value = 1
      case .open: value = 2
      }
      metrics.set("evt_breaker_state", to: value)
    }
    var problems: [String] = []
    if outage?.isDown == true { problems.append("the consumer lost its Redis connection and is reconnecting") }
    do throws(BusError) {
      try readGroups(&problems)
      metrics.set("evt_redis_up", to: 1)
    } catch {
      metrics.set("evt_redis_up", to: 0)
      connection?.close()
      connection = nil
      problems.append("Redis: \(error.message)")
    }
    if breaker?.state == .open { problems.append("the circuit breaker is open (the downstream keeps failing)") }
    return State(ready: problems.isEmpty, reason: problems.joined(separator: "; "))
  }

  private func readGroups(_ problems: inout [String]) throws(BusError) {
    if connection == nil || connection!.isBroken { connection = try connect() }
    let redis = connection!
    for type in try selection.resolve(redis, keys) {
      let stream = keys.stream(type)
      let reply: RedisReply
      do {
        reply = try redis.busCommand(["XINFO", "GROUPS", stream])
      } catch  where error.serverMessage?.hasPrefix("ERR no such key") == true {
        problems.append("the stream of \(type) does not exist (yet)")
        continue
      }
      var found = false
      for g in reply.array ?? [] {
        guard let fields = g.fields, fields["name"]?.string == group else { continue }
        found = true
        metrics.set("evt_group_lag", type: type, to: Double(fields["lag"]?.int ?? -1))
        metrics.set("evt_group_pending", type: type, to: Double(fields["pending"]?.int ?? 0))
      }
      if !found { problems.append("group \(group) does not exist on the stream of \(type)") }
    }
  }
}
