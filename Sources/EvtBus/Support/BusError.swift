import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// Every failure the bus reports, classified so the command line can map it to an exit code.
public struct BusError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// A name, URL or value the caller gave is not valid (a namespace, a group, a type
    /// pattern, a Redis URL).
    case invalidArgument
    /// The input (an event, a line of NDJSON, a file) is invalid.
    case badData
    /// Redis could not be reached or the connection was lost.
    case unavailable
    /// AUTH failed or a password is needed.
    case authentication
    /// The Redis user may not run a command or touch a key (ACL).
    case permission
    /// Redis did not answer in time.
    case redisTimeout
    /// Redis answered with an error.
    case server
    /// An operating-system call outside Redis failed (a pipe, a process, a write).
    case output
    /// The reader of standard output went away (a closed pipe): not a failure to report.
    case outputClosed
    /// What was to be created exists already (a user with that email address).
    case conflict
    /// What was asked for does not exist (an unknown user).
    case notFound
    /// Fewer replicas than asked confirmed a write in time (`publish --replicas`): it is on
    /// the master, but a failover could lose it.
    case notReplicated
    /// A configuration file (a context) is missing, unreadable, readable by others, or not
    /// what evt expects (EX_CONFIG).
    case configuration
  }

  public var kind: Kind
  public var message: String
  /// The connection-layer error this one stands for, when it came from Redis.
  public var cause: RedisError?

  /// For errors Redis answered: its reply word for word (`NOGROUP …`).
  public var serverMessage: String? { cause?.serverMessage }

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public init(_ error: RedisError) {
    switch error.kind {
    case .invalidURL: self.init(.invalidArgument, error.message)
    case .unavailable: self.init(.unavailable, error.message)
    case .timeout: self.init(.redisTimeout, error.message)
    case .authentication: self.init(.authentication, error.message)
    case .permission: self.init(.permission, error.message)
    case .server, .protocolError: self.init(.server, error.message)
    }
    cause = error
  }

  public init(_ error: EnvelopeError) { self.init(.badData, error.message) }

  public var description: String { message }

  /// Redis went away or stopped answering: worth reconnecting and trying again.
  public var isConnectionLoss: Bool { kind == .unavailable || kind == .redisTimeout }

  /// Redis no longer has the consumer group (it restarted empty, or the stream was deleted):
  /// NOGROUP, or a blocked read woken because its stream was deleted (`UNBLOCKED the stream key
  /// no longer exists`, Redis 7).
  public var isNoGroup: Bool { ServerMessage.isNoGroup(serverMessage) }

  /// The key asked about does not exist (XINFO of a stream that is gone).
  public var isNoSuchKey: Bool { ServerMessage.isNoSuchKey(serverMessage) }
}

/// What the text of an error reply means: each meaning the bus acts on is tested here, once.
package enum ServerMessage {
  /// The consumer group is not there: NOGROUP, or a blocked read woken because its stream was
  /// deleted (`UNBLOCKED the stream key no longer exists`, Redis 7).
  package static func isNoGroup(_ message: String?) -> Bool {
    guard let message else { return false }
    return message.hasPrefix("NOGROUP") || (message.hasPrefix("UNBLOCKED") && message.contains("no longer exists"))
  }

  /// XGROUP CREATE of a group that exists already.
  package static func isBusyGroup(_ message: String?) -> Bool { message?.hasPrefix("BUSYGROUP") == true }

  /// A command about a key that does not exist (XINFO).
  package static func isNoSuchKey(_ message: String?) -> Bool { message?.hasPrefix("ERR no such key") == true }
}

/// The text of the current `errno`, for messages.
func errnoText() -> String { String(cString: strerror(errno)) }
