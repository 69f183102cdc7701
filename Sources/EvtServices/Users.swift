import EvtBus
import EvtRedis

/// A user of the user service.
public struct User: Sendable, Equatable {
  /// A random UUID.
  public var id: String
  public var name: String
  /// As given (trimmed); unique without regard to letter case.
  public var email: String
  /// ISO-8601 UTC with milliseconds.
  public var createdAt: String

  /// `{"id","name","email","createdAt"}`.
  public var json: JSONValue {
    .object([
      .init("id", .string(id)), .init("name", .string(name)), .init("email", .string(email)), .init("createdAt", .string(createdAt)),
    ])
  }
}

/// What makes a name and an email address acceptable.
public enum UserValidation {
  /// Longest name, in characters (grapheme clusters), after trimming.
  public static let maxNameLength = 200
  /// Longest name in bytes of UTF-8 (so combining marks cannot make a 200-character name huge).
  public static let maxNameBytes = 800

  /// The trimmed name.
  /// - Throws: ``BusError`` `.badData` when it is empty, too long (in characters or bytes), or
  ///   holds control characters (C0, C1, DEL), line or paragraph separators, or bidi controls.
  public static func name(_ raw: String) throws(BusError) -> String {
    let name = trimmed(raw)
    guard !name.isEmpty else { throw BusError(.badData, "the name is empty") }
    guard name.utf8.count <= maxNameBytes else {
      throw BusError(.badData, "the name is \(name.utf8.count) bytes long; at most \(maxNameBytes) are allowed")
    }
    guard name.count <= maxNameLength else {
      throw BusError(.badData, "the name is \(name.count) characters long; at most \(maxNameLength) are allowed")
    }
    if let bad = name.unicodeScalars.first(where: Printable.isUnsafe) {
      throw BusError(.badData, "the name contains the control character U+\(String(bad.value, radix: 16, uppercase: true))")
    }
    return name
  }

  /// The trimmed address.
  /// - Throws: ``BusError`` `.badData` unless it is `local@domain` with a dot-atom local part
  ///   (RFC 5322, no quoted forms) and a domain of at least two DNS labels.
  public static func email(_ raw: String) throws(BusError) -> String {
    let email = trimmed(raw)
    guard !email.isEmpty else { throw BusError(.badData, "the email address is empty") }
    if let why = EmailAddress.problem(email) {
      throw BusError(.badData, "\(JSON.quoted(email)) is not a valid email address: \(why)")
    }
    return email
  }

  /// Checks a caller-chosen user id: 1 to 64 letters, digits, `.`, `_` or `-`.
  public static func id(_ id: String) throws(BusError) {
    let ok =
      !id.isEmpty && id.utf8.count <= 64
      && id.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    if !ok { throw BusError(.badData, "the user id \(JSON.quoted(id)) must be 1 to 64 letters, digits, '.', '_' or '-'") }
  }

  /// The form of an address in the unique-email index: lower-cased.
  public static func indexKey(_ email: String) -> String { trimmed(email).lowercased() }

  private static func isAlnum(_ b: UInt8) -> Bool {
    EmailAddress.isAlnum(b)
  }

  static func trimmed(_ s: String) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
    let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
    return String(scalars[first...last])
  }
}

/// A user to be created, validated (so input can be checked before connecting to Redis).
public struct NewUser: Sendable, Equatable {
  /// Trimmed.
  public let name: String
  /// Trimmed.
  public let email: String
  /// A caller-chosen id, or `nil` for a new UUID.
  public let id: String?

  /// - Throws: ``BusError`` `.badData` for an invalid name, address or id.
  public init(name: String, email: String, id: String? = nil) throws(BusError) {
    self.name = try UserValidation.name(name)
    self.email = try UserValidation.email(email)
    if let id { try UserValidation.id(id) }
    self.id = id
  }

  /// A user given as JSON, `{"name":…,"email":…}`.
  /// - Throws: ``BusError`` `.badData` when it is not such an object, or its values are invalid.
  public init(json bytes: [UInt8], id: String? = nil) throws(BusError) {
    let value: JSONValue
    do { value = try JSON.parse(bytes) } catch { throw BusError(.badData, "the user is not valid JSON: \(error)") }
    var strings: [String] = []
    for member in ["name", "email"] {
      guard let v = value[member] else { throw BusError(.badData, "the user has no \(JSON.quoted(member))") }
      guard let s = v.stringValue else {
        throw BusError(.badData, "the user's \(JSON.quoted(member)) must be a string, not \(v.kindDescription)")
      }
      strings.append(s)
    }
    try self.init(name: strings[0], email: strings[1], id: id)
  }
}

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
public final class UserStore {
  public let connection: RedisConnection
  public let keys: Keys
  public static let createdType = ServiceTypes.userCreated
  /// Writes `user.created` (its contract checked).
  private let writer: EventWriter

  public init(connection: RedisConnection, keys: Keys) {
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
  public func create(
    name: String, email: String, id: String? = nil, headers: [(key: String, value: String)] = []
  ) throws(BusError) -> (user: User, event: Envelope) {
    try create(try NewUser(name: name, email: email, id: id), headers: headers)
  }

  /// Creates an already validated user (see ``create(name:email:id:headers:)``).
  public func create(_ new: NewUser, headers: [(key: String, value: String)] = []) throws(BusError) -> (user: User, event: Envelope) {
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
  public func relayOutbox() throws(BusError) -> Int {
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
  public func user(id: String) throws(BusError) -> User? {
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
  public func user(email: String) throws(BusError) -> User? {
    guard let id = try connection.busCommand(["GET", keys.userEmail(UserValidation.indexKey(email))]).string else { return nil }
    return try user(id: id)
  }

  /// Looks a user up by id, or by address when `idOrEmail` contains `@`.
  public func find(_ idOrEmail: String) throws(BusError) -> User? {
    idOrEmail.contains("@") ? try user(email: idOrEmail) : try user(id: idOrEmail)
  }
}
