/// UTF-8 validation in place (RFC 3629: no overlong forms, no surrogates, nothing above
/// U+10FFFF), without making a String.
enum UTF8Check {
  package static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = b.count
    while i < n {
      let c = b[i]
      if c < 0x80 {
        i += 1
        continue
      }
      func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
      switch c {
      case 0xC2...0xDF:
        guard cont(1) else { return false }
        i += 2
      case 0xE0...0xEF:
        guard cont(1), cont(2) else { return false }
        let c1 = b[i + 1]
        if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
        if c == 0xED && c1 >= 0xA0 { return false }  // surrogate
        i += 3
      case 0xF0...0xF4:
        guard cont(1), cont(2), cont(3) else { return false }
        let c1 = b[i + 1]
        if c == 0xF0 && c1 < 0x90 { return false }  // overlong
        if c == 0xF4 && c1 >= 0x90 { return false }  // above U+10FFFF
        i += 4
      default: return false
      }
    }
    return true
  }
}
