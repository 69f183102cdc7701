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
      if let ms = blockMilliseconds { useTimeout(commandTimeout + Double(ms) / 1000) }
      for _ in earlier { read.earlierErrors.append(try receiveErrorMessage()) }
      decoded = try receiveStreams(command.name, key: command.key, keys: keys, into: &read.entries)
      if blockMilliseconds != nil { restoreTimeout() }
    } catch {
      throw BusError(error)
    }
    read.error = try decoded.get()
    return read
  }

  /// Reads the next reply as the answer to a stream read (`command` on `key`, for messages):
  /// its entries decoded in place and appended to `entries`, or the read's error reply.
  func receiveStreams(_ command: String, key: String?, keys: Keys, into entries: inout [StreamEntry]) throws(RedisError) -> Result<
    RedisError?, BusError
  > {
    try withReply { (raw) throws(BusError) -> RedisError? in
      if let e = raw.errorMessage { return error(forReply: e, command: command, key: key) }
      try StreamEntry.streams(raw, keys: keys, into: &entries)
      return nil
    }
  }

  /// Reads the next reply and returns its error text (`nil`: it is not an error).
  func receiveErrorMessage() throws(RedisError) -> String? {
    try withReply { $0.errorMessage }.get()
  }

  /// Sends XRANGE/XREVRANGE `commands`, one per stream of `streams`, in one write and decodes
  /// each reply in place: the entries of each stream, in reply order.
  func readRanges(_ commands: [RedisCommand], streams: [String], keys: Keys) throws(BusError) -> [[StreamEntry]] {
    var out: [[StreamEntry]] = []
    out.reserveCapacity(commands.count)
    var failure: RedisError?
    do throws(RedisError) {
      for c in commands { try append(c) }
      for (command, key) in zip(commands, streams) {
        var entries: [StreamEntry] = []
        let decoded = try withReply { (raw) throws(BusError) -> RedisError? in
          if let e = raw.errorMessage { return error(forReply: e, command: command.name, key: key) }
          try StreamEntry.list(raw, stream: key, type: keys.type(ofStream: key) ?? key, into: &entries)
          return nil
        }
        switch decoded {
        case .success(let e): if failure == nil { failure = e }
        case .failure(let e): throw RedisError(.protocolError, e.message)
        }
        out.append(entries)
      }
    } catch {
      throw BusError(error)
    }
    if let failure { throw BusError(failure) }
    return out
  }
}
