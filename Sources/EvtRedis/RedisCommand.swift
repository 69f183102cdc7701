/// One command as an argument vector, stored in a single contiguous buffer so it can be handed
/// to `redisAppendCommandArgv` without per-argument allocations. Binary-safe: arguments are
/// bytes, never interpolated into a format string.
public struct RedisCommand: Sendable, Equatable, ExpressibleByArrayLiteral {
  @usableFromInline var buffer: [UInt8] = []
  @usableFromInline var lengths: [Int] = []

  public init() {}

  public init(_ arguments: [String]) {
    for a in arguments { append(a) }
  }

  public init(arrayLiteral elements: String...) {
    self.init(elements)
  }

  @inlinable public mutating func append(_ argument: String) {
    var a = argument
    a.withUTF8 { append(bytes: $0) }
  }

  @inlinable public mutating func append(_ argument: [UInt8]) {
    argument.withUnsafeBufferPointer { append(bytes: $0) }
  }

  @inlinable public mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
    buffer.append(contentsOf: bytes)
    lengths.append(bytes.count)
  }

  @inlinable public mutating func append(_ argument: Int) { append(String(argument)) }

  /// Empties the command, keeping its storage for the next one (a command reused per event).
  public mutating func removeAll() {
    buffer.removeAll(keepingCapacity: true)
    lengths.removeAll(keepingCapacity: true)
  }

  public var count: Int { lengths.count }

  /// The arguments, for messages and tests.
  public var arguments: [String] {
    var out: [String] = []
    var offset = 0
    for n in lengths {
      out.append(String(decoding: buffer[offset..<offset + n], as: UTF8.self))
      offset += n
    }
    return out
  }

  /// The command name (first argument), upper-cased, for error messages.
  public var name: String { arguments.first?.uppercased() ?? "" }

  /// The first key the command names, for error messages (`nil` when it names none).
  public var key: String? {
    let args = arguments
    switch args.first?.uppercased() ?? "" {
    case "EVAL", "EVALSHA":
      return args.count > 3 && args[2] != "0" ? args[3] : nil
    case "XREAD", "XREADGROUP":
      guard let i = args.firstIndex(where: { $0.uppercased() == "STREAMS" }), i + 1 < args.count else { return nil }
      return args[i + 1]
    case "MULTI", "EXEC", "PING", "AUTH", "SELECT", "SCAN", "INFO", "TIME":
      return nil
    default:
      return args.count > 1 ? args[1] : nil
    }
  }

  /// Calls `body` with C argv/argvlen arrays pointing into the buffer.
  func withArgv<R>(_ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
    buffer.withUnsafeBufferPointer { buf in
      let base = buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
      var argv: [UnsafePointer<CChar>?] = []
      argv.reserveCapacity(lengths.count)
      var offset = 0
      // An empty buffer has no base address; every argument is then empty, and hiredis only
      // reads zero bytes from it, so any valid pointer does.
      let empty: StaticString = ""
      let emptyPointer = UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
      for n in lengths {
        argv.append(base.map { $0 + offset } ?? emptyPointer)
        offset += n
      }
      return argv.withUnsafeMutableBufferPointer { argvBuf in
        lengths.withUnsafeBufferPointer { lens in
          body(Int32(lengths.count), argvBuf.baseAddress!, lens.baseAddress!)
        }
      }
    }
  }
}
