/// Handles deliveries for a subscription: prints them, runs a command for each, sends mail, …
///
/// A handler only says what became of each delivery (``HandlerResult``); in a consumer group
/// the bus's ``GroupBatchProcessor`` alone acts on it — acknowledges, writes the done marker
/// and follow-up events with the acknowledgement, retries, dead-letters, or holds an event
/// until the handler's ``gate`` opens — so the at-least-once rule lives in one place.
public protocol DeliveryHandler: AnyObject {
  /// Handles a batch in order and says what became of each delivery it got to. May return
  /// early when `shouldStop()` turns true; deliveries it did not report on are given back to
  /// the group. Throwing stops the subscription without acknowledging anything of the batch.
  func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult

  /// The gate in front of the handler's downstream (its circuit breaker), or `nil`. In a
  /// consumer group the processor consults it, and nothing else does: no new work is read
  /// while it is open, each event is handed over with its permit, and an event reported
  /// ``HandlerResult/notReady`` is held (pending, its claim kept fresh, no attempt counted)
  /// and handed over again when the gate lets it through. The default is `nil`.
  var gate: CircuitBreaker? { get }
}

extension DeliveryHandler {
  public var gate: CircuitBreaker? { nil }
}

/// The type and id an event is known by: what a done marker records.
public struct EventKey: Sendable, Equatable {
  public var type: String
  public var id: String

  public init(type: String, id: String) {
    self.type = type
    self.id = id
  }
}

extension Envelope {
  /// The type and id this event is known by.
  public var key: EventKey { EventKey(type: type, id: id) }
}

/// A delivery handled successfully, and what the bus writes for it (see ``DoneMarkers``):
/// follow-up events first, then the done marker with the acknowledgement, atomically.
public struct Completion: Sendable {
  public let entry: StreamEntry
  /// Set when the group records the event as done: a redelivery of it is then acknowledged
  /// without being handed to the handler again.
  public let marker: EventKey?
  /// Events to publish before the acknowledgement (their contracts checked), each once. Their
  /// ids must derive from the cause (``EventID/derived(from:)``), so a completion retried
  /// after a crash publishes nothing twice.
  public let followUps: [Envelope]

  /// Only acknowledge the entry.
  public static func acknowledge(_ entry: StreamEntry) -> Completion {
    Completion(entry: entry, marker: nil, followUps: [])
  }

  /// Publish `followUps`, then record the delivered event as done and acknowledge it.
  public static func done(_ delivery: Delivery, publishing followUps: [Envelope] = []) -> Completion {
    let marker = delivery.envelope?.key
    return Completion(entry: delivery.entry, marker: marker, followUps: followUps)
  }
}

/// What a handler did with a batch.
public struct HandlerResult: Sendable {
  /// Deliveries handled successfully.
  public var completed: [Completion]
  /// Deliveries whose handling failed, and why: retried, or dead-lettered when permanent or
  /// out of attempts.
  public var failures: [(delivery: Delivery, failure: HandlerFailure)]
  /// Deliveries that could not be handled because the downstream is unavailable (the
  /// handler's gate is now open): held, not counted as attempts.
  public var notReady: [Delivery]

  /// The entries handled successfully; setting it makes each a plain acknowledgement.
  public var succeeded: [StreamEntry] {
    get { completed.map(\.entry) }
    set { completed = newValue.map(Completion.acknowledge) }
  }
  public var failed: Int { failures.count }

  /// Plain successes (acknowledged) and failures.
  public init(succeeded: [StreamEntry], failures: [(delivery: Delivery, failure: HandlerFailure)] = []) {
    self.init(completed: succeeded.map(Completion.acknowledge), failures: failures)
  }

  public init(
    completed: [Completion], failures: [(delivery: Delivery, failure: HandlerFailure)] = [], notReady: [Delivery] = []
  ) {
    self.completed = completed
    self.failures = failures
    self.notReady = notReady
  }

  mutating func add(_ other: HandlerResult) {
    completed += other.completed
    failures += other.failures
    notReady += other.notReady
  }
}
