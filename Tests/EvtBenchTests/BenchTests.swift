import EvtBench
import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("evt bench")
struct BenchTests {
  @Test("every event arrives, in a group and live; latency is measured; the private namespace is removed", arguments: [true, false])
  func run(group: Bool) throws {
    try withRedis { server in
      var config = BenchConfig()
      config.publishers = 2
      config.subscribers = 2
      config.group = group
      config.count = 301
      config.pipeline = group ? 16 : 1
      config.size = 64
      let url = server.url
      let bench = try Bench(config: config, namespace: "t") { () throws(BusError) in
        do throws(RedisError) { return try RedisConnection(url: url, connectTimeout: 2, commandTimeout: 5) } catch { throw BusError(error) }
      }
      var progressCalls = 0
      let report = try bench.run { _ in progressCalls += 1 }
      #expect(report.published == 301)
      #expect(report.expected == (group ? 301 : 602) && report.received == report.expected)
      let p50 = report.latency.first { $0.label == "p50" }!.microseconds
      let max = report.latency.first { $0.label == "max" }!.microseconds
      #expect(p50 > 0 && p50 <= max)
      #expect(progressCalls > 0)
      let left = try server.connect().command(["KEYS", bench.keys.namespace + ":*"]).array ?? []
      #expect(left.isEmpty)
      let json = try JSON.parse(report.json)
      #expect(json["received"] == .number(String(report.received)) && json["latencyMicroseconds"]?["p99.9"] != nil)
    }
  }
}
