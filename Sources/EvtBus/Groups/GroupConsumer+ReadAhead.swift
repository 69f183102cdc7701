import EvtRedis

extension GroupConsumer {
  /// Shortest claim-idle time with which entries are read ahead: 10 seconds.
  public static let readAheadMinimumClaimIdle = 10_000
  /// Reads kept in flight ahead of the batch being handled.
  public static let readAheadDepth = 2
  /// What the replies still to come on ``reader`` answer, in order.
  enum InFlight {
    /// A read of up to `max` entries of `keys`.
    case batch(StreamReadRequest, max: Int)
    /// An XACK per stream.
    case acks(Int)
  }
  /// Whether a read is in flight (the next batch comes from ``reader``).
  var ahead: Bool { inFlight.contains { if case .batch = $0 { return true } else { return false } } }

  /// Starts reading ahead: ``readAheadDepth`` reads go out on the reader.
  func sendAhead(_ toRead: [StreamKey], max: Int) throws(BusError) {
    guard readAhead, !connection.isCluster, (claimIdleMilliseconds ?? Int.max) >= Self.readAheadMinimumClaimIdle else { return }
    do {
      try busCall { () throws(RedisError) in
        if reader == nil || reader!.isBroken {
          reader = try RedisConnection(
            url: connection.url, connectTimeout: connection.connectTimeout, commandTimeout: connection.commandTimeout)
        }
        let request = readRequest(toRead, max: max, blockMilliseconds: nil)
        for _ in 0..<Self.readAheadDepth {
          try reader!.append(request.command)
          inFlight.append(.batch(request, max: max))
        }
        try reader!.flush()
      }
    } catch {
      stopReadingAhead(givingBack: false)
      throw error
    }
  }

  /// Takes the next batch read ahead. While batches come full, another read goes out first
  /// (after the acknowledgements waiting), so ``readAheadDepth`` stay on their way.
  func receiveAhead(_ toRead: [StreamKey], max: Int, chaining: Bool) throws(BusError) -> RedisConnection.StreamRead {
    var read = RedisConnection.StreamRead()
    var decoded: Result<RedisError?, BusError> = .success(nil)
    do {
      try busCall { () throws(RedisError) in
        let acks = deferredAckCommands()
        for c in acks { try reader!.append(c) }
        if !acks.isEmpty { inFlight.append(.acks(acks.count)) }
        deferredAcks.removeAll(keepingCapacity: true)
        if chaining && lastBatchFull {
          let request = readRequest(toRead, max: max, blockMilliseconds: nil)
          try reader!.append(request.command)
          inFlight.append(.batch(request, max: max))
        }
        try reader!.flush()
        // Replies in the order they were asked for: acknowledgements up to the next batch.
        replies: while !inFlight.isEmpty {
          switch inFlight.removeFirst() {
          case .acks(let n):
            for _ in 0..<n { read.earlierErrors.append(try reader!.receiveErrorMessage()) }
          case .batch(let sent, let sentMax):
            decoded = try reader!.receiveStreams(sent, into: &read.entries)
            lastBatchFull = read.entries.count >= sentMax
            break replies
          }
        }
      }
    } catch {
      stopReadingAhead(givingBack: false)
      throw error
    }
    read.error = try decoded.get()
    return read
  }

  /// Ends reading ahead: what is still in flight is received and the entries read ahead are
  /// given back to the group (`givingBack`), and the reader is closed. Connection problems
  /// are not reported (the entries then stay pending and come back like any unacknowledged
  /// ones).
  /// - Returns: how many entries were given back.
  @discardableResult
  public func stopReadingAhead(givingBack: Bool = true) -> Int {
    let expected = inFlight
    defer {
      reader?.close()
      reader = nil
      inFlight = []
      lastBatchFull = false
    }
    guard !expected.isEmpty, let reader, !reader.isBroken else { return 0 }
    var entries: [StreamEntry] = []
    for item in expected {
      switch item {
      case .acks(let n):
        for _ in 0..<n { guard (try? reader.receiveErrorMessage()) != nil else { return 0 } }
      case .batch(let sent, _):
        guard case .success(nil)? = try? reader.receiveStreams(sent, into: &entries) else { return 0 }
      }
    }
    guard givingBack, !entries.isEmpty, (try? giveBack(entries)) != nil else { return 0 }
    return entries.count
  }

  /// Ends a subscription's reading: what was read ahead goes back to the group, and the
  /// acknowledgements waiting for a next read are sent.
  /// - Returns: how many entries read ahead were given back.
  public func endReading() throws(BusError) -> Int {
    let givenBack = stopReadingAhead()
    try flushAcks()
    return givenBack
  }
}
