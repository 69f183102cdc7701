import EvtBus
import EvtRedis

/// A user of the user service.
public struct User: Sendable, Equatable {
  /// A random UUID.
  public var id: String
  public var name: String
  /// As given (trimmed); unique without regard to letter case.
  public var email: String
  /// ISO-8601 UTC with milliseconds.
  public var createdAt: String

  /// `{"id","name","email","createdAt"}`.
  public var json: JSONValue {
    .object([
      .init("id", .string(id)), .init("name", .string(name)), .init("email", .string(email)), .init("createdAt", .string(createdAt)),
    ])
  }
}
