import EvtRedis

extension RedisCommand {
  /// Appends a stream id as Redis writes it (`<ms>-<seq>`), without making a String.
  mutating func append(_ id: StreamID) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 41) { buf in
      var n = 0
      func digits(_ v: UInt64) {
        let start = n
        var v = v
        repeat {
          buf[n] = UInt8(ascii: "0") + UInt8(v % 10)
          n += 1
          v /= 10
        } while v > 0
        buf[start..<n].reverse()
      }
      digits(id.milliseconds)
      buf[n] = UInt8(ascii: "-")
      n += 1
      digits(id.sequence)
      append(bytes: UnsafeBufferPointer(rebasing: buf[..<n]))
    }
  }
}
