import ArgumentParser
import EvtBus
import EvtOps
import EvtRedis
import Logging

/// Warnings about how evt was started (`--tls-insecure`): a `evt: warning: …` line on
/// standard error, or a log record once a command logs in json or logfmt.
enum Warnings {
  private static let logger = Locked<Logger?>(nil)

  static func useLogRecords(_ logger: Logger) { Self.logger.withLock { $0 = logger } }

  static func say(_ message: String) {
    if let logger = logger.withLock({ $0 }) {
      logger.warning("\(message)")
    } else {
      Terminal.note("warning: " + message)
    }
  }
}
