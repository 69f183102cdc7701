import EvtRedis

/// Publishes envelopes to their type streams.
///
/// Publishing an event means: `SADD NS:types <type>` (so readers can find the stream) and
/// `XADD NS:stream:<type> * event <envelope>`, sent together. An event is published once Redis
/// has acknowledged its XADD; how durable that is depends on Redis's persistence settings
/// (`appendonly yes` + `appendfsync always` loses nothing). Events of one publisher reach each
/// stream in the order they were given.
public final class Publisher {
  public let connection: RedisConnection
  public let keys: Keys
  /// Types already registered in `NS:types` by this publisher (SADD is sent once per type).
  private var registered = Set<String>()
  /// What each outstanding reply answers: an event's XADD (with the input line it came
  /// from), or a type's SADD (`envelope` nil).
  private struct Outstanding {
    let envelope: Envelope?
    let line: Int
  }
  private var outstanding: [Outstanding] = []
  private var outstandingHead = 0
  /// Per stream key, the newest stream id Redis confirmed to this publisher.
  private var confirmed: [String: StreamID] = [:]
  /// When this publisher was made (ms): where a search for unconfirmed events starts on
  /// streams without a confirmed id.
  private let started = EventTime.now().milliseconds
  /// Events acknowledged by Redis so far in batch mode.
  public private(set) var acknowledged = 0
  /// The input line of the last event Redis acknowledged (0: none).
  public private(set) var lastAcknowledgedLine = 0
  /// Commands kept in flight while the next batch is prepared.
  public var batchSize = 1000

  public init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
  }

  /// Publishes one envelope in one round trip and returns the stream id Redis gave it.
  public func publish(_ envelope: Envelope) throws(BusError) -> StreamID {
    try enqueue(envelope)
    var id: StreamID?
    while outstandingHead < outstanding.count {
      let isXAdd = outstanding[outstandingHead].envelope != nil
      let reply = try next()
      if isXAdd { id = reply.string.flatMap(StreamID.init) }
    }
    guard let id else { throw BusError(.server, "XADD returned no stream id") }
    return id
  }

  /// Queues an envelope for pipelined publishing: commands are written in batches and their
  /// replies read while the next batch is prepared. Call ``finish()`` to wait for the rest.
  /// - Parameter line: where the event came from (an input line), for ``unconfirmedLines``.
  public func enqueue(_ envelope: Envelope, line: Int = 0) throws(BusError) {
    if registered.insert(envelope.type).inserted {
      var sadd: RedisCommand = ["SADD", keys.types]
      sadd.append(envelope.type)
      outstanding.append(Outstanding(envelope: nil, line: line))
      try wrap { () throws(RedisError) in try connection.append(sadd) }
    }
    var xadd: RedisCommand = ["XADD", keys.stream(envelope.type), "*", Keys.eventField]
    xadd.append(envelope.raw)
    outstanding.append(Outstanding(envelope: envelope, line: line))
    try wrap { () throws(RedisError) in try connection.append(xadd) }
    if outstanding.count - outstandingHead >= 2 * batchSize {
      try wrap { () throws(RedisError) in try connection.flush() }
      while outstanding.count - outstandingHead > batchSize { _ = try next() }
    }
  }

  /// Waits until Redis has acknowledged everything queued; returns the number of events
  /// acknowledged since this publisher was made.
  @discardableResult
  public func finish() throws(BusError) -> Int {
    while outstandingHead < outstanding.count { _ = try next() }
    return acknowledged
  }

  /// The input lines of the events sent but not (yet) acknowledged, in order.
  public var unconfirmedLines: [Int] {
    outstanding[outstandingHead...].compactMap { $0.envelope == nil ? nil : $0.line }
  }

  /// After the connection was lost and made again: finds which unacknowledged events Redis
  /// stored anyway (their reply was lost) by reading each stream after the last id it
  /// confirmed, counts those as published, and sends the rest again — so nothing is lost and
  /// nothing is published twice.
  public func resendUnconfirmed() throws(BusError) {
    let pending = outstanding[outstandingHead...].compactMap { o in o.envelope.map { ($0, o.line) } }
    var expected: [String: [[UInt8]: Int]] = [:]
    for (envelope, _) in pending { expected[keys.stream(envelope.type), default: [:]][envelope.raw, default: 0] += 1 }
    var found: [String: [[UInt8]: Int]] = [:]
    for (key, wanted) in expected {
      found[key] = try storedCopies(in: key, of: wanted)
    }
    // Nothing below does I/O until every event to resend is queued again, so a failure while
    // sending leaves them all outstanding for the next attempt.
    outstanding.removeAll()
    outstandingHead = 0
    registered.removeAll()
    var commands: [RedisCommand] = []
    for (envelope, line) in pending {
      let key = keys.stream(envelope.type)
      if let n = found[key]?[envelope.raw], n > 0 {
        found[key]![envelope.raw] = n - 1
        acknowledged += 1
        lastAcknowledgedLine = max(lastAcknowledgedLine, line)
        continue
      }
      if registered.insert(envelope.type).inserted {
        outstanding.append(Outstanding(envelope: nil, line: line))
        commands.append(["SADD", keys.types, envelope.type])
      }
      var xadd: RedisCommand = ["XADD", key, "*", Keys.eventField]
      xadd.append(envelope.raw)
      outstanding.append(Outstanding(envelope: envelope, line: line))
      commands.append(xadd)
    }
    for c in commands { try wrap { () throws(RedisError) in try connection.append(c) } }
  }

  /// How many copies of each wanted envelope `key` holds after the last confirmed id.
  private func storedCopies(in key: String, of wanted: [[UInt8]: Int]) throws(BusError) -> [[UInt8]: Int] {
    var start = confirmed[key]?.exclusive ?? StreamID(milliseconds: UInt64(max(0, started - 300_000))).description
    var counts: [[UInt8]: Int] = [:]
    while true {
      let reply = try connection.busCommand(["XRANGE", key, start, "+", "COUNT", "1000"])
      let entries = StreamEntry.list(reply, stream: key, type: "")
      for e in entries {
        if let raw = e.event, wanted[raw] != nil { counts[raw, default: 0] += 1 }
      }
      guard entries.count == 1000, let last = entries.last else { return counts }
      start = last.id.exclusive
    }
  }

  private func next() throws(BusError) -> RedisReply {
    let reply = try wrap { () throws(RedisError) in try connection.readReply() }
    let answered = outstanding[outstandingHead]
    outstandingHead += 1
    if outstandingHead == outstanding.count {
      outstanding.removeAll(keepingCapacity: true)
      outstandingHead = 0
    }
    try checked(
      reply, answered.envelope != nil ? "XADD" : "SADD", connection,
      key: answered.envelope.map { keys.stream($0.type) } ?? keys.types)
    if let envelope = answered.envelope {
      acknowledged += 1
      lastAcknowledgedLine = answered.line
      if let id = reply.string.flatMap(StreamID.init) { confirmed[keys.stream(envelope.type)] = id }
    }
    return reply
  }
}

/// Throws the ``BusError`` an error reply stands for (NOAUTH is an authentication error, …).
func checked(_ reply: RedisReply, _ command: String, _ connection: RedisConnection, key: String? = nil) throws(BusError) {
  _ = try wrap { () throws(RedisError) in try connection.check(reply, of: command, key: key) }
}

extension RedisConnection {
  /// Sends one command and returns its reply; a lost connection, a time-out or an error reply
  /// becomes a ``BusError`` (for stores built beside the bus, like the user store).
  public func busCommand(_ command: RedisCommand) throws(BusError) -> RedisReply {
    let reply = try wrap { () throws(RedisError) in try self.command(command) }
    try checked(reply, command.name, self)
    return reply
  }
}

/// Runs a connection-layer call, turning its error into a ``BusError``.
@inline(__always)
func wrap<T>(_ body: () throws(RedisError) -> T) throws(BusError) -> T {
  do { return try body() } catch { throw BusError(error) }
}

// MARK: - NDJSON

/// Turns one line of NDJSON into an envelope.
///
/// A line is either a full envelope (as `tail --json` prints it), which is kept byte for byte,
/// or a draft object `{"type":…,"data":…,"headers":{…},"id":…}` (`headers` and `id` optional),
/// which gets a new envelope with a fresh timestamp (and id unless given); its `data` is kept
/// as written, without insignificant white space. Either way the event must keep its type's
/// contract.
public struct NDJSONDecoder: Sendable {
  public var maxSize: Int
  public var contracts: EventContracts

  public init(maxSize: Int = Envelope.defaultMaxSize, contracts: EventContracts = .builtIn) {
    self.maxSize = maxSize
    self.contracts = contracts
  }

  public func envelope(fromLine line: [UInt8]) throws(EnvelopeError) -> Envelope {
    let envelope = try decode(line)
    try contracts.check(envelope)
    return envelope
  }

  private func decode(_ line: [UInt8]) throws(EnvelopeError) -> Envelope {
    if line.count > maxSize {
      throw EnvelopeError("the line is \(line.count) bytes, over the limit of \(maxSize) bytes")
    }
    let view = try Envelope.objectView(line, what: "a line")
    if Envelope.isFullEnvelope(view) {
      return try Envelope.decode(view, raw: line)
    }
    for m in view.members where !["type", "data", "headers", "id"].contains(m.key) {
      throw EnvelopeError("unknown member \(JSON.quoted(m.key)) (expected type, data, headers, id — or a full envelope)")
    }
    guard let typeValue = view.value("type") else { throw EnvelopeError("the object has no \"type\"") }
    guard let type = typeValue.stringValue else {
      throw EnvelopeError("\"type\" must be a string, not \(typeValue.kindDescription)")
    }
    guard let data = view.raw("data") else { throw EnvelopeError("the object has no \"data\"") }
    var id: String?
    if let idValue = view.value("id") {
      guard let s = idValue.stringValue else { throw EnvelopeError("\"id\" must be a string, not \(idValue.kindDescription)") }
      id = s
    }
    let headers = try Envelope.parseHeaders(view.value("headers"))
    // The line may nest deeper than data may (a full envelope can carry data at the limit):
    // check the data's own depth as publish does.
    return try Envelope.create(type: type, data: Array(data), headers: headers, id: id, maxSize: maxSize)
  }
}
