/// Every failure of the connection layer: a kind callers can switch on and a message for people.
///
/// Messages name the server with its password masked and say what to do. Error replies from
/// the server keep the server's text word for word in ``serverMessage``.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// The URL could not be parsed, or what it asks for cannot be set up from the options
    /// given (a TLS file that is not PEM, a key that does not match its certificate):
    /// configuration, not worth retrying.
    case invalidURL
    /// The server could not be reached, or the connection was lost.
    case unavailable
    /// The server did not answer within the timeout.
    case timeout
    /// AUTH was refused, or the server needs a password that was not given.
    case authentication
    /// The ACL user may not run this command or touch this key (NOPERM).
    case permission
    /// The server answered a command with an error reply.
    case server
    /// The server's answer could not be understood.
    case protocolError
  }

  public var kind: Kind
  public var message: String
  /// For `.server`: the error reply exactly as the server sent it (e.g. `WRONGTYPE …`).
  public var serverMessage: String?

  public init(_ kind: Kind, _ message: String, serverMessage: String? = nil) {
    self.kind = kind
    self.message = message
    self.serverMessage = serverMessage
  }

  public var description: String { message }
}
