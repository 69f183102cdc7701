import ArgumentParser
import EvtBus

/// The exit codes of every evt command (documented in the README, "Exit codes").
package enum EvtExit {
  /// A handler failed, or output could not be written.
  package static let failure: Int32 = 1
  /// Bad options or arguments (EX_USAGE; what ArgumentParser uses for validation errors).
  package static let usage: Int32 = 64
  /// Invalid input data: bad JSON, a bad type name, an oversize event, an unreadable file.
  package static let badData: Int32 = 65
  /// What was asked for does not exist (`get-user` of an unknown user) (EX_NOINPUT).
  package static let notFound: Int32 = 66
  /// Redis is not reachable, did not answer in time, or closed the connection.
  package static let unavailable: Int32 = 69
  /// Redis answered a command with an error.
  package static let redisError: Int32 = 70
  /// What was to be created exists already (`create-user` with a taken address) (EX_CANTCREAT).
  package static let conflict: Int32 = 73
  /// `--timeout` passed without an event; or `publish --replicas`: fewer replicas confirmed
  /// in time (EX_TEMPFAIL: the event is on the master; publishing it again with its id is safe).
  package static let timeout: Int32 = 75
  /// Redis refused the password or needs one, or the Redis user lacks a permission (ACL).
  package static let authentication: Int32 = 77
  /// A context file is missing, unreadable, readable by others or malformed (EX_CONFIG).
  package static let configuration: Int32 = 78
  /// Stopped by a signal before it finished (`bench`), or a second signal while shutting down
  /// (128 + SIGINT).
  package static let interrupted: Int32 = 130
  /// The reader of standard output went away (like a process killed by SIGPIPE: 128 + 13).
  package static let outputClosed: Int32 = 141

  static func code(for kind: BusError.Kind) -> Int32 {
    switch kind {
    case .invalidArgument: return usage
    case .badData: return badData
    case .unavailable, .redisTimeout: return unavailable
    case .authentication, .permission: return authentication
    case .outputClosed: return outputClosed
    case .server: return redisError
    case .output: return failure
    case .conflict: return conflict
    case .notFound: return notFound
    case .notReplicated: return timeout
    case .configuration: return configuration
    }
  }
}

/// Ends a command with an exit code after its message was printed (or with nothing to say).
struct CommandExit: Error {
  let code: Int32
}
