import CHiredis

#if canImport(Glibc)
  import Glibc
#endif

extension ClusterRouter {
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
  func deliver(_ seq: Int, _ raw: UnsafeMutableRawPointer) throws(RedisError) -> UnsafeMutableRawPointer {
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
  func compactRetained() {
    guard let head = pending[headSequence] else { return }
    let dead = head.resp.lowerBound - retainedBase
    guard dead > 1 << 20, dead > retained.count / 2 else { return }
    retained.removeFirst(dead)
    retainedBase += dead
  }

  static func integer(_ raw: UnsafeMutableRawPointer) -> Int? {
    RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self)).integer
  }

  func synthesize(_ resp: String) -> UnsafeMutableRawPointer {
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
  enum Redirect {
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
  func follow(_ redirect: Redirect, _ seq: Int, backoff: inout Double, deadline: Deadline) throws(RedisError) {
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
  func fail(_ error: RedisError) -> RedisError {
    close()
    return error
  }
}
