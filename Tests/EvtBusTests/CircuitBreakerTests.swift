import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Circuit breaker")
struct CircuitBreakerTests {
  @Test("the breaker opens after N consecutive failures, lets one probe through after the cool-down, closes on success")
  func breaker() {
    let log = LogLines()
    let b = CircuitBreaker(failureThreshold: 2, coolDown: 0.2) { log.append($0) }
    #expect(b.acquire { false })
    #expect(!b.failed("a"))
    b.succeeded()  // resets the count
    #expect(!b.failed("b"))
    #expect(b.failed("c"))
    #expect(b.state == .open)
    // While open nobody gets through.
    var polls = 0
    #expect(
      !b.acquire {
        polls += 1; return polls > 2
      })
    b.waitWhileOpen { false }  // returns after the cool-down
    #expect(b.acquire { false })
    #expect(b.state == .halfOpen)
    // A second caller waits while the probe is out.
    polls = 0
    #expect(
      !b.acquire {
        polls += 1; return polls > 2
      })
    #expect(b.failed("probe"))
    #expect(b.state == .open)
    b.waitWhileOpen { false }
    #expect(b.acquire { false })
    b.cancel()  // the probe was not made: the next caller probes at once
    #expect(b.tryAcquire())
    b.succeeded()
    #expect(b.state == .closed)
    #expect(
      log.lines.map { String($0.prefix(20)) }
        == [
          "circuit open after 2", "circuit half-open: l", "circuit open again: ", "circuit half-open: l", "circuit half-open: l",
          "circuit closed: the d",
        ].map { String($0.prefix(20)) })
  }
}

final class LogLines: @unchecked Sendable {
  private(set) var lines: [String] = []
  func append(_ s: String) { lines.append(s) }
}
