import EvtBus
import Logging

/// Handles the deliveries of one email-worker thread: composes the mail an event calls for,
/// sends it, and says what became of it — done (with `email.sent` to publish and the event to
/// mark done), failed (retried, or dead-lettered when permanent), or not ready (the mailer is
/// down and the circuit open: the group processor holds the event until the gate lets it
/// through). It never acknowledges, marks or waits itself: the bus's group processor does.
final class EmailHandler: DeliveryHandler {
  let composer: MailComposer
  let mailer: any Mailer
  let breaker: CircuitBreaker
  let timings: Timings
  /// Each mail sent, with its processing time; `nil` logs nothing.
  let log: Logger?
  /// The worker's consumer group: part of each `email.sent` id.
  let group: String

  init(
    group: String, composer: MailComposer, mailer: any Mailer, breaker: CircuitBreaker, timings: Timings,
    log: Logger?
  ) {
    self.group = group
    self.composer = composer
    self.mailer = mailer
    self.breaker = breaker
    self.timings = timings
    self.log = log
  }

  var gate: CircuitBreaker? { breaker }

  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    var result = HandlerResult(completed: [])
    for d in batch where !shouldStop() {
      switch try outcome(d) {
      case .done(let completion): result.completed.append(completion)
      case .failed(let failure): result.failures.append((d, failure))
      case .notReady: result.notReady.append(d)
      }
    }
    return result
  }

  enum Outcome {
    case done(Completion)
    case failed(HandlerFailure)
    case notReady
  }

  /// Sends the mail for one event.
  private func outcome(_ delivery: Delivery) throws(BusError) -> Outcome {
    let started = EventTime.nowMicroseconds()
    guard let event = delivery.envelope else { return .failed(HandlerFailure("not an envelope", permanent: true)) }
    let message: MailComposer.OutgoingMail
    switch try composer.compose(event) {
    case .success(let m): message = m
    case .failure(let f): return .failed(f)
    }
    do {
      try mailer.send(message.mail)
    } catch {
      return failure(error, sending: message.mail)
    }
    breaker.succeeded()
    let elapsedMicroseconds = EventTime.nowMicroseconds() - started
    timings.record(microseconds: elapsedMicroseconds)
    let elapsed = elapsedMicroseconds / 1000
    log?.info(
      "sent \(message.kind) mail to \(message.mail.to.email) for \(event.type) \(event.id) in \(elapsed) ms",
      metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "processing_ms": "\(elapsed)"])
    return .done(.done(delivery, publishing: [try sentEvent(message, cause: event, elapsed: elapsed)]))
  }

  /// What a mailer error means for the event, and for the circuit.
  private func failure(_ error: MailError, sending mail: Mail) -> Outcome {
    if error.permanent {
      breaker.succeeded()  // the mailer works; this message is refused
      return .failed(HandlerFailure("the mail to \(mail.to.email) was refused: \(error.message)", permanent: true))
    }
    if error.messageOnly {
      // The server answers; only this message is turned away for now (its recipient's
      // mailbox is busy or full): its own attempts count, the circuit stays closed.
      breaker.succeeded()
      return .failed(HandlerFailure("the mail to \(mail.to.email) was deferred: \(error.message)"))
    }
    // The mailer itself fails: once the circuit opens, the event waits instead of burning
    // its attempts.
    return breaker.failed(error.message) ? .notReady : .failed(HandlerFailure("mailer: \(error.message)"))
  }

  /// `email.sent` for a mail sent: correlated with its cause, its id derived from the cause and
  /// the group (a retried completion publishes it once).
  private func sentEvent(_ message: MailComposer.OutgoingMail, cause event: Envelope, elapsed: Int64) throws(BusError) -> Envelope {
    var data: [JSONValue.Member] = [
      .init("userId", .string(message.userId)), .init("type", .string(message.kind)), .init("recipient", .string(message.mail.to.email)),
    ]
    if let orderId = message.orderId { data.append(.init("orderId", .string(orderId))) }
    data.append(.init("messageId", .string("<\(message.mail.messageID)>")))
    data.append(.init("processingMs", .number(String(elapsed))))
    do {
      return try Envelope.create(
        type: EmailWorker.sentType, data: .object(data),
        headers: [("correlationId", event.correlationID), ("causationId", event.id), ("source", "evt run-email-worker")],
        id: EventID.derived(from: [group, event.type, event.id, EmailWorker.sentType]))
    } catch {
      throw BusError(error)
    }
  }
}
