import EvtBus
import EvtRedis

/// What the pages ask Redis on demand. Every call is bounded: a page of events is one
/// XREVRANGE of ``pageSize`` + 1; a search by event id or correlation id examines at most
/// ``searchLimit`` entries, ``batch`` per call; a group's pending entries are one XPENDING of
/// ``pageSize``; a dead-letter queue's page examines at most ``searchLimit`` entries.
enum Queries {
  static let pageSize = 25
  static let searchLimit = 10_000
  static let batch = 500

  /// A page of a type's events, newest first.
  struct EventPage: Sendable {
    var entries: [StreamEntry] = []
    /// Where the next (older) page starts, exclusive; `nil` at the end.
    var older: StreamID?
    /// A search stopped after examining ``searchLimit`` entries.
    var searchStopped = false
  }

  /// What the type page's form asks for.
  struct EventQuery: Sendable {
    var before: StreamID?
    var from: EventTime?
    var to: EventTime?
    var eventID: String?
    var correlationID: String?
  }

  static func events(_ c: RedisConnection, _ keys: Keys, type: String, _ q: EventQuery) throws(BusError) -> EventPage {
    let key = keys.stream(type)
    var end = q.before.map { "(" + $0.description } ?? q.to.map { String(max(0, $0.milliseconds)) } ?? "+"
    if let before = q.before, let to = q.to, before.milliseconds > max(0, to.milliseconds) { end = String(max(0, to.milliseconds)) }
    let start = q.from.map { String(max(0, $0.milliseconds)) } ?? "-"
    if q.eventID == nil && q.correlationID == nil {
      // One more than a page tells whether there is an older one.
      let entries = try c.reverseRange(key, from: end, to: start, count: pageSize + 1, type: type)
      let shown = Array(entries.prefix(pageSize))
      return EventPage(entries: shown, older: entries.count > pageSize ? shown.last?.id : nil)
    }
    let found = try scan(c, key, type: type, from: end, to: start, count: pageSize) { (e) -> StreamEntry? in
      guard let raw = e.event, let envelope = try? Envelope.decode(raw) else { return nil }
      if let id = q.eventID, envelope.id != id { return nil }
      if let correlation = q.correlationID, envelope.correlationID != correlation { return nil }
      return e
    }
    return EventPage(entries: found.items, older: found.older, searchStopped: found.stopped)
  }

  /// A search newest first through `key` from `end` down to `start` (XREVRANGE bounds):
  /// examines at most ``searchLimit`` entries, ``batch`` a call, and keeps what `pick` makes of
  /// them, up to `count`. `older` is where a next page starts (exclusive): after the last one
  /// kept when `count` were found, after the last one examined when the limit stopped it.
  static func scan<T>(
    _ c: RedisConnection, _ key: String, type: String = "", from end: String, to start: String, count: Int,
    pick: (StreamEntry) -> T?
  ) throws(BusError) -> (items: [T], older: StreamID?, stopped: Bool) {
    var items: [T] = []
    var end = end
    var examined = 0
    var last: StreamID?
    while examined < searchLimit {
      let want = min(batch, searchLimit - examined)
      let entries = try c.reverseRange(key, from: end, to: start, count: want, type: type)
      for e in entries {
        examined += 1
        last = e.id
        guard let item = pick(e) else { continue }
        items.append(item)
        if items.count == count { return (items, e.id, false) }
      }
      guard entries.count == want, let last else { return (items, nil, false) }  // the start was reached
      end = "(" + last.description
    }
    return (items, last, true)
  }

  /// The latest registered schema of `type` (read only: a built-in type's schema not yet
  /// registered is shown from the binary, not registered by looking).
  static func schema(_ c: RedisConnection, _ keys: Keys, type: String) throws(BusError) -> (version: Int?, source: [UInt8])? {
    if let v = try SchemaRegistry(connection: c, keys: keys, builtIns: .none).latest(type) { return (v.version, v.schema.source) }
    return EventContracts.bus[type].map { (nil, $0.source) }
  }

  /// A group's consumers and its oldest pending entries.
  struct GroupDetail: Sendable {
    var consumers: [ConsumerStats] = []
    var pending: [(id: StreamID, consumer: String, idleMilliseconds: Int, deliveries: Int)] = []
    var exists = true
  }

  static func group(_ c: RedisConnection, _ keys: Keys, type: String, group: String) throws(BusError) -> GroupDetail {
    let stream = keys.stream(type)
    var detail = GroupDetail()
    do {
      detail.consumers = try c.consumers(of: stream, group: group).map {
        ConsumerStats(name: $0.name, pending: $0.pending, idleMilliseconds: $0.idleMilliseconds)
      }
    } catch  where error.kind == .server || error.isNoSuchKey {
      detail.exists = false
      return detail
    }
    detail.pending = try c.pending(stream, group: group, from: "-", count: pageSize).map {
      ($0.id, $0.consumer, $0.idleMilliseconds, $0.deliveries)
    }
    return detail
  }

  /// A page of one dead-letter queue (a group's dead letters of one type), newest first,
  /// those whose error contains `errorText`.
  struct DeadLetterPage: Sendable {
    var letters: [DeadLetter] = []
    var older: StreamID?
  }

  static func deadLetters(
    _ c: RedisConnection, _ keys: Keys, group: String, type: String, errorText: String?, before: StreamID?, count: Int
  ) throws(BusError) -> DeadLetterPage {
    let store = DeadLetterStore(connection: c, keys: keys)
    let found = try scan(
      c, keys.deadLetters(group, type), from: before.map { "(" + $0.description } ?? "+", to: "-", count: count
    ) { (e) -> DeadLetter? in
      let d = store.letter(e, group: group, type: type)
      return (errorText.map { d.error.contains($0) } ?? true) ? d : nil
    }
    return DeadLetterPage(letters: found.items, older: found.older)
  }
}
