import EvtBus
import EvtRedis

/// A user of the user service.
package struct User: Sendable, Equatable {
  /// A random UUID.
  package var id: String
  package var name: String
  /// As given (trimmed); unique without regard to letter case.
  package var email: String
  /// ISO-8601 UTC with milliseconds.
  package var createdAt: String

  /// `{"id","name","email","createdAt"}`.
  package var json: JSONValue {
    .object([
      .init("id", .string(id)), .init("name", .string(name)), .init("email", .string(email)), .init("createdAt", .string(createdAt)),
    ])
  }
}
