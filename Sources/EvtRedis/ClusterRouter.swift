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
  private let template: RedisURL
  private let connectTimeout: Double
  private let commandTimeout: Double
  var wantedTimeout: Double {
    didSet { for n in nodes { n.connection?.wantedTimeout = wantedTimeout } }
  }

  private struct Node {
    let host: String
    let port: Int
    var connection: RedisNode?
    /// Global sequence numbers of the commands sent to it whose replies are not read, in order.
    var queue: [Int] = []
    var queueHead = 0
  }
  private var nodes: [Node] = []
  /// Slot → index in ``nodes`` (-1: unknown).
  private var slots = [Int32](repeating: -1, count: HashSlot.count)
  /// A MOVED was seen: the map is reloaded when nothing is in flight.
  private var mapIsStale = false

  /// A command whose reply is not read yet.
  private struct Pending {
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
  private var pending = PendingQueue()

  /// The commands in flight by sequence number: appended in order, taken from the front (an
  /// array, not a table: one per command, on the hot path).
  private struct PendingQueue {
    private var items: [Pending?] = []
    private var base = 0
    /// Items before it are all answered.
    private var front = 0
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
  private var nextSequence = 0
  private var headSequence = 0
  /// The RESP of the commands in flight; a ``Pending``'s range is an offset from the start of
  /// everything ever retained, so the front can be dropped (``retainedBase``) while commands
  /// keep flowing.
  private var retained: [UInt8] = []
  private var retainedBase = 0
  /// The node of an open MULTI (…EXEC), and the MULTI itself while no keyed command chose it.
  private var transactionNode: Int?
  private var heldMulti: Int?
  /// Nodes written to since the last WAIT, in the order first written to.
  private var written: [Int] = []
  /// Commands were queued since the last ``flush()``.
  private var unflushed = false
  /// The smallest count of the WAIT parts read so far.
  private var waitMinimum = Int.max
  /// Turns RESP into reply objects: a WAIT's combined count.
  private let synthesizer = redisReaderCreate()!

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
  private var extra = 0

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

  // MARK: - The map

  /// Loads the slot map from `seed` (CLUSTER SHARDS; CLUSTER SLOTS before Redis 7), keeping
  /// `seed` as the connection of its node.
  private func loadMap(from seed: RedisNode) throws(RedisError) {
    slots = [Int32](repeating: -1, count: HashSlot.count)
    var ranges: [(lo: Int, hi: Int, host: String, port: Int)] = []
    seed.append(["CLUSTER", "SHARDS"])
    let shards = try seed.withReply { $0.reply }.get()
    if shards.errorMessage == nil, let list = shards.array {
      for shard in list {
        guard let fields = shard.array else { continue }
        let s = Self.map(fields)
        guard let slotList = s["slots"]?.array, let members = s["nodes"]?.array else { continue }
        guard
          let master = members.map({ Self.map($0.array ?? []) }).first(where: {
            $0["role"]?.string == "master" && $0["health"]?.string != "fail"
          })
        else { continue }
        let host = master["ip"]?.string ?? master["endpoint"]?.string ?? "127.0.0.1"
        guard let port = master["port"]?.int ?? master["tls-port"]?.int else { continue }
        var i = 0
        while i + 1 < slotList.count {
          if let lo = slotList[i].int, let hi = slotList[i + 1].int { ranges.append((lo, hi, host, port)) }
          i += 2
        }
      }
    } else {
      seed.append(["CLUSTER", "SLOTS"])
      let reply = try seed.withReply { $0.reply }.get()
      if let e = reply.errorMessage { throw RedisConnection.replyError(e, command: "CLUSTER SLOTS", url: seed.url) }
      for range in reply.array ?? [] {
        guard let r = range.array, r.count >= 3, let lo = r[0].int, let hi = r[1].int, let master = r[2].array, master.count >= 2,
          let host = master[0].string, let port = master[1].int
        else { continue }
        ranges.append((lo, hi, host.isEmpty ? "127.0.0.1" : host, port))
      }
    }
    guard !ranges.isEmpty else {
      throw RedisError(.unavailable, "\(seed.url) is a cluster node but knows no slots yet — is the cluster created?")
    }
    var seedPlaced = false
    for r in ranges where (0..<HashSlot.count).contains(r.lo) && (0..<HashSlot.count).contains(r.hi) && r.lo <= r.hi {
      let index = nodeIndex(host: r.host, port: r.port)
      if !seedPlaced, case .tcp(let h, let p) = seed.url.endpoint, Self.same(h, p, r.host, r.port), nodes[index].connection == nil {
        nodes[index].connection = seed
        seedPlaced = true
      }
      for s in r.lo...r.hi { slots[s] = Int32(index) }
    }
    if !seedPlaced, nodes.allSatisfy({ $0.connection !== seed }) {
      // The seed is a replica (or its address reads differently): it serves no slot.
      seed.close()
    }
    mapIsStale = false
  }

  private static func same(_ h1: String, _ p1: Int, _ h2: String, _ p2: Int) -> Bool {
    p1 == p2 && (h1 == h2 || (isLoopback(h1) && isLoopback(h2)))
  }

  private static func isLoopback(_ h: String) -> Bool { h == "localhost" || h == "127.0.0.1" || h == "::1" }

  private static func map(_ flat: [RedisReply]) -> [String: RedisReply] {
    var out: [String: RedisReply] = [:]
    var i = 0
    while i + 1 < flat.count {
      if let k = flat[i].string { out[k] = flat[i + 1] }
      i += 2
    }
    return out
  }

  private func nodeIndex(host: String, port: Int) -> Int {
    if let i = nodes.firstIndex(where: { Self.same($0.host, $0.port, host, port) }) { return i }
    nodes.append(Node(host: host, port: port))
    return nodes.count - 1
  }

  /// Reloads the map from any node that answers (when nothing is in flight).
  private func refreshMap() throws(RedisError) {
    var failure: RedisError?
    for i in nodes.indices {
      do throws(RedisError) {
        try loadMap(from: try connection(i))
        return
      } catch {
        nodes[i].connection?.close()
        nodes[i].connection = nil
        failure = error
      }
    }
    throw failure ?? RedisError(.unavailable, "no node of the cluster answers")
  }

  /// The nodes that serve slots (the masters), by index.
  private var masters: [Int] { Set(slots.lazy.filter { $0 >= 0 }.map(Int.init)).sorted() }

  private func connection(_ index: Int) throws(RedisError) -> RedisNode {
    if let c = nodes[index].connection, !c.isBroken { return c }
    let url = template.at(host: nodes[index].host, port: nodes[index].port)
    let c = try RedisNode(url: url, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    c.wantedTimeout = wantedTimeout
    nodes[index].connection = c
    nodes[index].queue.removeAll()
    nodes[index].queueHead = 0
    return c
  }

  /// The node that serves `slot` (any node for a keyless command).
  private func node(for slot: Int?) throws(RedisError) -> Int {
    if mapIsStale && pending.isEmpty { try refreshMap() }
    guard let slot else { return slots.first(where: { $0 >= 0 }).map(Int.init) ?? 0 }
    let index = Int(slots[slot])
    if index >= 0 { return index }
    try refreshMap()
    let again = Int(slots[slot])
    guard again >= 0 else { throw RedisError(.unavailable, "no master of the cluster serves slot \(slot) (CLUSTERDOWN?)") }
    return again
  }

  // MARK: - Sending

  func append(_ command: RedisCommand) throws(RedisError) {
    guard !nodes.isEmpty else { throw RedisError(.unavailable, "the connection to \(template) is closed after an earlier error") }
    if pending.isEmpty {
      retainedBase += retained.count
      retained.removeAll(keepingCapacity: true)
    }
    let start = retainedBase + retained.count
    command.writeRESP(appendingTo: &retained)
    let resp = start..<(retainedBase + retained.count)
    if command.isNamed("multi") {
      // Sent with the first keyed command, to that command's node.
      heldMulti = record(node: -1, resp: resp, slot: nil)
      return
    }
    if command.isNamed("exec") || command.isNamed("discard") {
      var target = transactionNode ?? -1
      if target < 0 { target = try node(for: nil) }
      try releaseHeldMulti(to: target)
      transactionNode = nil
      try send(record(node: target, resp: resp, slot: nil))
      return
    }
    if command.isNamed("wait") {
      try appendWait(resp)
      return
    }
    let slot = command.slot
    var target = transactionNode ?? -1
    if target < 0 { target = try node(for: slot) }
    try releaseHeldMulti(to: target)
    try send(record(node: target, resp: resp, slot: slot))
  }

  /// Sends a MULTI held back for the first keyed command to `target`, which the transaction
  /// then keeps.
  private func releaseHeldMulti(to target: Int) throws(RedisError) {
    guard let multi = heldMulti else { return }
    heldMulti = nil
    transactionNode = target
    pending[multi]!.node = target
    try send(multi)
  }

  /// A WAIT goes to every node written to since the last one (every master when none was);
  /// its reply is the smallest count.
  private func appendWait(_ resp: Range<Int>) throws(RedisError) {
    if mapIsStale && pending.isEmpty { try refreshMap() }
    let targets = written.isEmpty ? masters : written
    written.removeAll()
    for (i, n) in targets.enumerated() {
      let seq = record(node: n, resp: resp, slot: nil)
      if i < targets.count - 1 {
        pending[seq]!.waitPart = true
        extra += 1
      } else {
        pending[seq]!.waitFinal = true
      }
      try send(seq)
    }
  }

  private func record(node: Int, resp: Range<Int>, slot: Int?) -> Int {
    let seq = nextSequence
    nextSequence += 1
    pending[seq] = Pending(node: node, resp: resp, slot: slot)
    return seq
  }

  /// Queues a recorded command on its node's connection.
  private func send(_ seq: Int) throws(RedisError) {
    let p = pending[seq]!
    let c: RedisNode
    do throws(RedisError) { c = try connection(p.node) } catch { throw fail(error) }
    c.append(resp: retained[(p.resp.lowerBound - retainedBase)..<(p.resp.upperBound - retainedBase)])
    nodes[p.node].queue.append(seq)
    unflushed = true
    if !written.contains(p.node) { written.append(p.node) }
  }

  /// Writes every node's queued commands, in the order the nodes were first written to.
  func flush() throws(RedisError) {
    guard unflushed else { return }
    unflushed = false
    for n in written {
      guard let c = nodes[n].connection else { continue }
      do throws(RedisError) { try c.flush() } catch { throw fail(error) }
    }
  }

  // MARK: - Receiving

  /// The reply of the oldest command not read yet; the caller frees it.
  func nextReply() throws(RedisError) -> UnsafeMutableRawPointer {
    guard headSequence < nextSequence else { throw RedisError(.protocolError, "a reply was read that no command asked for") }
    try flush()
    var backoff = 0.01
    let deadline = Deadline(seconds: wantedTimeout)
    while true {
      let head = headSequence
      if let reply = pending[head]?.reply {
        return try deliver(head, reply)
      }
      if heldMulti == head { try releaseHeldMulti(to: try node(for: nil)) }  // its reply is wanted now
      guard let h = pending[head] else { throw RedisError(.protocolError, "lost track of a reply") }
      guard let c = nodes[h.node].connection, nodes[h.node].queueHead < nodes[h.node].queue.count else {
        throw fail(RedisError(.unavailable, "lost the connection to \(template.at(host: nodes[h.node].host, port: nodes[h.node].port))"))
      }
      let raw: UnsafeMutableRawPointer
      do throws(RedisError) { raw = try c.nextReply() } catch { throw fail(error) }
      let seq = nodes[h.node].queue[nodes[h.node].queueHead]
      nodes[h.node].queueHead += 1
      if nodes[h.node].queueHead == nodes[h.node].queue.count {
        nodes[h.node].queue.removeAll(keepingCapacity: true)
        nodes[h.node].queueHead = 0
      } else if nodes[h.node].queueHead > 4096 && nodes[h.node].queueHead > nodes[h.node].queue.count / 2 {
        nodes[h.node].queue.removeFirst(nodes[h.node].queueHead)
        nodes[h.node].queueHead = 0
      }
      if let redirect = Redirect(raw) {
        freeReplyObject(raw)
        try follow(redirect, seq, backoff: &backoff, deadline: deadline)
        continue
      }
      if seq == head { return try deliver(head, raw) }
      pending[seq]!.reply = raw
    }
  }

  /// Hands the head's reply over (folding WAIT parts, dropping ASKING replies) and moves on.
  private func deliver(_ seq: Int, _ raw: UnsafeMutableRawPointer) throws(RedisError) -> UnsafeMutableRawPointer {
    let p = pending.removeValue(forKey: seq)!
    headSequence += 1
    compactRetained()
    if p.discard || p.waitPart {
      extra -= 1
      if p.waitPart { waitMinimum = min(waitMinimum, Self.integer(raw) ?? 0) }
      freeReplyObject(raw)
      return try nextReply()
    }
    if p.waitFinal {
      let count = min(waitMinimum, Self.integer(raw) ?? 0)
      waitMinimum = Int.max
      freeReplyObject(raw)
      return synthesize(":\(count)\r\n")
    }
    return raw
  }

  /// Drops the RESP of commands answered, once it is most of the buffer (commands still in
  /// flight start at the head's).
  private func compactRetained() {
    guard let head = pending[headSequence] else { return }
    let dead = head.resp.lowerBound - retainedBase
    guard dead > 1 << 20, dead > retained.count / 2 else { return }
    retained.removeFirst(dead)
    retainedBase += dead
  }

  private static func integer(_ raw: UnsafeMutableRawPointer) -> Int? {
    RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self)).integer
  }

  private func synthesize(_ resp: String) -> UnsafeMutableRawPointer {
    var text = resp
    text.withUTF8 { b in _ = redisReaderFeed(synthesizer, UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self), b.count) }
    var raw: UnsafeMutableRawPointer?
    _ = redisReaderGetReply(synthesizer, &raw)
    return raw!
  }

  /// Whether `raw` is a reply the router follows (a redirection, or "try again later")
  /// rather than hands over: such a reply to a command sent outside the router is worth
  /// sending again through it.
  static func isRedirect(_ raw: UnsafeMutableRawPointer) -> Bool { Redirect(raw) != nil }

  /// A cluster redirection or a "try again later" error reply.
  private enum Redirect {
    case moved(slot: Int, host: String, port: Int)
    case ask(slot: Int, host: String, port: Int)
    case retry(String)

    init?(_ raw: UnsafeMutableRawPointer) {
      let r = RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self))
      guard let e = r.errorMessage else { return nil }
      // UNBLOCKED: a blocking read whose key moved to another node (a slot migrated).
      if e.hasPrefix("TRYAGAIN") || e.hasPrefix("CLUSTERDOWN") || e.hasPrefix("LOADING") || e.hasPrefix("MASTERDOWN")
        || e.hasPrefix("UNBLOCKED")
      {
        self = .retry(e)
        return
      }
      let words = e.split(separator: " ")
      guard words.count == 3, words[0] == "MOVED" || words[0] == "ASK", let slot = Int(words[1]),
        let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...])
      else { return nil }
      var host = String(words[2][..<colon])
      if host.isEmpty { host = "127.0.0.1" }
      self = words[0] == "MOVED" ? .moved(slot: slot, host: host, port: port) : .ask(slot: slot, host: host, port: port)
    }
  }

  /// Sends a redirected command again (MOVED: to the slot's new master, which the map now
  /// says; ASK: once to the importing node after ASKING; TRYAGAIN/CLUSTERDOWN: after a pause).
  private func follow(_ redirect: Redirect, _ seq: Int, backoff: inout Double, deadline: Deadline) throws(RedisError) {
    pending[seq]!.redirects += 1
    guard pending[seq]!.redirects <= 50, !deadline.hasPassed else {
      throw fail(RedisError(.unavailable, "the cluster at \(template) kept redirecting a command (resharding or failing over?)"))
    }
    switch redirect {
    case .moved(let slot, let host, let port):
      let index = nodeIndex(host: host, port: port)
      if (0..<HashSlot.count).contains(slot) { slots[slot] = Int32(index) }
      mapIsStale = true
      pending[seq]!.node = index
      try send(seq)
    case .ask(_, let host, let port):
      let index = nodeIndex(host: host, port: port)
      var asking = RedisCommand()
      asking.append("ASKING")
      let start = retainedBase + retained.count
      asking.writeRESP(appendingTo: &retained)
      // ASKING goes right before the command, as its own (dropped) reply; the command keeps
      // its place in the order of replies.
      let a = record(node: index, resp: start..<(retainedBase + retained.count), slot: nil)
      pending[a]!.discard = true
      extra += 1
      try send(a)
      pending[seq]!.node = index
      try send(seq)
    case .retry(let why):
      usleep(useconds_t(backoff * 1_000_000))
      backoff = min(backoff * 2, 0.5)
      if why.hasPrefix("CLUSTERDOWN") || why.hasPrefix("MASTERDOWN") || why.hasPrefix("UNBLOCKED") {
        if pending.count == 1 { try? refreshMap() } else { mapIsStale = true }
        if let slot = pending[seq]!.slot, slots[slot] >= 0 { pending[seq]!.node = Int(slots[slot]) }
      }
      try send(seq)
    }
    guard let c = nodes[pending[seq]!.node].connection else { return }
    do throws(RedisError) { try c.flush() } catch { throw fail(error) }
  }

  /// Closes everything after a failure: the caller reconnects.
  private func fail(_ error: RedisError) -> RedisError {
    close()
    return error
  }

  // MARK: - Blocking reads side by side

  /// A connection of its own for blocking reads of one slot, so that reads of several slots
  /// (which no single command may name together) wait side by side.
  private struct Lane {
    let node: Int
    let connection: RedisNode
    let clientID: Int
  }
  private var lanes: [Int: Lane] = [:]

  /// Sends each command (each on keys of one slot) on its slot's lane and waits on all of
  /// them at once, until one answers or `timeout` passes; the others are then woken (CLIENT
  /// UNBLOCK) and their replies read too, so nothing a read took is lost. Each reply is lent
  /// to `body` with its command's index. A redirection ends that read empty (the map is
  /// reloaded on the next command).
  func readOnLanes(_ commands: [RedisCommand], timeout: Double, _ body: (Int, RawReply) -> Void) throws(RedisError) {
    guard pending.isEmpty else { throw RedisError(.protocolError, "a blocking read while replies are awaited") }
    if mapIsStale { try refreshMap() }
    var used: [(index: Int, slot: Int, lane: Lane)] = []
    do throws(RedisError) {
      for (i, command) in commands.enumerated() {
        guard let slot = command.slot else { continue }
        let lane = try self.lane(for: slot)
        lane.connection.wantedTimeout = timeout
        lane.connection.append(command)
        try lane.connection.flush()
        used.append((i, slot, lane))
      }
      let deadline = Deadline(seconds: timeout)
      // Wait for the first answer.
      var fds = used.map { pollfd(fd: $0.lane.connection.fileDescriptor, events: Int16(POLLIN), revents: 0) }
      while !used.contains(where: { $0.lane.connection.hasBufferedInput }) {
        let n = poll(&fds, nfds_t(fds.count), deadline.pollMilliseconds)
        if n > 0 || deadline.hasPassed { break }
        if n < 0 && errno != EINTR { break }
      }
      // Wake the others, then read every reply.
      for (k, u) in used.enumerated() where fds[k].revents == 0 && !u.lane.connection.hasBufferedInput {
        let control = try connection(u.lane.node)
        control.append(["CLIENT", "UNBLOCK", String(u.lane.clientID)])
        _ = try control.withReply { $0.integer }.get()
      }
      for u in used {
        u.lane.connection.wantedTimeout = commandTimeout
        let raw = try u.lane.connection.nextReply()
        defer { freeReplyObject(raw) }
        if Redirect(raw) != nil {
          mapIsStale = true
          lanes[u.slot] = nil
          continue
        }
        body(u.index, RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self)))
      }
    } catch {
      for u in used { u.lane.connection.close() }
      lanes.removeAll()
      throw fail(error)
    }
  }

  private func lane(for slot: Int) throws(RedisError) -> Lane {
    let owner = try node(for: slot)
    if let lane = lanes[slot], lane.node == owner, !lane.connection.isBroken { return lane }
    lanes[slot]?.connection.close()
    let url = template.at(host: nodes[owner].host, port: nodes[owner].port)
    let c = try RedisNode(url: url, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    c.append(["CLIENT", "ID"])
    guard let id = try c.withReply({ $0.integer }).get() else {
      c.close()
      throw RedisError(.protocolError, "CLIENT ID on \(url) returned no number")
    }
    let lane = Lane(node: owner, connection: c, clientID: id)
    lanes[slot] = lane
    return lane
  }

  // MARK: - Scans

  /// SCAN on every master.
  func scanKeys(matching pattern: String, type: String?) throws(RedisError) -> [String] {
    guard pending.isEmpty else { throw RedisError(.protocolError, "SCAN while replies are awaited") }
    if mapIsStale { try refreshMap() }
    var found: [String] = []
    for index in masters {
      let c: RedisNode
      do throws(RedisError) { c = try connection(index) } catch { throw fail(error) }
      found += try RedisConnection.scan(c, pattern, type)
    }
    return found
  }
}
