import EvtRedis

/// An XREAD or XREADGROUP as values: the arguments before `BLOCK` and `STREAMS`, the streams
/// read with the id each is read after, and how long it may wait. The command is built from
/// them once; a read split by slot (a cluster) is built from them again, part by part —
/// never parsed back out of a command.
struct StreamReadRequest {
  /// `XREAD COUNT n`, or `XREADGROUP GROUP g c COUNT n`.
  let head: [String]
  let streams: [StreamKey]
  /// The id each stream is read after (`>` for a group's new entries, `$` for what comes).
  let ids: [String]
  /// How long the read may wait for entries (`nil`: it does not wait).
  let blockMilliseconds: Int?
  /// The streams by key, for the reply's decoder.
  let byKey: [String: StreamKey]
  /// The whole read, as one command.
  let command: RedisCommand

  init(_ head: [String], streams: [StreamKey], ids: [String], blockMilliseconds: Int? = nil) {
    self.head = head
    self.streams = streams
    self.ids = ids
    self.blockMilliseconds = blockMilliseconds
    self.byKey = Dictionary(streams.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    self.command = Self.build(head, streams[...], ids[...], blockMilliseconds)
  }

  /// The read of one group of streams (by their positions), waiting or not.
  func part(_ positions: [Int], blocking: Bool) -> RedisCommand {
    Self.build(head, positions.map { streams[$0] }[...], positions.map { ids[$0] }[...], blocking ? blockMilliseconds : nil)
  }

  private static func build(_ head: [String], _ streams: ArraySlice<StreamKey>, _ ids: ArraySlice<String>, _ block: Int?) -> RedisCommand {
    var command = RedisCommand(head)
    if let ms = block {
      command.append("BLOCK")
      command.append(Swift.max(ms, 1))
    }
    command.append("STREAMS")
    for s in streams { command.appendKey(s.key) }
    for id in ids { command.append(id) }
    return command
  }
}

extension RedisConnection {
  /// What ``readStreams(_:after:)`` got.
  struct StreamRead {
    /// The entries read, decoded in place from the reply (one copy each: the envelope bytes).
    var entries: [StreamEntry] = []
    /// The read's own error reply (NOGROUP, …), for the caller to judge.
    var error: RedisError?
    /// The error replies of the commands sent before the read, in order (`nil`: no error).
    var earlierErrors: [String?] = []
  }

  /// Sends `earlier` commands and the read in one write — one round trip — and decodes the
  /// read's reply without copying it into a ``RedisReply`` tree. A read that waits gets that
  /// much more time than the command timeout. In a cluster, a read of streams on several
  /// slots is split by slot (a command may only name keys of one slot).
  func readStreams(_ request: StreamReadRequest, after earlier: [RedisCommand] = []) throws(BusError) -> StreamRead {
    if isCluster && request.streams.count > 1 {
      var positions: [String: Int] = [:]
      for (i, s) in request.streams.enumerated() where positions[s.key] == nil { positions[s.key] = i }
      let groups = slotGroups(request.streams.map(\.key))
      if groups.count > 1 { return try readSplit(request, groups.map { $0.map { positions[$0]! } }, after: earlier) }
    }
    var read = StreamRead()
    let block = request.blockMilliseconds
    let decoded = try busCall { () throws(RedisError) in
      for c in earlier { try append(c) }
      try append(request.command)
      if let ms = block { useTimeout(commandTimeout + Double(ms) / 1000) }
      for _ in earlier { read.earlierErrors.append(try receiveErrorMessage()) }
      let decoded = try receiveStreams(request, into: &read.entries)
      if block != nil { restoreTimeout() }
      return decoded
    }
    read.error = try decoded.get()
    return read
  }

  /// ``readStreams(_:after:)`` over the parts of a split read: `earlier` and every part without
  /// waiting in one round trip per node; when nothing came and the read may wait, every part
  /// waits side by side (``RedisConnection/readSideBySide(_:timeout:_:)``).
  private func readSplit(_ request: StreamReadRequest, _ parts: [[Int]], after earlier: [RedisCommand]) throws(BusError)
    -> StreamRead
  {
    var read = StreamRead()
    try busCall { () throws(RedisError) in
      for c in earlier { try append(c) }
      for p in parts { try append(request.part(p, blocking: false)) }
      for _ in earlier { read.earlierErrors.append(try receiveErrorMessage()) }
      for _ in parts {
        switch try receiveStreams(request, into: &read.entries) {
        case .success(let e): if read.error == nil { read.error = e }
        case .failure(let e): throw RedisError(.protocolError, e.message)
        }
      }
      guard read.entries.isEmpty, read.error == nil, let ms = request.blockMilliseconds else { return }
      var failure: BusError?
      try readSideBySide(parts.map { request.part($0, blocking: true) }, timeout: commandTimeout + Double(ms) / 1000) { _, raw in
        do throws(BusError) {
          let e = try decodeStreams(raw, request, into: &read.entries)
          if read.error == nil { read.error = e }
        } catch {
          failure = error
        }
      }
      if let failure { throw RedisError(.protocolError, failure.message) }
    }
    return read
  }

  /// A read that does not wait, sent as one command or, split by slot, as several; the
  /// entries of every reply.
  func readStreamEntries(_ request: StreamReadRequest) throws(BusError) -> [StreamEntry] {
    let read = try readStreams(request)
    if let e = read.error { throw BusError(e) }
    return read.entries
  }

  /// Reads the next reply as the answer to `request`: its entries decoded in place and
  /// appended to `entries`, or the read's error reply.
  func receiveStreams(_ request: StreamReadRequest, into entries: inout [StreamEntry]) throws(RedisError) -> Result<
    RedisError?, BusError
  > {
    try withReply { (raw) throws(BusError) -> RedisError? in try decodeStreams(raw, request, into: &entries) }
  }

  /// A stream read's reply: its entries appended to `entries`, or its error reply.
  private func decodeStreams(_ raw: RawReply, _ request: StreamReadRequest, into entries: inout [StreamEntry]) throws(BusError)
    -> RedisError?
  {
    if let e = raw.errorMessage { return error(forReply: e, command: request.head[0], key: request.streams.first?.key) }
    try StreamEntry.streams(raw, streams: request.byKey, into: &entries)
    return nil
  }

  /// Reads the next reply and returns its error text (`nil`: it is not an error).
  func receiveErrorMessage() throws(RedisError) -> String? {
    try withReply { $0.errorMessage }.get()
  }

  /// Sends XRANGE/XREVRANGE `commands`, one per stream of `streams`, in one write and decodes
  /// each reply in place: the entries of each stream, in reply order.
  func readRanges(_ commands: [RedisCommand], streams: [StreamKey]) throws(BusError) -> [[StreamEntry]] {
    var out: [[StreamEntry]] = []
    out.reserveCapacity(commands.count)
    var failure: RedisError?
    try busCall { () throws(RedisError) in
      for c in commands { try append(c) }
      for (command, stream) in zip(commands, streams) {
        var entries: [StreamEntry] = []
        let decoded = try withReply { (raw) throws(BusError) -> RedisError? in
          if let e = raw.errorMessage { return error(forReply: e, command: command.name, key: stream.key) }
          try StreamEntry.list(raw, stream: stream, into: &entries)
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
