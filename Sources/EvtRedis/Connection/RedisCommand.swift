/// One command as an argument vector, stored in a single contiguous buffer so it can be handed
/// to `redisAppendCommandArgv` without per-argument allocations. Binary-safe: arguments are
/// bytes, never interpolated into a format string.
///
/// The key that routes a command in a cluster is the argument added with ``appendKey(_:)``
/// (the first, when several are): the code that builds a command knows its key and says so.
/// A command written as a literal has none recorded; its key is then found from the command's
/// name (the first key of the commands evt sends).
public struct RedisCommand: Sendable, Equatable, ExpressibleByArrayLiteral {
  @usableFromInline var buffer: [UInt8] = []
  @usableFromInline var lengths: [Int] = []
  /// The position of the first argument added with ``appendKey(_:)``; -1: none was.
  @usableFromInline var keyIndex = -1

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

  /// Appends a key: an argument that names a key, the first of which routes the command.
  @inlinable public mutating func appendKey(_ key: String) {
    if keyIndex < 0 { keyIndex = lengths.count }
    append(key)
  }

  public static func == (a: RedisCommand, b: RedisCommand) -> Bool { a.lengths == b.lengths && a.buffer == b.buffer }

  /// Empties the command, keeping its storage for the next one (a command reused per event).
  public mutating func removeAll() {
    buffer.removeAll(keepingCapacity: true)
    lengths.removeAll(keepingCapacity: true)
    keyIndex = -1
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

  /// The arguments' bytes, for tests.
  var argumentBytes: [[UInt8]] {
    var out: [[UInt8]] = []
    var offset = 0
    for n in lengths {
      out.append(Array(buffer[offset..<offset + n]))
      offset += n
    }
    return out
  }

  /// The command name (first argument), upper-cased, for error messages.
  public var name: String { arguments.first?.uppercased() ?? "" }

  /// The first key the command names, for error messages (`nil` when it names none).
  public var key: String? {
    let args = arguments
    if keyIndex >= 0 && keyIndex < args.count { return args[keyIndex] }
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

  /// Appends the command to `out` as a RESP array of bulk strings, byte for byte what
  /// hiredis's `redisFormatCommandArgv` makes (a unit test compares them).
  func writeRESP(appendingTo out: inout [UInt8]) {
    // Grows geometrically: `out` may be a buffer that keeps many commands.
    let needed = out.count + buffer.count + 16 * (lengths.count + 1)
    if out.capacity < needed { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
    func decimal(_ n: Int) {
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
        var v = n
        var k = 20
        repeat {
          k -= 1
          digits[k] = UInt8(ascii: "0") + UInt8(v % 10)
          v /= 10
        } while v > 0
        out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k...]))
      }
    }
    out.append(UInt8(ascii: "*"))
    decimal(lengths.count)
    out.append(0x0D)
    out.append(0x0A)
    var offset = 0
    buffer.withUnsafeBufferPointer { buf in
      for n in lengths {
        out.append(UInt8(ascii: "$"))
        decimal(n)
        out.append(0x0D)
        out.append(0x0A)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[offset..<offset + n]))
        out.append(0x0D)
        out.append(0x0A)
        offset += n
      }
    }
  }
}
