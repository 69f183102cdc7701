import EvtRedis

extension GroupConsumer {
  func readOwnPending(_ pending: [StreamKey], max: Int) throws(BusError) -> [Delivery] {
    try flushAcks()
    let request = StreamReadRequest(
      ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max)], streams: pending, ids: pending.map { history[$0]!.description })
    var byStream: [StreamKey: [StreamEntry]] = [:]
    for e in try connection.readStreamEntries(request) { byStream[e.streamKey, default: []].append(e) }
    var all: [Delivery] = []
    var deleted: [StreamEntry] = []
    for stream in pending {
      let entries = byStream[stream] ?? []
      guard let first = entries.first, let last = entries.last else {
        history[stream] = nil  // drained: from now on read new entries
        continue
      }
      let counts = try deliveryCounts(stream.key, from: first.id, to: last.id, count: entries.count)
      for e in entries {
        if e.fields == nil { deleted.append(e) } else { all.append(Delivery(entry: e, deliveryCount: counts[e.id] ?? 1)) }
      }
      if entries.allSatisfy({ $0.fields == nil }) { history[stream] = last.id }
    }
    if !deleted.isEmpty { try ack(deleted) }
    // COUNT is per stream: keep at most `max`, and continue each stream after what is returned.
    let out = Array(mergedDeliveries(all).prefix(max))
    for d in out where d.entry.id > history[d.entry.streamKey] ?? .zero { history[d.entry.streamKey] = d.entry.id }
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
  func readNew(_ toRead: [StreamKey], max: Int, blockMilliseconds: Int?, mayReadAhead: Bool) throws(BusError) -> [Delivery] {
    var read: RedisConnection.StreamRead
    if ahead {
      read = try receiveAhead(toRead, max: max, chaining: mayReadAhead)
      // Nothing came: the reads still in flight are taken too before saying so (none is sent).
      while read.entries.isEmpty && read.error == nil && ahead { read = try receiveAhead(toRead, max: max, chaining: false) }
    } else {
      let request: StreamReadRequest
      if toRead.count > 1 && toRead.count == streams.count {
        // Every stream (toRead is streams): the read made for them last time, if any.
        if let r = readAll, r.max == max, r.request.blockMilliseconds == blockMilliseconds {
          request = r.request
        } else {
          request = readRequest(toRead, max: max, blockMilliseconds: blockMilliseconds)
          readAll = (max, request)
        }
      } else {
        request = readRequest(toRead, max: max, blockMilliseconds: blockMilliseconds)
      }
      read = try connection.readStreams(request, after: deferredAckCommands())
      deferredAcks.removeAll(keepingCapacity: true)
      lastBatchFull = read.entries.count >= max
      if lastBatchFull && mayReadAhead && read.error == nil { try sendAhead(toRead, max: max) }
    }
    try checkAckReplies(read.earlierErrors)
    if let readError = read.error {
      guard ServerMessage.isNoGroup(readError.serverMessage) else { throw BusError(readError) }
      // The stream or the group was deleted under us: join again and let the caller retry.
      stopReadingAhead(givingBack: false)
      for stream in toRead { joined.remove(stream) }
      streams.removeAll { toRead.contains($0) }
      typeWatch.reset()
      try refresh()
      observer?.groupRecreated(streams: toRead.map(\.key))
      return []
    }
    let deliveries = read.entries.map { Delivery(entry: $0, deliveryCount: 1) }
    return toRead.count == 1 ? deliveries : mergedDeliveries(deliveries)
  }

  /// The XREADGROUP of new entries (`>`) of `toRead`.
  func readRequest(_ toRead: [StreamKey], max: Int, blockMilliseconds: Int?) -> StreamReadRequest {
    StreamReadRequest(
      ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max)], streams: toRead, ids: Array(repeating: ">", count: toRead.count),
      blockMilliseconds: blockMilliseconds)
  }
}

/// Deliveries of several streams in time order (stream id, then stream).
func mergedDeliveries(_ d: [Delivery]) -> [Delivery] {
  d.sorted { ($0.entry.id, $0.entry.stream) < ($1.entry.id, $1.entry.stream) }
}
