import EvtBus
import EvtRedis

/// The user store: `NS:{users}:user:<id>` (a hash), `NS:{users}:user-email:<lower-cased email>`
/// (the id) and `NS:{users}:outbox` (events not yet published), all in one slot.
///
/// ``create(name:email:headers:)`` writes the user, its index entry and its `user.created` event
/// into the outbox in one Lua script — of two concurrent creations with the same address
/// exactly one succeeds — and then relays the outbox: each event is published once
/// (``EventWriter/once(_:)``) and only then taken out. The `user.created` stream is in another
/// slot, so this cannot be one script; a crash between the steps leaves the event in the
/// outbox, and the next creation (or ``relayOutbox()``) publishes it. There is never a user
/// whose event is lost, nor an event whose user was not created.
package final class UserStore {
  package let connection: RedisConnection
  package let keys: Keys
  package static let createdType = ServiceTypes.userCreated
  /// Writes `user.created` (its contract checked).
  private let writer: EventWriter

  package init(connection: RedisConnection, keys: Keys) {
    self.connection = connection
    self.keys = keys
    self.writer = EventWriter(keys: keys, contracts: ServiceTypes.contracts)
  }

  private static let createScript = RedisScript(
    EventWriter.luaFunction + """
      -- KEYS: email index, user hash, outbox; ARGV: id, name, email, createdAt, envelope
      local existing = redis.call('GET', KEYS[1])
      if existing then return {0, existing} end
      if redis.call('EXISTS', KEYS[2]) == 1 then return {2, ARGV[1]} end
      redis.call('SET', KEYS[1], ARGV[1])
      redis.call('HSET', KEYS[2], 'id', ARGV[1], 'name', ARGV[2], 'email', ARGV[3], 'createdAt', ARGV[4])
      return {1, append_envelope(KEYS[3], ARGV[5])}
      """)

  /// Validates and creates a user, publishing `user.created` (data: userId, email, name)
  /// through the outbox.
  /// - Parameters:
  ///   - id: the user's id (1 to 64 letters, digits, `.`, `_`, `-`), for imports; `nil` for a
  ///     new UUID.
  ///   - headers: extra envelope headers (a `correlationId` to join a flow); `source` is set to
  ///     `evt create-user` unless given.
  /// - Returns: the user and the event published for it.
  /// - Throws: ``BusError`` `.badData` for an invalid name or address, `.conflict` when the
  ///   address (in any letter case) or the id is taken; nothing is written then.
  package func create(
    name: String, email: String, id: String? = nil, headers: [(key: String, value: String)] = []
  ) throws(BusError) -> (user: User, event: Envelope) {
    try create(try NewUser(name: name, email: email, id: id), headers: headers)
  }

  /// Creates an already validated user (see ``create(name:email:id:headers:)``).
  package func create(_ new: NewUser, headers: [(key: String, value: String)] = []) throws(BusError) -> (user: User, event: Envelope) {
    let name = new.name
    let email = new.email
    let now = EventTime.now().iso
    let user = User(id: new.id ?? EventID.generate(), name: name, email: email, createdAt: now)
    var headers = headers
    if !headers.contains(where: { $0.key == "source" }) { headers.append(("source", "evt create-user")) }
    let write: EventWriter.Write
    do {
      let data = JSONValue.object([.init("userId", .string(user.id)), .init("email", .string(email)), .init("name", .string(name))])
      write = try writer.prepare(try Envelope.create(type: Self.createdType, data: data, headers: headers, timestamp: now))
    } catch {
      throw BusError(error)
    }
    let event = write.envelope
    let reply = try Self.createScript.run(
      on: connection, keys: [keys.userEmail(UserValidation.indexKey(email)), keys.user(user.id), keys.userOutbox],
      args: [user.id, name, email, now, event.rawString])
    guard let result = reply.array, result.count == 2 else { throw BusError(.server, "unexpected reply to the user creation script") }
    if result[0].int == 2 { throw BusError(.conflict, "a user with the id \(JSON.quoted(user.id)) already exists") }
    if result[0].int != 1 {
      throw BusError(.conflict, "a user with the email address \(JSON.quoted(email)) already exists (id \(result[1].string ?? "?"))")
    }
    try relayOutbox()
    return (user, event)
  }

  /// Publishes every event waiting in the outbox (each once), then takes it out. Returns how
  /// many were relayed.
  @discardableResult
  package func relayOutbox() throws(BusError) -> Int {
    var relayed = 0
    while true {
      let entries = try connection.range(keys.userOutbox, from: "-", count: 100)
      guard !entries.isEmpty else { return relayed }
      var writes: [EventWriter.Write] = []
      for e in entries {
        guard let raw = e.event, let envelope = try? Envelope.decode(raw) else { continue }
        do { writes.append(try writer.prepare(envelope)) } catch { continue }  // checked when it was created
      }
      try writer.publishOnce(writes, on: connection)
      var delete: RedisCommand = ["XDEL", keys.userOutbox]
      for e in entries { delete.append(e.id.description) }
      _ = try connection.busCommand(delete)
      relayed += writes.count
    }
  }

  /// The user with this id, or `nil`.
  package func user(id: String) throws(BusError) -> User? {
    let reply = try connection.busCommand(["HGETALL", keys.user(id)])
    guard let items = reply.array, !items.isEmpty else { return nil }
    var fields: [String: String] = [:]
    var i = 0
    while i + 1 < items.count {
      fields[items[i].string ?? ""] = items[i + 1].string
      i += 2
    }
    guard let id = fields["id"], let name = fields["name"], let email = fields["email"] else {
      throw BusError(.badData, "the user record \(keys.user(id)) is incomplete")
    }
    return User(id: id, name: name, email: email, createdAt: fields["createdAt"] ?? "")
  }

  /// The user with this address (in any letter case), or `nil`.
  package func user(email: String) throws(BusError) -> User? {
    guard let id = try connection.busCommand(["GET", keys.userEmail(UserValidation.indexKey(email))]).string else { return nil }
    return try user(id: id)
  }

  /// Looks a user up by id, or by address when `idOrEmail` contains `@`.
  package func find(_ idOrEmail: String) throws(BusError) -> User? {
    idOrEmail.contains("@") ? try user(email: idOrEmail) : try user(id: idOrEmail)
  }
}
