import EvtBus
import EvtRedis

/// The type page's live tail, over Server-Sent Events.
///
/// One reader per type being watched, on a thread of its own, however many clients watch it:
/// a hundred browsers cost Redis one small XREVRANGE four times a second. It shows at most
/// ``perPoll`` events a poll (80 a second), the newest, and tells the clients when more came:
/// a live tail is read by people, and this keeps its cost to Redis, the dashboard and the
/// browsers the same at any publish rate. Each client has a queue of ``queueLength``
/// messages; a client that reads slower loses the oldest and holds up nobody else. At most
/// `maxLiveClients` are served at once; a reader whose last client left stops within a poll.
final class LiveTail: Sendable {
  static let queueLength = 64
  static let pollMilliseconds = 250
  static let perPoll = 20
  /// The longest envelope text sent whole; longer ones are cut (the type page shows them).
  static let maxEventText = 64 * 1024
  private let settings: DashboardSettings
  private let hubs = Locked<[String: Hub]>([:])
  private let clients = Locked(0)

  init(settings: DashboardSettings) { self.settings = settings }

  /// A stream of SSE messages for `type`, or `nil` when the client limit is reached.
  func subscribe(_ type: String) -> AsyncStream<[UInt8]>? {
    let admitted = clients.withLock { n -> Bool in
      guard n < settings.maxLiveClients else { return false }
      n += 1
      return true
    }
    guard admitted else { return nil }
    let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(Self.queueLength))
    let (hub, id) = hubs.withLock { hubs -> (Hub, Int) in
      if let hub = hubs[type], let id = hub.add(continuation) { return (hub, id) }
      // None yet, or one whose reader is ending: a new reader.
      let hub = Hub(type: type, settings: settings)
      hubs[type] = hub
      let id = hub.add(continuation)!
      hub.start { [weak self, weak hub] in
        self?.hubs.withLock { hubs in if hubs[type] === hub { hubs[type] = nil } }
      }
      return (hub, id)
    }
    continuation.onTermination = { [weak self] _ in
      self?.clients.withLock { $0 -= 1 }
      hub.remove(id)
    }
    continuation.yield(Array("retry: 2000\n: connected\n\n".utf8))
    return stream
  }

  /// The reader of one type and its clients.
  final class Hub: @unchecked Sendable {
    let type: String
    let settings: DashboardSettings
    private let state = Locked<(next: Int, clients: [Int: AsyncStream<[UInt8]>.Continuation], finished: Bool)>((0, [:], false))

    init(type: String, settings: DashboardSettings) {
      self.type = type
      self.settings = settings
    }

    /// Adds a client; `nil` when the reader has ended (its last client left).
    func add(_ c: AsyncStream<[UInt8]>.Continuation) -> Int? {
      state.withLock { s in
        guard !s.finished else { return nil }
        s.next += 1
        s.clients[s.next] = c
        return s.next
      }
    }

    func remove(_ id: Int) { state.withLock { _ = $0.clients.removeValue(forKey: id) } }

    /// Sends `message` (nothing when empty) to every client; false, and the reader ends, when
    /// there are none.
    private func send(_ message: [UInt8]) -> Bool {
      state.withLock { s in
        if s.clients.isEmpty {
          s.finished = true
          return false
        }
        if !message.isEmpty { for c in s.clients.values { c.yield(message) } }
        return true
      }
    }

    /// Starts the reader; `onEnd` runs when it has ended.
    ///
    /// Every ``LiveTail/pollMilliseconds`` it asks for the newest entries after the last one
    /// shown (`XREVRANGE key + (last COUNT n`), at most ``LiveTail/perPoll``: one bounded
    /// command whatever the stream's length or rate. A live tail is for people; when events
    /// come faster, the newest are shown and the clients are told that some were left out.
    func start(onEnd: @escaping @Sendable () -> Void) {
      _ = startThread { [self] in
        defer { onEnd() }
        let key = settings.keys.stream(type)
        var connection: RedisConnection?
        var last: StreamID?
        var lastBeat = EventTime.now().milliseconds
        while true {
          do throws(BusError) {
            if connection == nil { connection = try settings.connect() }
            guard let c = connection else { continue }
            if let after = last {
              let newest = try c.reverseRange(key, from: "+", to: "(" + after.description, count: LiveTail.perPoll + 1, type: type)
              if let first = newest.first { last = first.id }
              // One write per client and poll, however many events it holds.
              var batch = newest.count > LiveTail.perPoll ? Array("event: skipped\ndata: {}\n\n".utf8) : []
              for entry in newest.prefix(LiveTail.perPoll).reversed() { batch += LiveTail.message(entry) }
              guard send(batch) else { return }
            } else {
              last = try c.reverseRange(key, from: "+", to: "-", count: 1, type: type).first?.id ?? .zero
            }
          } catch {
            connection = nil
            guard send(Array("event: problem\ndata: \(JSON.quoted("Redis: " + error.message))\n\n".utf8)) else { return }
          }
          let now = EventTime.now().milliseconds
          if now - lastBeat >= 15_000 {
            lastBeat = now
            guard send(Array(": keep-alive\n\n".utf8)) else { return }
          } else {
            guard send([]) else { return }
          }
          sleepSeconds(Double(LiveTail.pollMilliseconds) / 1000)
        }
      }
    }
  }

  /// One SSE message: the entry's stream id and time, the event id and the envelope as
  /// indented JSON text, all in one JSON object on one `data:` line (JSON escapes line breaks;
  /// `<`, `>` and `&` are escaped too). The page shows every field as text.
  static func message(_ entry: StreamEntry) -> [UInt8] {
    var members: [JSONValue.Member] = [
      .init("streamId", .string(entry.id.description)), .init("time", .string(entry.id.time.iso)),
    ]
    if let raw = entry.event, let envelope = try? Envelope.decode(raw) {
      members.append(.init("eventId", .string(envelope.id)))
      var text = (try? JSON.parse(envelope.raw, maxDepth: JSON.envelopeMaxDepth))?.pretty ?? envelope.raw
      if text.count > maxEventText { text = Array(text.prefix(maxEventText)) + Array("\n… (cut: open the event on the type page)".utf8) }
      members.append(.init("envelope", .string(String(decoding: text, as: UTF8.self))))
    } else {
      members.append(.init("envelope", .string("(not an envelope)")))
    }
    var out = Array("id: \(entry.id)\nevent: event\ndata: ".utf8)
    for b in JSONValue.object(members).serialized {
      switch b {
      case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
      case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
      case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
      default: out.append(b)
      }
    }
    out += Array("\n\n".utf8)
    return out
  }
}
