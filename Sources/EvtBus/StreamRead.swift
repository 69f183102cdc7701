import EvtRedis

extension RedisConnection {
  /// What ``readStreams(_:keys:blockMilliseconds:after:)`` got.
  struct StreamRead {
    /// The entries read, decoded in place from the reply (one copy each: the envelope bytes).
    var entries: [StreamEntry] = []
    /// The read's own error reply (NOGROUP, …), for the caller to judge.
    var error: RedisError?
    /// The error replies of the commands sent before the read, in order (`nil`: no error).
    var earlierErrors: [String?] = []
  }

  /// Sends `earlier` commands and an XREAD/XREADGROUP in one write — one round trip — and
  /// decodes the read's reply without copying it into a ``RedisReply`` tree. A blocking read
  /// (`blockMilliseconds`) gets that much more time than the command timeout.
  func readStreams(_ command: RedisCommand, keys: Keys, blockMilliseconds: Int?, after earlier: [RedisCommand] = [])
    throws(BusError) -> StreamRead
  {
    var read = StreamRead()
    let decoded: Result<RedisError?, BusError>
    do throws(RedisError) {
      for c in earlier { try append(c) }
      try append(command)
      if let ms = blockMilliseconds { try useTimeout(commandTimeout + Double(ms) / 1000) }
      for _ in earlier { read.earlierErrors.append(try withReply { (raw) -> String? in raw.errorMessage }.get()) }
      decoded = try withReply { (raw) throws(BusError) -> RedisError? in
        if let e = raw.errorMessage { return error(forReply: e, command: command.name, key: command.key) }
        try StreamEntry.streams(raw, keys: keys, into: &read.entries)
        return nil
      }
      if blockMilliseconds != nil { try restoreTimeout() }
    } catch {
      throw BusError(error)
    }
    read.error = try decoded.get()
    return read
  }
}
