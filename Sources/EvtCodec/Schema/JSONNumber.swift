/// A JSON number as exact decimal: `digits × 10^exponent` with the sign apart, normalised
/// (no leading or trailing zeros in `digits`; zero is empty digits), read from the number's text
/// as written. Two numbers are equal when their values are (`1`, `1.0` and `10e-1` are one
/// number), and compare exactly however many digits they have — what JSON Schema's `enum`,
/// `const`, `uniqueItems`, the bounds and `multipleOf` need, with no rounding through `Double`.
package struct JSONNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
  package let negative: Bool
  /// Decimal digits, most significant first, each 0…9; no leading or trailing zero.
  package let digits: [UInt8]
  package let exponent: Int

  /// Reads a number's JSON text (the grammar is already checked by the parser); `nil` for
  /// text that is not a JSON number or an exponent out of range.
  package init?(_ text: String) {
    var s = Substring(text).utf8[...]
    var negative = false
    if s.first == UInt8(ascii: "-") {
      negative = true
      s = s.dropFirst()
    }
    var digits: [UInt8] = []
    var exponent = 0
    var seenPoint = false
    var sawDigit = false
    while let b = s.first, b != UInt8(ascii: "e"), b != UInt8(ascii: "E") {
      s = s.dropFirst()
      if b == UInt8(ascii: ".") {
        guard !seenPoint else { return nil }
        seenPoint = true
        continue
      }
      guard b >= 0x30 && b <= 0x39 else { return nil }
      sawDigit = true
      digits.append(b - 0x30)
      if seenPoint { exponent -= 1 }
    }
    guard sawDigit else { return nil }
    if !s.isEmpty {
      s = s.dropFirst()
      var expNegative = false
      if s.first == UInt8(ascii: "+") || s.first == UInt8(ascii: "-") {
        expNegative = s.first == UInt8(ascii: "-")
        s = s.dropFirst()
      }
      guard !s.isEmpty else { return nil }
      var e = 0
      for b in s {
        guard b >= 0x30 && b <= 0x39 else { return nil }
        guard e < 100_000_000 else { return nil }  // far beyond anything a double holds
        e = e * 10 + Int(b - 0x30)
      }
      exponent += expNegative ? -e : e
    }
    self.init(negative: negative, digits: digits, exponent: exponent)
  }

  package init(_ value: Int) {
    self.init(String(value))!
  }

  private init(negative: Bool, digits: [UInt8], exponent: Int) {
    var d = digits[...]
    while d.first == 0 { d = d.dropFirst() }
    var e = exponent
    while d.last == 0 {
      d = d.dropLast()
      e += 1
    }
    self.digits = Array(d)
    self.exponent = d.isEmpty ? 0 : e
    self.negative = d.isEmpty ? false : negative
  }

  package var isZero: Bool { digits.isEmpty }

  /// Whether the value is a whole number (`1.0` and `1e2` are).
  package var isInteger: Bool { exponent >= 0 }

  /// The value as an `Int`, when it is a whole number within 18 digits.
  package var intValue: Int? {
    guard exponent >= 0, digits.count + exponent <= 18 else { return nil }
    var v = 0
    for d in digits { v = v * 10 + Int(d) }
    for _ in 0..<exponent { v *= 10 }
    return negative ? -v : v
  }

  /// The position of the most significant digit (`123` → 3, `0.05` → -1), for comparing
  /// magnitudes without expanding exponents.
  private var magnitude: Int { digits.count + exponent }

  package var description: String {
    if digits.isEmpty { return "0" }
    let text = digits.map { String($0) }.joined()
    let sign = negative ? "-" : ""
    if exponent >= 0 && exponent <= 21 { return sign + text + String(repeating: "0", count: exponent) }
    if exponent < 0 && -exponent < digits.count { return sign + text.dropLast(-exponent) + "." + text.suffix(-exponent) }
    if exponent < 0 && magnitude > -6 { return sign + "0." + String(repeating: "0", count: -magnitude) + text }
    let mantissa = digits.count == 1 ? text : String(text.prefix(1)) + "." + text.dropFirst()
    return sign + mantissa + "e" + String(magnitude - 1)
  }

  package static func < (a: JSONNumber, b: JSONNumber) -> Bool {
    if a.negative != b.negative { return a.negative }
    let less = Self.magnitudeLess(a, b)
    return a.negative ? Self.magnitudeLess(b, a) : less
  }

  /// |a| < |b|.
  private static func magnitudeLess(_ a: JSONNumber, _ b: JSONNumber) -> Bool {
    if a.isZero || b.isZero { return !b.isZero && a.isZero }
    if a.magnitude != b.magnitude { return a.magnitude < b.magnitude }
    for i in 0..<max(a.digits.count, b.digits.count) {
      let x = i < a.digits.count ? a.digits[i] : 0
      let y = i < b.digits.count ? b.digits[i] : 0
      if x != y { return x < y }
    }
    return false
  }

  /// Whether `self` is a whole multiple of `divisor` (which must not be zero): `self / divisor`
  /// is an integer, decided exactly. Numbers whose digits would have to be shifted by more
  /// than 10,000 places are decided through `Double` (they are beyond what a double tells
  /// apart anyway).
  package func isMultiple(of divisor: JSONNumber) -> Bool {
    if isZero { return true }
    // self / divisor = (a × 10^ea) / (b × 10^eb): an integer when b divides a × 10^(ea − eb)
    // (ea ≥ eb), or b × 10^(eb − ea) divides a.
    let shift = exponent - divisor.exponent
    guard abs(shift) <= 10_000 else {
      guard let x = Double(description), let m = Double(divisor.description), m != 0 else { return false }
      let q = x / m
      return q.isFinite && q.rounded() == q
    }
    if shift >= 0 {
      return Self.remainder(digits + [UInt8](repeating: 0, count: shift), divisor.digits)
    }
    let padded = divisor.digits + [UInt8](repeating: 0, count: -shift)
    return Self.remainder(digits, padded)
  }

  /// Whether the decimal `dividend` is divisible by the decimal `divisor` (both without sign).
  private static func remainder(_ dividend: [UInt8], _ divisor: [UInt8]) -> Bool {
    if divisor.count <= 18 {
      var d: UInt64 = 0
      for x in divisor { d = d * 10 + UInt64(x) }
      var r: UInt64 = 0
      for x in dividend {
        // r < d ≤ 10^18, so r × 10 + 9 fits in 64 bits.
        r = (r * 10 + UInt64(x)) % d
      }
      return r == 0
    }
    // Long division by a big divisor: the running remainder as decimal digits.
    var r: [UInt8] = []
    for x in dividend {
      r.append(x)
      while r.first == 0 { r.removeFirst() }
      while !lessThan(r, divisor) { r = subtract(r, divisor) }
    }
    return r.isEmpty
  }

  private static func lessThan(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    if a.count != b.count { return a.count < b.count }
    for (x, y) in zip(a, b) where x != y { return x < y }
    return false
  }

  private static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = a
    var borrow = 0
    for i in 0..<a.count {
      let ai = a.count - 1 - i
      let bi = b.count - 1 - i
      var v = Int(a[ai]) - borrow - (bi >= 0 ? Int(b[bi]) : 0)
      borrow = 0
      if v < 0 {
        v += 10
        borrow = 1
      }
      out[ai] = UInt8(v)
    }
    var s = out[...]
    while s.first == 0 { s = s.dropFirst() }
    return Array(s)
  }
}
