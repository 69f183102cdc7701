import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Reading `--data` values: inline JSON, `@file`, or `-` for standard input.
enum Input {
  /// The bytes of an inline value, a `@file` or `-` (stdin). Reads at most `limit + 1` bytes
  /// so an oversize input is refused without reading it all.
  static func dataArgument(_ value: String, limit: Int) throws(BusError) -> [UInt8] {
    if value == "-" { return try readAll(fd: 0, what: "standard input", limit: limit) }
    if value.hasPrefix("@") {
      let path = String(value.dropFirst())
      let fd = open(path, O_RDONLY)
      guard fd >= 0 else { throw BusError(.badData, "cannot read \(path): \(String(cString: strerror(errno)))") }
      defer { close(fd) }
      return try readAll(fd: fd, what: path, limit: limit)
    }
    return Array(value.utf8)
  }

  static func readAll(fd: Int32, what: String, limit: Int) throws(BusError) -> [UInt8] {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while out.count <= limit {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw BusError(.badData, "cannot read \(what): \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return out
  }

  /// Parses sizes like `1048576`, `512k`, `512KiB`, `1m`, `1MiB`.
  static func size(_ text: String) -> Int? {
    let lower = text.lowercased()
    let digits = lower.prefix { $0.isNumber }
    guard let n = Int(digits), n > 0 else { return nil }
    switch lower.dropFirst(digits.count) {
    case "", "b": return n
    case "k", "kb", "kib": return n << 10
    case "m", "mb", "mib": return n << 20
    default: return nil
    }
  }
}
