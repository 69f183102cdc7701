/// Redis Cluster's key → slot function: CRC16 (XMODEM) of the key's hash tag (the text between
/// the first `{` and the next `}`, when not empty) or of the whole key, modulo 16384.
package enum HashSlot {
  package static let count = 16384

  package static func of(_ key: String) -> Int {
    var k = key
    return k.withUTF8 { of($0) }
  }

  package static func of(_ key: UnsafeBufferPointer<UInt8>) -> Int {
    var part = key[...]
    if let open = key.firstIndex(of: UInt8(ascii: "{")),
      let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
    {
      part = key[(open + 1)..<close]
    }
    var crc: UInt16 = 0
    for b in part { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ b)] }
    return Int(crc) & (count - 1)
  }

  private static let table: [UInt16] = (0..<256).map { i -> UInt16 in
    var crc = UInt16(i) << 8
    for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
    return crc
  }
}

extension RedisCommand {
  /// The slot of the key that routes the command in a cluster (its first key); `nil` for a
  /// command without keys. Read from the argument bytes, without making strings.
  var slot: Int? {
    guard let index = routingKeyIndex, index < lengths.count else { return nil }
    var offset = 0
    for i in 0..<index { offset += lengths[i] }
    return buffer.withUnsafeBufferPointer { HashSlot.of(UnsafeBufferPointer(rebasing: $0[offset..<(offset + lengths[index])])) }
  }

  /// Whether the command's name is `name` (given in lower case), compared in place.
  func isNamed(_ name: StaticString) -> Bool {
    guard let first = lengths.first, first == name.utf8CodeUnitCount else { return false }
    for i in 0..<first where buffer[i] | 0x20 != name.utf8Start[i] { return false }
    return true
  }

  /// Which argument is the routing key: the one recorded by ``appendKey(_:)``, else found
  /// from the command's name.
  private var routingKeyIndex: Int? {
    if keyIndex >= 0 { return keyIndex }
    guard !lengths.isEmpty else { return nil }
    // The commands of the hot paths first.
    if isNamed("xadd") || isNamed("sadd") || isNamed("xack") { return 1 }
    if isNamed("eval") || isNamed("evalsha") {
      guard lengths.count > 3 else { return nil }
      let numkeys = buffer[(lengths[0] + lengths[1])..<(lengths[0] + lengths[1] + lengths[2])]
      return numkeys.elementsEqual("0".utf8) ? nil : 3
    }
    if isNamed("xread") || isNamed("xreadgroup") {
      var offset = 0
      for (i, n) in lengths.enumerated() {
        if n == 7, buffer[offset..<(offset + 7)].map({ $0 | 0x20 }).elementsEqual("streams".utf8) { return i + 1 }
        offset += n
      }
      return nil
    }
    if isNamed("xgroup") || isNamed("xinfo") { return 2 }
    for keyless: StaticString in [
      "multi", "exec", "discard", "ping", "auth", "select", "scan", "info", "time", "wait", "asking", "cluster", "dbsize",
      "flushall", "flushdb", "config", "client", "command", "debug", "script", "echo", "hello", "readonly",
    ] where isNamed(keyless) {
      return nil
    }
    return lengths.count > 1 ? 1 : nil
  }
}
