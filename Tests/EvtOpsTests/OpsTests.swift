import EvtBus
import EvtOps
import EvtRedis
import EvtTestSupport
import Logging
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Operations: log lines, metrics listener")
struct OpsTests {
  @Test("log lines: JSON with time, level, msg and metadata; logfmt and text quote and escape what needs it")
  func logLines() {
    let metadata: Logger.Metadata = ["group": "g", "event_id": "e\n1", "msg": "forged"]
    let json = String(
      decoding: EvtLogHandler.line(time: "T", level: .warning, message: "a \"b\"\n\u{1B}[2J", metadata: metadata, format: .json),
      as: UTF8.self)
    #expect(json == "{\"time\":\"T\",\"level\":\"warning\",\"msg\":\"a \\\"b\\\"\\n\\u001b[2J\",\"event_id\":\"e\\n1\",\"group\":\"g\"}\n")
    let logfmt = String(
      decoding: EvtLogHandler.line(time: "T", level: .info, message: "hello world", metadata: metadata, format: .logfmt), as: UTF8.self)
    #expect(logfmt == "time=T level=info msg=\"hello world\" event_id=\"e\\n1\" group=g\n")
    let text = String(
      decoding: EvtLogHandler.line(time: "T", level: .info, message: "x\u{1B}y", metadata: ["a": "b c"], format: .text), as: UTF8.self)
    #expect(text == "T info    x\\ey a=\"b c\"\n")
  }

  @Test("the listener answers /healthz, /readyz and /metrics; readiness follows Redis")
  func listener() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      _ = try c.command(["XGROUP", "CREATE", keys.stream("a.b"), "g", "$", "MKSTREAM"])
      let metrics = BusMetrics(group: "g")
      metrics.handled(type: "a.b", count: 2, seconds: 0.01)
      let url = server.url
      let probe = ReadinessProbe(
        connect: { () throws(BusError) in
          do throws(RedisError) { return try RedisConnection(url: url) } catch { throw BusError(error) }
        }, keys: keys, group: "g", selection: try TypeSelection(["a.b"]), metrics: metrics, breaker: nil, outage: nil)
      let ops = try OpsServer(address: "127.0.0.1:0", metrics: metrics, probe: probe)
      ops.start()
      #expect(get(ops.address, "/healthz").hasPrefix("HTTP/1.1 200 OK"))
      // The probe thread's first answer comes within moments of the start.
      for _ in 0..<40 where !get(ops.address, "/readyz").hasSuffix("\r\n\r\nready\n") { sleepSeconds(0.05) }
      #expect(get(ops.address, "/readyz").hasSuffix("\r\n\r\nready\n"))
      let scrape = get(ops.address, "/metrics")
      #expect(scrape.contains("evt_events_handled_total{group=\"g\",type=\"a.b\"} 2"))
      #expect(scrape.contains("evt_group_lag{group=\"g\",type=\"a.b\"} 0.0"))
      #expect(get(ops.address, "/nope").hasPrefix("HTTP/1.1 404"))
      #expect(get(ops.address, "POST /metrics HTTP/1.1", raw: true).hasPrefix("HTTP/1.1 405"))
      _ = try c.command(["XGROUP", "DESTROY", keys.stream("a.b"), "g"])
      sleepSeconds(1.1)  // answers are kept for a second
      let notReady = get(ops.address, "/readyz")
      #expect(notReady.hasPrefix("HTTP/1.1 503") && notReady.contains("group g does not exist on the stream of a.b"))
    }
    #expect(throws: BusError.self) { try OpsServer(address: "nonsense", metrics: BusMetrics(group: "g"), probe: probeThatNeverRuns()) }
  }

  private func probeThatNeverRuns() throws -> ReadinessProbe {
    ReadinessProbe(
      connect: { () throws(BusError) in throw BusError(.unavailable, "no") }, keys: try Keys(namespace: "x"), group: "g",
      selection: try TypeSelection(["a.b"]), metrics: BusMetrics(group: "g"), breaker: nil, outage: nil)
  }

  /// One request over a fresh connection; the whole response.
  private func get(_ address: String, _ path: String, raw: Bool = false) -> String {
    let port = UInt16(address.split(separator: ":").last!)!
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard ok == 0 else { return "" }
    let request = Array(((raw ? path : "GET \(path) HTTP/1.1") + "\r\nHost: x\r\n\r\n").utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
      if n <= 0 { break }
      out += buffer[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
  }
}
