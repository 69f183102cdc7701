import EvtRedis

// MARK: - Tail

/// What `evt tail` shows.
public struct TailRequest: Sendable {
  /// How many of the newest events to show; `nil` with `since` shows every event since then.
  public var last: Int?
  /// Only events at or after this stream id (an ISO time converts to `<ms>-0`).
  public var since: StreamID?
  /// Keep printing new events after the history.
  public var follow: Bool

  public init(last: Int?, since: StreamID?, follow: Bool) {
    self.last = last
    self.since = since
    self.follow = follow
  }
}

extension StreamWatcher {
  /// Emits the requested history in time order, then (with `follow`) new events as they
  /// arrive, in batches, until `shouldStop()` turns true. Types first published after tail
  /// started are picked up within one poll interval.
  /// With `reconnect`, following survives Redis going away: it reconnects and continues after
  /// the last event it printed.
  public func tail(
    _ request: TailRequest, reconnect: Reconnect? = nil, shouldStop: () -> Bool, emit: ([StreamEntry]) throws(BusError) -> Void
  ) throws(BusError) {
    if let since = request.since, request.last == nil {
      var page: [StreamEntry] = []
      try history(since: since) { (entry) throws(BusError) in
        page.append(entry)
        if page.count >= 1000 {
          try emit(page)
          page.removeAll(keepingCapacity: true)
        }
        return !shouldStop()
      }
      try emit(page)
    } else {
      try emit(try last(request.last ?? 10, since: request.since))
    }
    guard request.follow else { return }
    while !shouldStop() {
      let batch: [StreamEntry]
      do {
        batch = try poll(blockMilliseconds: Subscription.pollMilliseconds)
      } catch {
        guard let reconnect, error.isConnectionLoss else { throw error }
        guard reconnect.recover(from: error, shouldStop: shouldStop) else { return }
        continue
      }
      if !batch.isEmpty { try emit(batch) }
    }
  }
}
