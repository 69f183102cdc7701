import EvtBus
import EvtRedis
import EvtTestSupport
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Timings")
struct TimingsTests {
  @Test("mean, p50/p95/p99 within 0.1 % and the max, in bounded memory (an HdrHistogram)")
  func summary() {
    let t = Timings()
    #expect(t.summary == nil)
    for ms in 1...100 { t.record(microseconds: Int64(ms) * 1000) }
    let s = t.summary!
    #expect(s.count == 100 && s.meanMilliseconds == 50.5 && s.maxMilliseconds == 100)
    #expect(s.p50Milliseconds == 50 && s.p95Milliseconds == 95 && s.p99Milliseconds == 99)
    t.record(microseconds: -3)
    t.record(microseconds: .max)
    #expect(t.summary!.count == 102)
  }
}
