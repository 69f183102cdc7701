import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Reading `--data` values: inline JSON, `@file`, or `-` for standard input.
enum Input {
  /// The bytes of an inline value, a `@file` or `-` (stdin). Reads at most `limit + 1` bytes
  /// so an oversize input is refused without reading it all.
  /// - Throws: `.badData` when the file cannot be read or the input is over `limit` bytes
  ///   (said before any parsing, so a cut-off input is never reported as bad JSON).
  static func dataArgument(_ value: String, limit: Int) throws(BusError) -> [UInt8] {
    let bytes: [UInt8]
    let what: String
    if value == "-" {
      what = "standard input"
      bytes = try readAll(fd: 0, what: what, limit: limit)
    } else if value.hasPrefix("@") {
      what = String(value.dropFirst())
      bytes = try readFile(what, limit: limit)
    } else {
      what = "--data"
      bytes = Array(value.utf8)
    }
    if bytes.count > limit {
      throw BusError(.badData, "\(Printable.escaped(what)) is over the limit of \(limit) bytes (raise it with --max-size)")
    }
    return bytes
  }

  /// The bytes of a file, or of standard input for `-`, at most `limit`.
  /// - Throws: `.badData` when it cannot be read or is over `limit` bytes.
  static func fileArgument(_ value: String, limit: Int) throws(BusError) -> [UInt8] {
    let bytes = value == "-" ? try readAll(fd: 0, what: "standard input", limit: limit) : try readFile(value, limit: limit)
    if bytes.count > limit {
      throw BusError(.badData, "\(value == "-" ? "standard input" : Printable.escaped(value)) is over the limit of \(limit) bytes")
    }
    return bytes
  }

  /// A secret from the first line of a file (a password), without its line end.
  static func secret(fromFile path: String, what: String, noun: String = "password") throws(BusError) -> String {
    let bytes: [UInt8]
    do { bytes = try readFile(path, limit: 4096) } catch { throw BusError(.invalidArgument, "\(what): \(error.message)") }
    let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
    guard !line.isEmpty, bytes.count <= 4096 else {
      throw BusError(.invalidArgument, "\(what) \(Printable.escaped(path)) must hold the \(noun) on its first line (at most 4 KiB)")
    }
    guard let text = String(validating: Array(line), as: UTF8.self) else {
      throw BusError(.invalidArgument, "\(what) \(Printable.escaped(path)) is not valid UTF-8")
    }
    return text
  }

  private static func readFile(_ path: String, limit: Int) throws(BusError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw BusError(.badData, "cannot read \(Printable.escaped(path)): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    return try readAll(fd: fd, what: path, limit: limit)
  }

  static func readAll(fd: Int32, what: String, limit: Int) throws(BusError) -> [UInt8] {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while out.count <= limit {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw BusError(.badData, "cannot read \(Printable.escaped(what)): \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return out
  }

  /// The largest size accepted (Redis's own limit on one value).
  static let maxSize = 512 << 20

  /// Parses sizes like `1048576`, `512k`, `512KiB`, `1m`, `1MiB`, from 1 byte to 512 MiB.
  static func size(_ text: String) -> Int? {
    let lower = text.lowercased()
    let digits = lower.prefix { $0 >= "0" && $0 <= "9" }
    guard !digits.isEmpty, digits.count <= 12, let n = Int(digits), n > 0 else { return nil }
    let unit: Int
    switch lower.dropFirst(digits.count) {
    case "", "b": unit = 1
    case "k", "kb", "kib": unit = 1 << 10
    case "m", "mb", "mib": unit = 1 << 20
    default: return nil
    }
    let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
    guard !overflow, bytes <= maxSize else { return nil }
    return bytes
  }
}
