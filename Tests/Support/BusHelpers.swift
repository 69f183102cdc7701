import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// A new envelope of `type` with `data` (JSON text).
public func envelope(_ type: String, _ data: String) throws -> Envelope {
  try Envelope.create(type: type, data: Array(data.utf8))
}

/// Publishes `type` events with data `{"n":i}` for each i.
@discardableResult
public func publish(_ publisher: Publisher, _ type: String, _ range: Range<Int>) throws -> [Envelope] {
  var out: [Envelope] = []
  for i in range {
    let e = try Envelope.create(type: type, data: Array(#"{"n":\#(i)}"#.utf8))
    _ = try publisher.publish(e)
    out.append(e)
  }
  return out
}

public func pendingCount(_ c: RedisConnection, _ key: String, _ group: String) throws -> Int {
  try c.command(["XPENDING", key, group]).array?.first?.int ?? 0
}

public func writeFile(_ path: String, _ text: String) throws {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else { throw TestSupportError("cannot write \(path)") }
  defer { close(fd) }
  _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

public func readFile(_ path: String) throws -> String {
  let fd = open(path, O_RDONLY)
  guard fd >= 0 else { throw TestSupportError("cannot read \(path)") }
  defer { close(fd) }
  var out: [UInt8] = []
  var buf = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n <= 0 { break }
    out += buf[0..<n]
  }
  return String(decoding: out, as: UTF8.self)
}
