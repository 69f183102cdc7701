import CHiredis

#if canImport(Glibc)
  import Glibc
#endif

/// The cluster side of ``RedisConnection``: the slot map, one ``RedisNode`` per master (opened
/// on demand), and the replies of commands spread over several nodes, handed back in the order
/// the commands were appended.
///
/// Every appended command is kept (as RESP, in one reused buffer) until its reply is read, so
/// a MOVED or ASK redirection can send it again to the right node; a reply that arrives for a
/// later command while an earlier one is being redirected is held until its turn.
final class ClusterRouter {
  let template: RedisURL
  let connectTimeout: Double
  let commandTimeout: Double
  var wantedTimeout: Double {
    didSet { for n in nodes { n.connection?.wantedTimeout = wantedTimeout } }
  }

  struct Node {
    let host: String
    let port: Int
    var connection: RedisNode?
    /// Global sequence numbers of the commands sent to it whose replies are not read, in order.
    var queue: [Int] = []
    var queueHead = 0
  }
  var nodes: [Node] = []
  /// Slot → index in ``nodes`` (-1: unknown).
  var slots = [Int32](repeating: -1, count: HashSlot.count)
  /// A MOVED was seen: the map is reloaded when nothing is in flight.
  var mapIsStale = false

  /// A command whose reply is not read yet.
  struct Pending {
    var node: Int
    /// Its RESP in ``retained``.
    let resp: Range<Int>
    var slot: Int?
    /// The reply, when it came while an earlier command was still awaited.
    var reply: UnsafeMutableRawPointer?
    /// Read and dropped (the ASKING before a redirected command).
    var discard = false
    /// Part of a WAIT sent to several nodes: its count is folded into the next entry's.
    var waitPart = false
    var waitFinal = false
    var redirects = 0
  }
  var pending = PendingQueue()

  /// The commands in flight by sequence number: appended in order, taken from the front (an
  /// array, not a table: one per command, on the hot path).
  struct PendingQueue {
    var items: [Pending?] = []
    var base = 0
    /// Items before it are all answered.
    var front = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    subscript(seq: Int) -> Pending? {
      get {
        let i = seq - base
        return i >= 0 && i < items.count ? items[i] : nil
      }
      set {
        let i = seq - base
        if i == items.count {
          items.append(newValue)
          if newValue != nil { count += 1 }
        } else if i >= 0 && i < items.count {
          if (items[i] == nil) != (newValue == nil) { count += newValue == nil ? -1 : 1 }
          items[i] = newValue
        }
      }
    }

    mutating func removeValue(forKey seq: Int) -> Pending? {
      let p = self[seq]
      self[seq] = nil
      // Answered commands leave the front.
      while front < items.count && items[front] == nil { front += 1 }
      if front == items.count {
        base += items.count
        items.removeAll(keepingCapacity: true)
        front = 0
      } else if front > 1024 && front > items.count / 2 {
        items.removeFirst(front)
        base += front
        front = 0
      }
      return p
    }

    mutating func removeAll() {
      base += items.count
      items.removeAll()
      front = 0
      count = 0
    }

    func forEach(_ body: (Pending) -> Void) { for case let p? in items { body(p) } }
  }
  var nextSequence = 0
  var headSequence = 0
  /// The RESP of the commands in flight; a ``Pending``'s range is an offset from the start of
  /// everything ever retained, so the front can be dropped (``retainedBase``) while commands
  /// keep flowing.
  var retained: [UInt8] = []
  var retainedBase = 0
  /// The node of an open MULTI (…EXEC), and the MULTI itself while no keyed command chose it.
  var transactionNode: Int?
  var heldMulti: Int?
  /// Nodes written to since the last WAIT, in the order first written to.
  var written: [Int] = []
  /// Commands were queued since the last ``flush()``.
  var unflushed = false
  /// The smallest count of the WAIT parts read so far.
  var waitMinimum = Int.max
  /// Turns RESP into reply objects: a WAIT's combined count.
  let synthesizer = redisReaderCreate()!

  init(seed: RedisNode, template: RedisURL) throws(RedisError) {
    self.template = template
    self.connectTimeout = seed.connectTimeout
    self.commandTimeout = seed.commandTimeout
    self.wantedTimeout = seed.commandTimeout
    try loadMap(from: seed)
  }

  deinit {
    close()
    redisReaderFree(synthesizer)
  }

  var isBroken: Bool { nodes.isEmpty }

  /// Every node of the last map, for reconnecting after the seeds went away.
  var knownNodes: [RedisURL] { nodes.map { template.at(host: $0.host, port: $0.port) } }

  /// Replies the caller still expects (not the ASKING replies and WAIT parts added here).
  var pendingReplies: Int { nextSequence - headSequence - extra }
  var extra = 0

  func close() {
    for i in nodes.indices { nodes[i].connection?.close() }
    for (_, lane) in lanes { lane.connection.close() }
    lanes.removeAll()
    pending.forEach { p in if let r = p.reply { freeReplyObject(r) } }
    pending.removeAll()
    nodes.removeAll()
    headSequence = nextSequence
    extra = 0
    retainedBase += retained.count
    retained.removeAll(keepingCapacity: true)
    transactionNode = nil
    heldMulti = nil
    written.removeAll()
  }

  var lanes: [Int: Lane] = [:]
}
