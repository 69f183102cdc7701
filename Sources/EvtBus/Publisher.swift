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
  /// What each outstanding reply answers: a stream XADD (true) or a type SADD (false).
  private var outstanding: [Bool] = []
  private var outstandingHead = 0
  /// Events acknowledged by Redis so far in batch mode.
  public private(set) var acknowledged = 0
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
      let isXAdd = outstanding[outstandingHead]
      let reply = try next()
      if isXAdd { id = reply.string.flatMap(StreamID.init) }
    }
    guard let id else { throw BusError(.server, "XADD returned no stream id") }
    return id
  }

  /// Queues an envelope for pipelined publishing: commands are written in batches and their
  /// replies read while the next batch is prepared. Call ``finish()`` to wait for the rest.
  public func enqueue(_ envelope: Envelope) throws(BusError) {
    if registered.insert(envelope.type).inserted {
      var sadd: RedisCommand = ["SADD", keys.types]
      sadd.append(envelope.type)
      try wrap { () throws(RedisError) in try connection.append(sadd) }
      outstanding.append(false)
    }
    var xadd: RedisCommand = ["XADD", keys.stream(envelope.type), "*", Keys.eventField]
    xadd.append(envelope.raw)
    try wrap { () throws(RedisError) in try connection.append(xadd) }
    outstanding.append(true)
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

  private func next() throws(BusError) -> RedisReply {
    let reply = try wrap { () throws(RedisError) in try connection.readReply() }
    let isXAdd = outstanding[outstandingHead]
    outstandingHead += 1
    if outstandingHead == outstanding.count {
      outstanding.removeAll(keepingCapacity: true)
      outstandingHead = 0
    }
    try checked(reply, isXAdd ? "XADD" : "SADD", connection)
    if isXAdd { acknowledged += 1 }
    return reply
  }
}

/// Throws the ``BusError`` an error reply stands for (NOAUTH is an authentication error, …).
func checked(_ reply: RedisReply, _ command: String, _ connection: RedisConnection) throws(BusError) {
  _ = try wrap { () throws(RedisError) in try connection.check(reply, of: command) }
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
      throw EnvelopeError("the line is \(line.count) bytes, over the limit of \(maxSize) bytes (raise it with --max-size)")
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
    return try Envelope.create(type: type, compactData: Array(data), headers: headers, id: id, timestamp: nil, maxSize: maxSize)
  }
}
