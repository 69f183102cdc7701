import EvtRedis

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

  /// Sends commands in one pipeline; the first error reply becomes a ``BusError``.
  public func busPipeline(_ commands: [RedisCommand]) throws(BusError) -> [RedisReply] {
    let replies = try wrap { () throws(RedisError) in try self.pipeline(commands) }
    for (c, r) in zip(commands, replies) { try checked(r, c.name, self) }
    return replies
  }
}

/// Runs a connection-layer call, turning its error into a ``BusError``.
@inline(__always)
func wrap<T>(_ body: () throws(RedisError) -> T) throws(BusError) -> T {
  do { return try body() } catch { throw BusError(error) }
}
