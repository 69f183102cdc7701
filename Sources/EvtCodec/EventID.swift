#if canImport(Glibc)
  import Glibc
#endif

public enum EventID {
  public static let maxLength = 200

  /// A new random (version 4) UUID, lowercase.
  public static func generate() -> String {
    var out: [UInt8] = []
    out.reserveCapacity(36)
    generate(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends a new random UUID's 36 characters to `out`.
  package static func generate(into out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
      RandomPool.withBytes(16) { bytes in
        let hex: StaticString = "0123456789abcdef"
        var k = 0
        for i in 0..<16 {
          var b = bytes[i]
          if i == 6 { b = (b & 0x0F) | 0x40 }
          if i == 8 { b = (b & 0x3F) | 0x80 }
          if i == 4 || i == 6 || i == 8 || i == 10 {
            text[k] = UInt8(ascii: "-")
            k += 1
          }
          text[k] = hex.utf8Start[Int(b >> 4)]
          text[k + 1] = hex.utf8Start[Int(b & 15)]
          k += 2
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(text))
    }
  }

  /// The id of an event caused by another, the same every time it is made from the same
  /// `parts` (a group, the cause's type and id, what follows from it): a step that is
  /// retried after a crash publishes its follow-up under the same id, which is then written
  /// once (``EventWriter/once(_:)``) and dropped by idempotent consumers. A UUID (version 8:
  /// the first 122 bits of the SHA-256 of the parts, each prefixed with its length).
  public static func derived(from parts: [String]) -> String {
    var message: [UInt8] = []
    for p in parts {
      message += Array("\(p.utf8.count):".utf8)
      message += Array(p.utf8)
    }
    var hex = Array(SHA256.hex(message).utf8.prefix(32))
    hex[12] = UInt8(ascii: "8")  // version 8
    let variant = "89ab".utf8.map { $0 }
    let nibble = Int(hex[16] <= UInt8(ascii: "9") ? hex[16] - UInt8(ascii: "0") : hex[16] - UInt8(ascii: "a") + 10)
    hex[16] = variant[nibble & 3]  // variant 10xx
    var out: [UInt8] = []
    for (i, c) in hex.enumerated() {
      if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
      out.append(c)
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Whether `id` is 1 to 200 printable ASCII characters without spaces.
  package static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    !b.isEmpty && b.count <= maxLength && b.allSatisfy { $0 > 0x20 && $0 < 0x7F }
  }

  /// Ids are 1 to 200 printable ASCII characters without spaces.
  public static func validate(_ id: String) throws(EnvelopeError) {
    var copy = id
    guard copy.withUTF8(isValid) else {
      throw EnvelopeError("invalid event id \(JSON.quoted(id)): use 1 to \(maxLength) printable ASCII characters without spaces")
    }
  }
}

/// Random bytes from the kernel (/dev/urandom), fetched 4 KiB at a time: a read per 256 ids
/// instead of a syscall per byte.
enum RandomPool {
  private static let state = Locked<(pool: [UInt8], used: Int)>(([], 0))

  /// Calls `body` with `n` (at most 4096) fresh random bytes, without copying them. The pool
  /// starts small (a one-shot command needs one id) and is 4 KiB from its first refill on.
  package static func withBytes<R>(_ n: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    state.withLock { s in
      if s.used + n > s.pool.count {
        s.pool = [UInt8](repeating: 0, count: s.pool.isEmpty ? max(n, 64) : 4096)
        if !fill(&s.pool) { fallback(&s.pool) }
        s.used = 0
      }
      defer { s.used += n }
      return s.pool.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[s.used..<s.used + n])) }
    }
  }

  private static func fill(_ pool: inout [UInt8]) -> Bool {
    if pool.count <= 256 {
      // The first, small pool: the system generator (getrandom(2)), no file to open.
      var g = SystemRandomNumberGenerator()
      pool.withUnsafeMutableBytes { raw in
        for i in stride(from: 0, to: raw.count, by: 8) {
          var v = g.next()
          withUnsafeBytes(of: &v) { b in for j in 0..<min(8, raw.count - i) { raw[i + j] = b[j] } }
        }
      }
      return true
    }
    let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var filled = 0
    while filled < pool.count {
      let got = pool.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
      if got > 0 { filled += got } else if got < 0 && errno == EINTR { continue } else { return false }
    }
    return true
  }

  private static func fallback(_ pool: inout [UInt8]) {
    var g = SystemRandomNumberGenerator()
    for i in pool.indices { pool[i] = UInt8.random(in: 0...255, using: &g) }
  }
}
