#if canImport(Glibc)
  import Glibc
#endif

extension JSONParser {
  mutating func number() throws(JSONError) -> JSONValue? {
    let start = i
    func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    if input[i] == UInt8(ascii: "-") { i += 1 }
    guard i < input.count, digit(input[i]) else { throw error("invalid number: expected a digit") }
    if input[i] == 0x30 {
      i += 1
      if i < input.count && digit(input[i]) { throw error("invalid number: leading zero") }
    } else {
      while i < input.count && digit(input[i]) { i += 1 }
    }
    if i < input.count && input[i] == UInt8(ascii: ".") {
      i += 1
      guard i < input.count, digit(input[i]) else { throw error("invalid number: expected a digit after '.'") }
      while i < input.count && digit(input[i]) { i += 1 }
    }
    if i < input.count && (input[i] == UInt8(ascii: "e") || input[i] == UInt8(ascii: "E")) {
      i += 1
      if i < input.count && (input[i] == UInt8(ascii: "+") || input[i] == UInt8(ascii: "-")) { i += 1 }
      guard i < input.count, digit(input[i]) else { throw error("invalid number: expected an exponent") }
      while i < input.count && digit(input[i]) { i += 1 }
    }
    emit(from: start)
    return tree ? .number(String(decoding: UnsafeBufferPointer(rebasing: input[start..<i]), as: UTF8.self)) : nil
  }

  /// Parses a string literal at `i` (which is a quote). Returns the decoded text when building
  /// a tree, "" otherwise.
  mutating func string(decode: Bool? = nil) throws(JSONError) -> String {
    let tree = decode ?? self.tree
    let start = i
    i += 1
    var decoded: [UInt8]? = tree ? [] : nil
    var plainStart = i
    var sawHigh = false
    lastStringEscaped = false
    while true {
      // The usual run of plain ASCII, eight bytes at a time: no quote, backslash, control
      // character or byte above 0x7F among them.
      while i + 8 <= input.count {
        let word = UnsafeRawPointer(input.baseAddress! + i).loadUnaligned(as: UInt64.self)
        let special = Self.specialBytes(UInt64(littleEndian: word))
        if special != 0 {
          i += special.trailingZeroBitCount / 8  // the first special byte (the lowest flag is exact)
          break
        }
        i += 8
      }
      guard i < input.count else {
        i = start
        throw error("unterminated string")
      }
      let b = input[i]
      if b == UInt8(ascii: "\"") { break }
      if b < 0x20 { throw error("control character \(describe(b)) inside a string (escape it)") }
      if b >= 0x80 { sawHigh = true }
      if b == UInt8(ascii: "\\") {
        lastStringEscaped = true
        decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: input[plainStart..<i]))
        i += 1
        guard i < input.count else { throw error("unterminated escape") }
        switch input[i] {
        case UInt8(ascii: "\""): decoded?.append(0x22)
        case UInt8(ascii: "\\"): decoded?.append(0x5C)
        case UInt8(ascii: "/"): decoded?.append(0x2F)
        case UInt8(ascii: "b"): decoded?.append(0x08)
        case UInt8(ascii: "f"): decoded?.append(0x0C)
        case UInt8(ascii: "n"): decoded?.append(0x0A)
        case UInt8(ascii: "r"): decoded?.append(0x0D)
        case UInt8(ascii: "t"): decoded?.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard i + 2 < input.count, input[i + 1] == UInt8(ascii: "\\"), input[i + 2] == UInt8(ascii: "u") else {
              throw error("unpaired surrogate in \\u escape")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("unpaired surrogate in \\u escape")
          }
          decoded?.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
          throw error("invalid escape '\\\(Character(Unicode.Scalar(input[i])))'")
        }
        i += 1
        plainStart = i
        continue
      }
      i += 1
    }
    if sawHigh, !UTF8Check.isValid(UnsafeBufferPointer(rebasing: input[start + 1..<i])) {
      throw error("invalid UTF-8 inside a string")
    }
    decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: input[plainStart..<i]))
    i += 1
    emit(from: start)
    return decoded.map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  /// The high bit of each byte of `w` (little-endian) that may be a quote, a backslash, below
  /// 0x20 or above 0x7F (SWAR). The lowest bit set is exact; bits above it may be borrows.
  @inline(__always)
  static func specialBytes(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }
    let quote = zeroByte(w ^ (ones &* 0x22))
    let backslash = zeroByte(w ^ (ones &* 0x5C))
    let control = (w &- ones &* 0x20) & ~w & high
    return quote | backslash | control | (w & high)
  }

  /// Reads the 4 hex digits after `\u` (with `i` on the `u`), leaving `i` on the last digit.
  mutating func hex4() throws(JSONError) -> UInt32 {
    guard i + 4 < input.count else { throw error("incomplete \\u escape") }
    var v: UInt32 = 0
    for k in 1...4 {
      let c = input[i + k]
      let d: UInt32
      switch c {
      case 0x30...0x39: d = UInt32(c - 0x30)
      case 0x41...0x46: d = UInt32(c - 0x41 + 10)
      case 0x61...0x66: d = UInt32(c - 0x61 + 10)
      default: throw error("invalid hex digit in \\u escape")
      }
      v = v * 16 + d
    }
    i += 4
    return v
  }
}
