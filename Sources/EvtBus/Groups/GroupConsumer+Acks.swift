import EvtRedis

extension GroupConsumer {
  /// Acknowledges handled entries with the next read (in its round trip) or at
  /// ``flushAcks()``, whichever comes first. Until then they stay pending: after a crash they
  /// are delivered again (at-least-once), never lost.
  public func ackWithNextRead(_ entries: [StreamEntry]) {
    for e in entries {
      if let last = deferredAcks.indices.last, deferredAcks[last].stream == e.stream {
        deferredAcks[last].ids.append(e.id)  // the usual case: the stream of the one before
      } else if let i = deferredAcks.firstIndex(where: { $0.stream == e.stream }) {
        deferredAcks[i].ids.append(e.id)
      } else {
        deferredAcks.append((e.stream, [e.id]))
      }
    }
  }

  /// Sends the acknowledgements ``ackWithNextRead(_:)`` kept, and waits for them.
  public func flushAcks() throws(BusError) {
    guard !deferredAcks.isEmpty else { return }
    let commands = deferredAckCommands()
    let replies = try connection.busReplies(commands)
    deferredAcks.removeAll(keepingCapacity: true)
    try checkAckReplies(replies.map(\.errorMessage))
  }

  func checkAckReplies(_ errors: [String?]) throws(BusError) {
    for case let failure? in errors where !ServerMessage.isNoGroup(failure) {
      // (A group Redis lost meanwhile cannot be acknowledged in: its entries come again.)
      throw BusError(connection.error(forReply: failure, command: "XACK"))
    }
  }

  /// One XACK per stream of the acknowledgements waiting.
  func deferredAckCommands() -> [RedisCommand] {
    deferredAcks.map { stream, ids in
      var c: RedisCommand = ["XACK"]
      c.appendKey(stream)
      c.append(group)
      for id in ids { c.append(id) }
      return c
    }
  }

  /// Blocks until any selected stream gets a new entry or `ms` passes (a plain XREAD, which
  /// delivers nothing to the group).
  func waitForActivity(_ ms: Int) throws(BusError) {
    try flushAcks()
    let request = StreamReadRequest(
      ["XREAD", "COUNT", "1"], streams: streams, ids: Array(repeating: "$", count: streams.count), blockMilliseconds: ms)
    let read = try connection.readStreams(request)
    if let e = read.error { throw BusError(e) }
  }

  /// Acknowledges handled entries (one XACK per stream, pipelined). Acknowledged entries are
  /// never delivered to this group again.
  /// (With any acknowledgements ``ackWithNextRead(_:)`` kept: they go out with these.)
  public func ack(_ entries: [StreamEntry]) throws(BusError) {
    guard !entries.isEmpty else { return }
    ackWithNextRead(entries)
    try flushAcks()
  }
}
