import EvtBus
import EvtRedis

/// A user to be created, validated (so input can be checked before connecting to Redis).
package struct NewUser: Sendable, Equatable {
  /// Trimmed.
  package let name: String
  /// Trimmed.
  package let email: String
  /// A caller-chosen id, or `nil` for a new UUID.
  package let id: String?

  /// - Throws: ``BusError`` `.badData` for an invalid name, address or id.
  package init(name: String, email: String, id: String? = nil) throws(BusError) {
    self.name = try UserValidation.name(name)
    self.email = try UserValidation.email(email)
    if let id { try UserValidation.id(id) }
    self.id = id
  }

  /// A user given as JSON, `{"name":…,"email":…}`.
  /// - Throws: ``BusError`` `.badData` when it is not such an object, or its values are invalid.
  package init(json bytes: [UInt8], id: String? = nil) throws(BusError) {
    let value: JSONValue
    do { value = try JSON.parse(bytes) } catch { throw BusError(.badData, "the user is not valid JSON: \(error)") }
    var strings: [String] = []
    for member in ["name", "email"] {
      guard let v = value[member] else { throw BusError(.badData, "the user has no \(JSON.quoted(member))") }
      guard let s = v.stringValue else {
        throw BusError(.badData, "the user's \(JSON.quoted(member)) must be a string, not \(v.kindDescription)")
      }
      strings.append(s)
    }
    try self.init(name: strings[0], email: strings[1], id: id)
  }
}
