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
}

/// Runs a connection-layer call, turning its error into a ``BusError``.
@inline(__always)
func wrap<T>(_ body: () throws(RedisError) -> T) throws(BusError) -> T {
  do { return try body() } catch { throw BusError(error) }
}
