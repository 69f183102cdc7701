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
    var page = EventPage()
    if q.eventID == nil && q.correlationID == nil {
      let entries = try c.reverseRange(key, from: end, to: start, count: pageSize + 1, type: type)
      page.entries = Array(entries.prefix(pageSize))
      if entries.count > pageSize { page.older = page.entries.last?.id }
      return page
    }
    var examined = 0
    var last: StreamID?
    while examined < searchLimit {
      let want = min(batch, searchLimit - examined)
      let entries = try c.reverseRange(key, from: end, to: start, count: want, type: type)
      for e in entries {
        examined += 1
        last = e.id
        guard let raw = e.event, let envelope = try? Envelope.decode(raw) else { continue }
        if let id = q.eventID, envelope.id != id { continue }
        if let correlation = q.correlationID, envelope.correlationID != correlation { continue }
        page.entries.append(e)
        if page.entries.count == pageSize {
          page.older = e.id
          return page
        }
      }
      guard entries.count == want, let last else { return page }  // the start was reached
      end = "(" + last.description
    }
    page.searchStopped = true
    page.older = last
    return page
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
    let key = keys.deadLetters(group, type)
    let store = DeadLetterStore(connection: c, keys: keys)
    var end = before.map { "(" + $0.description } ?? "+"
    var page = DeadLetterPage()
    var examined = 0
    while examined < searchLimit {
      let entries = try c.reverseRange(key, from: end, to: "-", count: batch)
      examined += entries.count
      let letters = store.letters(group: group, type: type, entries: entries)
      for d in letters where errorText.map({ d.error.contains($0) }) ?? true {
        page.letters.append(d)
        if page.letters.count == count {
          page.older = d.dlqID
          return page
        }
      }
      guard entries.count == batch, let last = entries.last else { return page }
      end = "(" + last.id.description
    }
    page.older = StreamID(String(end.dropFirst()))
    return page
  }
}
