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
    let parts = splitStreamRead(command)
    if parts.count > 1 { return try readSplit(parts, keys: keys, blockMilliseconds: blockMilliseconds, after: earlier) }
    var read = StreamRead()
    let decoded = try busCall { () throws(RedisError) in
      for c in earlier { try append(c) }
      try append(command)
      if let ms = blockMilliseconds { useTimeout(commandTimeout + Double(ms) / 1000) }
      for _ in earlier { read.earlierErrors.append(try receiveErrorMessage()) }
      let decoded = try receiveStreams(command.name, key: command.key, keys: keys, into: &read.entries)
      if blockMilliseconds != nil { restoreTimeout() }
      return decoded
    }
    read.error = try decoded.get()
    return read
  }

  /// An XREAD/XREADGROUP split by slot (a cluster: a command may only name keys of one slot),
  /// each part with the keys of one slot and their ids; the command itself when it needs no
  /// split.
  func splitStreamRead(_ command: RedisCommand) -> [RedisCommand] {
    guard isCluster else { return [command] }
    let args = command.arguments
    guard let s = args.firstIndex(where: { $0.uppercased() == "STREAMS" }) else { return [command] }
    let n = (args.count - s - 1) / 2
    guard n > 1 else { return [command] }
    let streamKeys = Array(args[(s + 1)..<(s + 1 + n)])
    let groups = slotGroups(streamKeys)
    guard groups.count > 1 else { return [command] }
    let ids = Dictionary(zip(streamKeys, args[(s + 1 + n)...]), uniquingKeysWith: { a, _ in a })
    return groups.map { group in RedisCommand(Array(args[...s]) + group + group.map { ids[$0]! }) }
  }

  /// ``readStreams(_:keys:blockMilliseconds:after:)`` over the parts of a split read: `earlier`
  /// and every part without blocking in one round trip per node; when nothing came and the read
  /// may block, every part blocks side by side (``RedisConnection/readSideBySide(_:timeout:_:)``).
  private func readSplit(_ parts: [RedisCommand], keys: Keys, blockMilliseconds: Int?, after earlier: [RedisCommand]) throws(BusError)
    -> StreamRead
  {
    var read = StreamRead()
    try busCall { () throws(RedisError) in
      for c in earlier { try append(c) }
      for p in parts { try append(Self.withoutBlock(p)) }
      for _ in earlier { read.earlierErrors.append(try receiveErrorMessage()) }
      for p in parts {
        let decoded = try receiveStreams(p.name, key: p.key, keys: keys, into: &read.entries)
        switch decoded {
        case .success(let e): if read.error == nil { read.error = e }
        case .failure(let e): throw RedisError(.protocolError, e.message)
        }
      }
      guard read.entries.isEmpty, read.error == nil, let ms = blockMilliseconds else { return }
      var failure: BusError?
      try readSideBySide(parts, timeout: commandTimeout + Double(ms) / 1000) { index, raw in
        do throws(BusError) {
          let e = try decodeStreams(raw, command: parts[index].name, key: parts[index].key, keys: keys, into: &read.entries)
          if read.error == nil { read.error = e }
        } catch {
          failure = error
        }
      }
      if let failure { throw RedisError(.protocolError, failure.message) }
    }
    return read
  }

  /// The command without its `BLOCK <ms>`.
  private static func withoutBlock(_ command: RedisCommand) -> RedisCommand {
    var args = command.arguments
    if let b = args.firstIndex(where: { $0.uppercased() == "BLOCK" }), b + 1 < args.count, b < (args.firstIndex(of: "STREAMS") ?? 0) {
      args.removeSubrange(b...(b + 1))
      return RedisCommand(args)
    }
    return command
  }

  /// A non-blocking stream read sent as one command or, split by slot, as several; the
  /// entries of every reply.
  func readStreamEntries(_ command: RedisCommand, keys: Keys) throws(BusError) -> [StreamEntry] {
    let read = try readStreams(command, keys: keys, blockMilliseconds: nil)
    if let e = read.error { throw BusError(e) }
    return read.entries
  }

  /// Reads the next reply as the answer to a stream read (`command` on `key`, for messages):
  /// its entries decoded in place and appended to `entries`, or the read's error reply.
  func receiveStreams(_ command: String, key: String?, keys: Keys, into entries: inout [StreamEntry]) throws(RedisError) -> Result<
    RedisError?, BusError
  > {
    try withReply { (raw) throws(BusError) -> RedisError? in
      try decodeStreams(raw, command: command, key: key, keys: keys, into: &entries)
    }
  }

  /// A stream read's reply: its entries appended to `entries`, or its error reply.
  private func decodeStreams(_ raw: RawReply, command: String, key: String?, keys: Keys, into entries: inout [StreamEntry])
    throws(BusError) -> RedisError?
  {
    if let e = raw.errorMessage { return error(forReply: e, command: command, key: key) }
    try StreamEntry.streams(raw, keys: keys, into: &entries)
    return nil
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
    try busCall { () throws(RedisError) in
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
    }
    if let failure { throw BusError(failure) }
    return out
  }
}
