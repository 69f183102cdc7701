import EvtRedis

extension GroupConsumer {
  func readOwnPending(_ pendingKeys: [String], max: Int) throws(BusError) -> [Delivery] {
    try flushAcks()
    var command: RedisCommand = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max), "STREAMS"]
    for key in pendingKeys { command.append(key) }
    for key in pendingKeys { command.append(history[key]!.description) }
    var byStream: [String: [StreamEntry]] = [:]
    for e in try connection.readStreamEntries(command, keys: keys) { byStream[e.stream, default: []].append(e) }
    var all: [Delivery] = []
    var deleted: [StreamEntry] = []
    for key in pendingKeys {
      let entries = byStream[key] ?? []
      guard let first = entries.first, let last = entries.last else {
        history[key] = nil  // drained: from now on read new entries
        continue
      }
      let counts = try deliveryCounts(key, from: first.id, to: last.id, count: entries.count)
      for e in entries {
        if e.fields == nil { deleted.append(e) } else { all.append(Delivery(entry: e, deliveryCount: counts[e.id] ?? 1)) }
      }
      if entries.allSatisfy({ $0.fields == nil }) { history[key] = last.id }
    }
    if !deleted.isEmpty { try ack(deleted) }
    // COUNT is per stream: keep at most `max`, and continue each stream after what is returned.
    let out = Array(mergedDeliveries(all).prefix(max))
    for d in out where d.entry.id > history[d.entry.stream] ?? .zero { history[d.entry.stream] = d.entry.id }
    return out
  }

  func deliveryCounts(_ key: String, from: StreamID, to: StreamID, count: Int) throws(BusError) -> [StreamID: Int] {
    try connection.busDecode(["XPENDING", key, group, from.description, to.description, String(count), consumer]) {
      (raw) throws(BusError) in try StreamReply.deliveryCounts(raw, stream: key)
    }
  }

  /// Reads new entries. Acknowledgements waiting for the next read (``ackWithNextRead(_:)``)
  /// go out in the same write, before the XREADGROUP: one round trip per batch. With
  /// ``readAhead``, while a backlog lasts the next batch is already on its way (see there).
  func readNew(_ keysToRead: [String], max: Int, blockMilliseconds: Int?, mayReadAhead: Bool) throws(BusError) -> [Delivery] {
    var read: RedisConnection.StreamRead
    if ahead {
      read = try receiveAhead(keysToRead, max: max, chaining: mayReadAhead)
      // Nothing came: the reads still in flight are taken too before saying so (none is sent).
      while read.entries.isEmpty && read.error == nil && ahead { read = try receiveAhead(keysToRead, max: max, chaining: false) }
    } else {
      let command: RedisCommand
      if keysToRead.count > 1 && keysToRead.count == streamKeys.count {
        // Every stream (keysToRead is streamKeys): the command made for them last time, if any.
        if let r = readAll, r.max == max, r.block == blockMilliseconds {
          command = r.command
        } else {
          command = readCommand(keysToRead, max: max, blockMilliseconds: blockMilliseconds)
          readAll = (max, blockMilliseconds, command)
        }
      } else {
        command = readCommand(keysToRead, max: max, blockMilliseconds: blockMilliseconds)
      }
      read = try connection.readStreams(command, keys: keys, blockMilliseconds: blockMilliseconds, after: deferredAckCommands())
      deferredAcks.removeAll(keepingCapacity: true)
      lastBatchFull = read.entries.count >= max
      if lastBatchFull && mayReadAhead && read.error == nil { try sendAhead(keysToRead, max: max) }
    }
    try checkAckReplies(read.earlierErrors)
    if let readError = read.error {
      guard ServerMessage.isNoGroup(readError.serverMessage) else { throw BusError(readError) }
      // The stream or the group was deleted under us: join again and let the caller retry.
      stopReadingAhead(givingBack: false)
      for key in keysToRead { joined.remove(key) }
      streamKeys.removeAll { keysToRead.contains($0) }
      typeWatch.reset()
      try refresh()
      observer?.groupRecreated(streams: keysToRead)
      return []
    }
    let deliveries = read.entries.map { Delivery(entry: $0, deliveryCount: 1) }
    return keysToRead.count == 1 ? deliveries : mergedDeliveries(deliveries)
  }

  func readCommand(_ keysToRead: [String], max: Int, blockMilliseconds: Int?) -> RedisCommand {
    var command: RedisCommand = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max)]
    if let ms = blockMilliseconds {
      command.append("BLOCK")
      command.append(String(Swift.max(ms, 1)))
    }
    command.append("STREAMS")
    for key in keysToRead { command.append(key) }
    for _ in keysToRead { command.append(">") }
    return command
  }
}

/// Deliveries of several streams in time order (stream id, then stream).
func mergedDeliveries(_ d: [Delivery]) -> [Delivery] {
  d.sorted { ($0.entry.id, $0.entry.stream) < ($1.entry.id, $1.entry.stream) }
}
