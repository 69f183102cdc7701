import EvtRedis

/// The seam between the connection layer and the bus: every call the bus makes into Redis
/// goes through these, and this is the one place where a ``RedisError`` (a lost connection, a
/// time-out, an error reply) becomes a ``BusError``.
extension RedisConnection {
  /// Sends one command and returns its reply; an error reply becomes a ``BusError`` (NOAUTH is
  /// an authentication error, NOPERM a permission error, …).
  package func busCommand(_ command: RedisCommand) throws(BusError) -> RedisReply {
    try busCall { () throws(RedisError) in try self.command(command) }
  }

  /// Sends one command and decodes its reply in place with `decode` (no copy of the reply
  /// tree); an error reply becomes a ``BusError`` before `decode` sees it.
  package func busDecode<T>(_ command: RedisCommand, _ decode: (RawReply) throws(BusError) -> T) throws(BusError) -> T {
    try busCall { () throws(RedisError) in try self.command(command, reading: decode) }.get()
  }

  /// Sends commands in one pipeline; the first error reply becomes a ``BusError``.
  package func busPipeline(_ commands: [RedisCommand]) throws(BusError) -> [RedisReply] {
    let replies = try busReplies(commands)
    for (c, r) in zip(commands, replies) { try busCheck(r, c.name, key: c.key) }
    return replies
  }

  /// Sends commands in one pipeline and returns every reply as it came, error replies
  /// included, for callers that judge them one by one (BUSYGROUP, NOGROUP, …).
  package func busReplies(_ commands: [RedisCommand]) throws(BusError) -> [RedisReply] {
    try busCall { () throws(RedisError) in try self.pipeline(commands) }
  }

  /// Throws the ``BusError`` an error reply stands for; any other reply passes.
  package func busCheck(_ reply: RedisReply, _ command: String, key: String? = nil) throws(BusError) {
    if let e = reply.errorMessage { throw BusError(error(forReply: e, command: command, key: key)) }
  }

  /// Queues a command without sending it (see ``RedisConnection/append(_:)``).
  package func busAppend(_ command: RedisCommand) throws(BusError) {
    try busCall { () throws(RedisError) in try self.append(command) }
  }

  /// Writes what is queued without waiting for replies.
  package func busFlush() throws(BusError) {
    try busCall { () throws(RedisError) in try self.flush() }
  }

  /// Reads the next reply of what was queued and lends it to `body` in place.
  package func busReply<T>(_ body: (RawReply) -> T) throws(BusError) -> T {
    try busCall { () throws(RedisError) in try self.withReply(body).get() }
  }

  /// Every key matching `pattern` (of `type`, when given), found with SCAN.
  package func busScanKeys(matching pattern: String, type: String? = nil) throws(BusError) -> [String] {
    try busCall { () throws(RedisError) in try self.scanKeys(matching: pattern, type: type) }
  }
}

/// Runs connection-layer calls, turning their error into a ``BusError``: the conversion every
/// method above makes, for sequences of appends and reads that must stay together (a read split
/// by slot, a window of reads ahead).
package func busCall<T>(_ body: () throws(RedisError) -> T) throws(BusError) -> T {
  do { return try body() } catch { throw BusError(error) }
}
