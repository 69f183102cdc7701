import EvtBus
import EvtRedis

/// What makes a name and an email address acceptable.
package enum UserValidation {
  /// Longest name, in characters (grapheme clusters), after trimming.
  package static let maxNameLength = 200
  /// Longest name in bytes of UTF-8 (so combining marks cannot make a 200-character name huge).
  package static let maxNameBytes = 800

  /// The trimmed name.
  /// - Throws: ``BusError`` `.badData` when it is empty, too long (in characters or bytes), or
  ///   holds control characters (C0, C1, DEL), line or paragraph separators, or bidi controls.
  package static func name(_ raw: String) throws(BusError) -> String {
    let name = trimmed(raw)
    guard !name.isEmpty else { throw BusError(.badData, "the name is empty") }
    guard name.utf8.count <= maxNameBytes else {
      throw BusError(.badData, "the name is \(name.utf8.count) bytes long; at most \(maxNameBytes) are allowed")
    }
    guard name.count <= maxNameLength else {
      throw BusError(.badData, "the name is \(name.count) characters long; at most \(maxNameLength) are allowed")
    }
    if let bad = name.unicodeScalars.first(where: Printable.isUnsafe) {
      throw BusError(.badData, "the name contains the control character U+\(String(bad.value, radix: 16, uppercase: true))")
    }
    return name
  }

  /// The trimmed address.
  /// - Throws: ``BusError`` `.badData` unless it is `local@domain` with a dot-atom local part
  ///   (RFC 5322, no quoted forms) and a domain of at least two DNS labels.
  package static func email(_ raw: String) throws(BusError) -> String {
    let email = trimmed(raw)
    guard !email.isEmpty else { throw BusError(.badData, "the email address is empty") }
    if let why = EmailAddress.problem(email) {
      throw BusError(.badData, "\(JSON.quoted(email)) is not a valid email address: \(why)")
    }
    return email
  }

  /// Checks a caller-chosen user id: 1 to 64 letters, digits, `.`, `_` or `-`.
  package static func id(_ id: String) throws(BusError) {
    let ok =
      !id.isEmpty && id.utf8.count <= 64
      && id.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    if !ok { throw BusError(.badData, "the user id \(JSON.quoted(id)) must be 1 to 64 letters, digits, '.', '_' or '-'") }
  }

  /// The form of an address in the unique-email index: lower-cased.
  package static func indexKey(_ email: String) -> String { trimmed(email).lowercased() }

  private static func isAlnum(_ b: UInt8) -> Bool {
    EmailAddress.isAlnum(b)
  }

  static func trimmed(_ s: String) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
    let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
    return String(scalars[first...last])
  }
}
