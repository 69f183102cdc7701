import CHiredis

#if canImport(Glibc)
  import Glibc
#endif

extension ClusterRouter {
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
  func releaseHeldMulti(to target: Int) throws(RedisError) {
    guard let multi = heldMulti else { return }
    heldMulti = nil
    transactionNode = target
    pending[multi]!.node = target
    try send(multi)
  }

  /// A WAIT goes to every node written to since the last one (every master when none was);
  /// its reply is the smallest count.
  func appendWait(_ resp: Range<Int>) throws(RedisError) {
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

  func record(node: Int, resp: Range<Int>, slot: Int?) -> Int {
    let seq = nextSequence
    nextSequence += 1
    pending[seq] = Pending(node: node, resp: resp, slot: slot)
    return seq
  }

  /// Queues a recorded command on its node's connection.
  func send(_ seq: Int) throws(RedisError) {
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
}
