/// Event type names: lowercase dotted segments (`shop.order-paid`, `billing.invoice.sent`).
public enum EventType {
  public static let maxLength = 200

  /// Each segment starts with a letter and holds lowercase letters, digits, `_` or `-`.
  public static func isValid(_ type: String) -> Bool {
    var copy = type
    return copy.withUTF8(isValid)
  }

  package static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
    var segmentStart = true
    for b in bytes {
      if segmentStart {
        guard b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") else { return false }
        segmentStart = false
      } else if b == UInt8(ascii: ".") {
        segmentStart = true
      } else {
        guard
          (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        else { return false }
      }
    }
    return !segmentStart
  }

  public static func validate(_ type: String) throws(EnvelopeError) {
    guard isValid(type) else {
      throw EnvelopeError(
        "invalid event type \(JSON.quoted(type)): use lowercase dotted segments like shop.order-paid (letters, digits, '_' and '-'; each segment starts with a letter)"
      )
    }
  }

  /// A type pattern is a type name that may hold the glob characters `*`, `?` and `[…]`.
  public static func isPattern(_ text: String) -> Bool {
    text.contains("*") || text.contains("?") || text.contains("[")
  }

  /// Validates a type or glob pattern as given to `tail` and `subscribe`.
  public static func validatePattern(_ text: String) throws(EnvelopeError) {
    if !isPattern(text) { return try validate(text) }
    let allowed = text.utf8.allSatisfy { b in
      (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
        || "._-*?[]!^".utf8.contains(b)
    }
    guard allowed, text.utf8.count <= maxLength else {
      throw EnvelopeError("invalid type pattern \(JSON.quoted(text)): use a type name with * ? or [...] (like shop.*)")
    }
  }

  /// Glob matching with `*`, `?` and `[abc]`/`[a-z]`/`[!a]` (fnmatch without flags); a plain
  /// type name matches only itself.
  public static func matches(_ pattern: String, _ type: String) -> Bool {
    Glob.match(Array(pattern.utf8)[...], Array(type.utf8)[...])
  }
}

/// Event ids: given by the caller or a random UUID.
