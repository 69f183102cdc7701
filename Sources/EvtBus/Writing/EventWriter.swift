import EvtRedis

/// The one way an event is written, whoever writes it (`publish`, `publish --ndjson`, dead
/// letters, completions with follow-up events, the user store): its type's contract is
/// checked, its type is registered in `NS:types` (so readers can find its stream), and its
/// envelope is appended to `NS:{<type>}:stream` under the field ``field``.
///
/// ``prepare(_:)`` does the checking without any I/O; the prepared ``Write`` then becomes
/// commands (``commands(_:)``: the registration, then the append — sent in that order, so an
/// event is never in a stream that readers cannot find). The registry and the stream are in
/// different slots, so the two are never one transaction: a crash between them leaves a type
/// registered whose event was not written, which readers skip.
///
/// An event caused by another (a follow-up, an announcement) is written with ``once(_:)``
/// under an id derived from its cause (``EventID/derived(from:)``), before the step that
/// caused it is recorded as done: a step retried after a crash writes it again under the same
/// id, which is then a no-op.
public struct EventWriter: Sendable {
  public let keys: Keys
  public let contracts: EventContracts
  /// How each append trims its stream, if at all (`publish --maxlen` / `--max-age`).
  public var cap: StreamCap?

  /// The stream field that holds the envelope: the only place it is spelled.
  public static let field = "event"

  public init(keys: Keys, contracts: EventContracts = .bus) {
    self.keys = keys
    self.contracts = contracts
  }

  /// An event whose contract was checked, ready to be written.
  public struct Write: Sendable {
    public let envelope: Envelope
    /// `NS:{<type>}:stream`.
    public let stream: String
  }

  /// Checks `envelope` against its type's contract.
  /// - Throws: ``EnvelopeError`` naming the field that breaks it.
  public func prepare(_ envelope: Envelope) throws(EnvelopeError) -> Write {
    try contracts.check(envelope)
    return Write(envelope: envelope, stream: keys.stream(envelope.type))
  }

  /// ``prepare(_:)`` for an envelope whose contract check was already done by the scan that
  /// made it (`violation`: what it found), so its data is not walked twice.
  /// `stream` is the envelope's stream key when the caller has it at hand.
  func prepare(_ envelope: Envelope, violation: String?, stream: String? = nil) throws(EnvelopeError) -> Write {
    if let violation { throw EnvelopeError(violation) }
    return Write(envelope: envelope, stream: stream ?? keys.stream(envelope.type))
  }

  /// `SADD NS:types <type>`.
  public func registration(_ write: Write) -> RedisCommand {
    var command: RedisCommand = ["SADD", keys.types]
    command.append(write.envelope.type)
    return command
  }

  /// `XADD NS:{<type>}:stream * event <envelope>`.
  public func append(_ write: Write) -> RedisCommand {
    var command = RedisCommand()
    append(write, into: &command)
    return command
  }

  /// ``append(_:)`` written into `command` (emptied first), to reuse its storage.
  public func append(_ write: Write, into command: inout RedisCommand) {
    Self.append(write.envelope.raw, to: write.stream, cap: cap, into: &command)
  }

  /// `XADD <stream> * event <envelope>`: an envelope added to a stream that is not a type's
  /// own (a group's dead letters or replay stream).
  public static func append(_ envelope: [UInt8], to stream: String) -> RedisCommand {
    var command = RedisCommand()
    append(envelope, to: stream, into: &command)
    return command
  }

  static func append(_ envelope: [UInt8], to stream: String, cap: StreamCap? = nil, into command: inout RedisCommand) {
    command.removeAll()
    command.append("XADD")
    command.appendKey(stream)
    switch cap {
    case nil: break
    case .maxLength(let n):
      command.append("MAXLEN")
      command.append("~")
      command.append(String(n))
    case .maxAge(let ms):
      command.append("MINID")
      command.append("~")
      command.append(String(max(0, EventTime.now().milliseconds - ms)))
    }
    command.append("*")
    command.append(field)
    command.append(envelope)
  }

  /// Both commands, in order, for a pipeline.
  public func commands(_ write: Write) -> [RedisCommand] {
    [registration(write), append(write)]
  }

  /// How long a published marker (``once(_:)``) is kept: as long as a done marker, longer than
  /// any retry of the step that wrote the event.
  public static let onceTTL = DoneMarkers.defaultTTL

  private static let onceScript = RedisScript(
    """
    -- KEYS: stream, published marker; ARGV: ttl, envelope
    if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
      return redis.call('XADD', KEYS[1], '*', '\(field)', ARGV[2])
    end
    return false
    """)

  /// The append of an event whose id is derived from its cause: written unless an event of
  /// its type with its id was written this way before (within ``onceTTL``); one script in
  /// the type's slot. Its reply is the stream id, or null when it was written before.
  public func once(_ write: Write) -> RedisCommand {
    Self.onceScript.command(
      keys: [write.stream, keys.published(write.envelope.type, write.envelope.id)],
      args: [String(Self.onceTTL), write.envelope.rawString])
  }

  /// Writes events caused by another step (``once(_:)`` each, after registering their types)
  /// and waits until Redis has them: only then may the step be recorded as done.
  public func publishOnce(_ writes: [Write], on connection: RedisConnection) throws(BusError) {
    guard !writes.isEmpty else { return }
    var commands: [RedisCommand] = []
    for type in Set(writes.map(\.envelope.type)).sorted() { commands.append(["SADD", keys.types, type]) }
    commands += writes.map(once)
    let replies = try connection.busReplies(commands)
    for (command, reply) in zip(commands, replies) { try connection.busCheck(reply, command.name, key: command.key) }
  }

  /// Lua that defines `append_envelope(stream_key, envelope)` (returns the new stream id), for
  /// scripts that write an envelope into a stream of their slot.
  public static let luaFunction = """
    local function append_envelope(stream, envelope)
      return redis.call('XADD', stream, '*', '\(field)', envelope)
    end

    """
}

/// How an append trims its stream: approximately (`~`: Redis trims whole macro nodes, so a
/// little more than asked for may stay), without regard to consumer groups — for a cap that
/// never drops unfinished work use `evt trim`.
public enum StreamCap: Sendable, Equatable {
  /// `XADD … MAXLEN ~ n`: keep about the newest `n` entries.
  case maxLength(Int)
  /// `XADD … MINID ~ <now − ms>`: drop entries older than `ms` milliseconds.
  case maxAge(Int64)
}
