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
