import EvtBus
import Logging

extension DeadLetterQueue {
  /// Logs a warning for each dead letter written: its type, stream id, event id (when the
  /// entry holds an envelope that can be read) and why.
  package func logEach(to logger: Logger) {
    onBury = { delivery, failure in
      var metadata: Logger.Metadata = ["type": "\(delivery.entry.type)", "stream_id": "\(delivery.entry.id)"]
      if let id = delivery.eventID { metadata["event_id"] = "\(id)" }
      logger.warning("dead-lettered \(delivery.entry.type) entry \(delivery.entry.id): \(failure.reason)", metadata: metadata)
    }
  }
}
