/// Glob matching for type patterns.
enum Glob {
  package static func match(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
    var p = p
    var s = s
    while let c = p.first {
      switch c {
      case UInt8(ascii: "*"):
        let rest = p.dropFirst()
        if rest.isEmpty { return true }
        var tail = s
        while true {
          if match(rest, tail) { return true }
          if tail.isEmpty { return false }
          tail = tail.dropFirst()
        }
      case UInt8(ascii: "?"):
        guard !s.isEmpty else { return false }
        p = p.dropFirst()
        s = s.dropFirst()
      case UInt8(ascii: "["):
        guard let ch = s.first, let close = p.dropFirst(2).firstIndex(of: UInt8(ascii: "]")) else {
          // An unclosed '[' matches itself.
          guard s.first == c else { return false }
          p = p.dropFirst()
          s = s.dropFirst()
          continue
        }
        var set = p[(p.startIndex + 1)..<close]
        var negate = false
        if let f = set.first, f == UInt8(ascii: "!") || f == UInt8(ascii: "^") {
          negate = true
          set = set.dropFirst()
        }
        var found = false
        var k = set.startIndex
        while k < set.endIndex {
          if k + 2 < set.endIndex, set[k + 1] == UInt8(ascii: "-") {
            if set[k] <= ch && ch <= set[k + 2] { found = true }
            k += 3
          } else {
            if set[k] == ch { found = true }
            k += 1
          }
        }
        guard found != negate else { return false }
        p = p[(close + 1)...]
        s = s.dropFirst()
      default:
        guard s.first == c else { return false }
        p = p.dropFirst()
        s = s.dropFirst()
      }
    }
    return s.isEmpty
  }
}
