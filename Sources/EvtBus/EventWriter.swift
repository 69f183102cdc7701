import EvtRedis

/// The one way an event is written, whoever writes it (`publish`, `publish --ndjson`, dead
/// letters, completions with follow-up events, the user store): its type's contract is
/// checked, its type is registered in `NS:types` (so readers can find its stream), and its
/// envelope is appended to `NS:stream:<type>` under the field ``field``.
///
/// ``prepare(_:)`` does the checking without any I/O; the prepared ``Write`` then becomes
/// commands for a pipeline or a `MULTI` (``commands(_:)``), or keys and arguments for a Lua
/// script that calls ``luaFunction``'s `append_event`. Registering the type first means an
/// event is never in a stream that readers cannot find.
public struct EventWriter: Sendable {
  public let keys: Keys
  public let contracts: EventContracts

  /// The stream field that holds the envelope: the only place it is spelled.
  public static let field = "event"

  public init(keys: Keys, contracts: EventContracts = .bus) {
    self.keys = keys
    self.contracts = contracts
  }

  /// An event whose contract was checked, ready to be written.
  public struct Write: Sendable {
    public let envelope: Envelope
    /// `NS:stream:<type>`.
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

  /// `XADD NS:stream:<type> * event <envelope>`.
  public func append(_ write: Write) -> RedisCommand {
    Self.append(write.envelope.raw, to: write.stream)
  }

  /// ``append(_:)`` written into `command` (emptied first), to reuse its storage.
  public func append(_ write: Write, into command: inout RedisCommand) {
    Self.append(write.envelope.raw, to: write.stream, into: &command)
  }

  /// `XADD <stream> * event <envelope>`: an envelope added to a stream that is not a type's
  /// own (a group's dead letters or replay stream).
  public static func append(_ envelope: [UInt8], to stream: String) -> RedisCommand {
    var command = RedisCommand()
    append(envelope, to: stream, into: &command)
    return command
  }

  static func append(_ envelope: [UInt8], to stream: String, into command: inout RedisCommand) {
    command.removeAll()
    command.append("XADD")
    command.append(stream)
    command.append("*")
    command.append(field)
    command.append(envelope)
  }

  /// Both commands, in order, for a pipeline or inside `MULTI`/`EXEC`.
  public func commands(_ write: Write) -> [RedisCommand] {
    [registration(write), append(write)]
  }

  /// Lua that defines `append_event(types_key, stream_key, type, envelope)` (registers the
  /// type, appends the envelope, returns the new stream id) and
  /// `append_envelope(stream_key, envelope)`; scripts that write events start with it.
  public static let luaFunction = """
    local function append_envelope(stream, envelope)
      return redis.call('XADD', stream, '*', '\(field)', envelope)
    end
    local function append_event(types, stream, type, envelope)
      redis.call('SADD', types, type)
      return append_envelope(stream, envelope)
    end

    """

  /// The keys a script passes to `append_event` for this write: the types set, the stream.
  public func luaKeys(_ write: Write) -> [String] { [keys.types, write.stream] }

  /// The arguments a script passes to `append_event` for this write: the type, the envelope.
  public func luaArguments(_ write: Write) -> [String] { [write.envelope.type, write.envelope.rawString] }
}
