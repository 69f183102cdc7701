import EvtRedis

/// Publishes envelopes to their type streams.
///
/// Each event is written by ``EventWriter`` (contract checked, type registered, envelope
/// appended), its commands pipelined. An event is published once Redis
/// has acknowledged its XADD; how durable that is depends on Redis's persistence settings
/// (`appendonly yes` + `appendfsync always` loses nothing). With ``replicas`` set, an event is
/// published only once that many replicas also confirmed it (Redis `WAIT`), so a failover
/// to one of them keeps it. Events of one publisher reach each stream in the order they were
/// given.
public final class Publisher {
  public let connection: RedisConnection
  public let keys: Keys
  /// Checks contracts and makes the commands that write an event.
  public var writer: EventWriter
  /// Types already registered in `NS:types` by this publisher (SADD is sent once per type).
  private var registered = Set<String>()
  /// What each outstanding reply answers: an event's XADD (with the input line it came
  /// from), a type's SADD (`envelope` nil), or a WAIT (``isWait``).
  private struct Outstanding {
    let write: EventWriter.Write?
    let line: Int
    var isWait = false
    var envelope: Envelope? { write?.envelope }
  }
  private var outstanding: [Outstanding] = []
  private var outstandingHead = 0
  /// With ``replicas``: events the master stored (with the id it gave them) whose
  /// replication no WAIT has confirmed yet.
  private var unreplicated: [(write: EventWriter.Write, line: Int, id: StreamID)] = []

  /// How many replicas must confirm each event, and how long to wait for them (Redis
  /// `WAIT`); `nil`: the master's acknowledgement is enough. Fewer confirmations fail with
  /// `.notReplicated`; the events stay unconfirmed (``unconfirmedLines``).
  public var replicas: (count: Int, timeoutMilliseconds: Int)?
  /// Per stream key, the newest stream id Redis confirmed to this publisher (read in place
  /// from the reply): where a search for unconfirmed events starts after a lost connection.
  private var confirmed: [String: StreamID] = [:]
  private var lastConfirmed: (stream: String, id: StreamID)?

  private func confirmedID(_ stream: String) -> StreamID? {
    lastConfirmed?.stream == stream ? lastConfirmed!.id : confirmed[stream]
  }
  /// When this publisher was made (ms): where a search for unconfirmed events starts on
  /// streams without a confirmed id.
  private let started = EventTime.now().milliseconds
  /// Events acknowledged by Redis so far in batch mode.
  public private(set) var acknowledged = 0
  /// The input line of the last event Redis acknowledged (0: none).
  public private(set) var lastAcknowledgedLine = 0
  /// Most commands kept in flight on the socket (sent, their replies not read yet). When the
  /// window is full, a quarter of it is read back and refilled: the socket never runs dry
  /// while a batch is awaited (not send-a-batch, wait-for-the-batch).
  public var window = 1024 {
    didSet { window = max(1, window) }
  }

  /// - Parameter contracts: the contracts every event published is checked against.
  public init(connection: RedisConnection, keys: Keys, contracts: EventContracts = .bus) {
    self.connection = connection
    self.keys = keys
    self.writer = EventWriter(keys: keys, contracts: contracts)
  }

  /// Publishes one envelope in one round trip and returns the stream id Redis gave it.
  /// - Throws: `.badData` when it breaks its contract (nothing is sent then).
  public func publish(_ envelope: Envelope) throws(BusError) -> StreamID {
    try publish(try prepare(envelope))
  }

  /// Publishes an event already prepared (its contract checked) in one round trip.
  public func publish(_ write: EventWriter.Write) throws(BusError) -> StreamID {
    try send(write, line: 0)
    try appendWait()
    var id: StreamID?
    while outstandingHead < outstanding.count {
      let isXAdd = outstanding[outstandingHead].envelope != nil
      let got = try next()
      if isXAdd { id = got }
    }
    guard let id else { throw BusError(.server, "XADD returned no stream id") }
    return id
  }

  /// Checks an envelope's contract and queues it (see ``enqueue(_:line:)``).
  public func enqueue(_ envelope: Envelope, line: Int = 0) throws(BusError) {
    try enqueue(try prepare(envelope), line: line)
  }

  /// Checks an envelope's contract (no I/O).
  public func prepare(_ envelope: Envelope) throws(BusError) -> EventWriter.Write {
    do { return try writer.prepare(envelope) } catch { throw BusError(error) }
  }

  /// Queues an event for pipelined publishing: commands are written in batches and their
  /// replies read while the next batch is prepared. Call ``finish()`` to wait for the rest.
  /// - Parameter line: where the event came from (an input line), for ``unconfirmedLines``.
  public func enqueue(_ write: EventWriter.Write, line: Int = 0) throws(BusError) {
    try send(write, line: line)
    if outstanding.count - outstandingHead >= window {
      try appendWait()
      try connection.busFlush()
      let keep = window - max(1, window / 4)
      while outstanding.count - outstandingHead > keep { try next() }
    }
  }

  /// Waits until Redis has acknowledged everything queued; returns the number of events
  /// acknowledged since this publisher was made.
  @discardableResult
  public func finish() throws(BusError) -> Int {
    if outstanding[outstandingHead...].contains(where: { $0.write != nil }) { try appendWait() }
    while outstandingHead < outstanding.count { try next() }
    return acknowledged
  }

  /// The input lines of the events sent but not (yet) acknowledged, in order.
  public var unconfirmedLines: [Int] {
    unreplicated.map(\.line) + outstanding[outstandingHead...].compactMap { $0.envelope == nil ? nil : $0.line }
  }

  /// With ``replicas``: asks again whether enough replicas have everything sent so far (after
  /// a `.notReplicated` failure, for instance once a failover gave the master a replica again).
  public func confirmReplication() throws(BusError) {
    try appendWait()
    while outstandingHead < outstanding.count { try next() }
  }

  /// With ``replicas``: a WAIT after the events sent since the last one.
  private func appendWait() throws(BusError) {
    guard let replicas else { return }
    outstanding.append(Outstanding(write: nil, line: 0, isWait: true))
    try connection.busAppend(["WAIT", String(replicas.count), String(replicas.timeoutMilliseconds)])
  }

  /// After the connection was lost and made again: finds which unacknowledged events Redis
  /// stored anyway (their reply was lost) by reading each stream after the last id it
  /// confirmed, counts those as published, and sends the rest again — so nothing is lost and
  /// nothing is published twice.
  public func resendUnconfirmed() throws(BusError) {
    let pending =
      unreplicated.map { ($0.write, $0.line) } + outstanding[outstandingHead...].compactMap { o in o.write.map { ($0, o.line) } }
    var expected: [String: [[UInt8]: Int]] = [:]
    for (write, _) in pending { expected[write.stream, default: [:]][write.envelope.raw, default: 0] += 1 }
    var found: [String: [[UInt8]: Int]] = [:]
    for (key, wanted) in expected {
      found[key] = try storedCopies(in: key, of: wanted)
    }
    // Only now is what was pending forgotten (a failure above, while the cluster is still
    // failing over, leaves it all for the next attempt). Nothing below does I/O until every
    // event to resend is queued again, so a failure while sending leaves them all
    // outstanding for the next attempt.
    unreplicated.removeAll()
    outstanding.removeAll()
    outstandingHead = 0
    registered.removeAll()
    var resend: [(write: EventWriter.Write, registering: Bool)] = []
    for (write, line) in pending {
      let raw = write.envelope.raw
      if let n = found[write.stream]?[raw], n > 0 {
        found[write.stream]![raw] = n - 1
        acknowledged += 1
        lastAcknowledgedLine = max(lastAcknowledgedLine, line)
        continue
      }
      resend.append((write, record(write, line: line)))
    }
    for r in resend { try appendCommands(r.write, registering: r.registering) }
    if !resend.isEmpty { try appendWait() }
  }

  /// One command reused for every XADD: no allocation per event.
  private var scratch = RedisCommand()

  /// Records what the replies to a write will answer and appends its commands to the
  /// connection's output.
  private func send(_ write: EventWriter.Write, line: Int) throws(BusError) {
    try appendCommands(write, registering: record(write, line: line))
  }

  /// Records what the replies to a write will answer: its type's registration the first
  /// time this publisher writes that type (the return value), then its XADD.
  private func record(_ write: EventWriter.Write, line: Int) -> Bool {
    let registering = registered.insert(write.envelope.type).inserted
    if registering { outstanding.append(Outstanding(write: nil, line: line)) }
    outstanding.append(Outstanding(write: write, line: line))
    return registering
  }

  /// Appends a recorded write's commands to the connection's output (no I/O): the XADD in
  /// one reused command.
  private func appendCommands(_ write: EventWriter.Write, registering: Bool) throws(BusError) {
    if registering { try connection.busAppend(writer.registration(write)) }
    writer.append(write, into: &scratch)
    try connection.busAppend(scratch)
  }

  /// How many copies of each wanted envelope `key` holds after the last confirmed id.
  private func storedCopies(in key: String, of wanted: [[UInt8]: Int]) throws(BusError) -> [[UInt8]: Int] {
    var start =
      confirmedID(key)?.exclusive
      ?? StreamID(milliseconds: UInt64(max(0, started - 300_000))).description
    var counts: [[UInt8]: Int] = [:]
    while true {
      let entries = try connection.range(key, from: start, count: 1000)
      for e in entries {
        if let raw = e.event, wanted[raw] != nil { counts[raw, default: 0] += 1 }
      }
      guard entries.count == 1000, let last = entries.last else { return counts }
      start = last.id.exclusive
    }
  }

  /// Reads the next reply (in place: no copy) and returns the stream id an XADD got (`nil`
  /// for a SADD).
  @discardableResult
  private func next() throws(BusError) -> StreamID? {
    let (failure, id, count) = try connection.busReply { (raw) -> (String?, StreamID?, Int?) in
      (raw.errorMessage, raw.isString ? StreamID.parse(raw.bytes) : nil, raw.integer)
    }
    let answered = outstanding[outstandingHead]
    outstandingHead += 1
    if outstandingHead == outstanding.count {
      outstanding.removeAll(keepingCapacity: true)
      outstandingHead = 0
    }
    if let failure {
      let command = answered.isWait ? "WAIT" : answered.write != nil ? "XADD" : "SADD"
      throw BusError(connection.error(forReply: failure, command: command, key: answered.write?.stream ?? keys.types))
    }
    if answered.isWait {
      try replicated(count ?? 0)
      return nil
    }
    guard let write = answered.write else { return nil }
    guard let id else { throw BusError(.server, "XADD to \(write.stream) returned no stream id") }
    if replicas != nil {
      unreplicated.append((write, answered.line, id))
    } else {
      confirm(write.stream, id, line: answered.line)
    }
    return id
  }

  /// An event is published: counted, and its id is where a search after a lost connection
  /// starts.
  private func confirm(_ stream: String, _ id: StreamID, line: Int) {
    acknowledged += 1
    lastAcknowledgedLine = line
    // The stream of the last event is kept aside (most imports write one type): the table is
    // updated only when the stream changes, not hashed per event.
    if let last = lastConfirmed, last.stream != stream { confirmed[last.stream] = last.id }
    lastConfirmed = (stream, id)
  }

  /// A WAIT answered: `count` replicas have everything sent before it.
  private func replicated(_ count: Int) throws(BusError) {
    guard let replicas else { return }
    guard count >= replicas.count else {
      let n = unreplicated.count
      throw BusError(
        .notReplicated,
        "only \(count) of \(replicas.count) replica\(replicas.count == 1 ? "" : "s") confirmed within \(replicas.timeoutMilliseconds)ms; \(n) event\(n == 1 ? " is" : "s are") on the master only and would be lost if it failed"
      )
    }
    for u in unreplicated { confirm(u.write.stream, u.id, line: u.line) }
    unreplicated.removeAll(keepingCapacity: true)
  }
}
