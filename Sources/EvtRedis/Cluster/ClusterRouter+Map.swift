import CHiredis

#if canImport(Glibc)
  import Glibc
#endif

extension ClusterRouter {
  /// Loads the slot map from `seed` (CLUSTER SHARDS; CLUSTER SLOTS before Redis 7), keeping
  /// `seed` as the connection of its node.
  func loadMap(from seed: RedisNode) throws(RedisError) {
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

  static func same(_ h1: String, _ p1: Int, _ h2: String, _ p2: Int) -> Bool {
    p1 == p2 && (h1 == h2 || (isLoopback(h1) && isLoopback(h2)))
  }

  static func isLoopback(_ h: String) -> Bool { h == "localhost" || h == "127.0.0.1" || h == "::1" }

  static func map(_ flat: [RedisReply]) -> [String: RedisReply] {
    var out: [String: RedisReply] = [:]
    var i = 0
    while i + 1 < flat.count {
      if let k = flat[i].string { out[k] = flat[i + 1] }
      i += 2
    }
    return out
  }

  func nodeIndex(host: String, port: Int) -> Int {
    if let i = nodes.firstIndex(where: { Self.same($0.host, $0.port, host, port) }) { return i }
    nodes.append(Node(host: host, port: port))
    return nodes.count - 1
  }

  /// Reloads the map from any node that answers (when nothing is in flight).
  func refreshMap() throws(RedisError) {
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
  var masters: [Int] { Set(slots.lazy.filter { $0 >= 0 }.map(Int.init)).sorted() }

  func connection(_ index: Int) throws(RedisError) -> RedisNode {
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
  func node(for slot: Int?) throws(RedisError) -> Int {
    if mapIsStale && pending.isEmpty { try refreshMap() }
    guard let slot else { return slots.first(where: { $0 >= 0 }).map(Int.init) ?? 0 }
    let index = Int(slots[slot])
    if index >= 0 { return index }
    try refreshMap()
    let again = Int(slots[slot])
    guard again >= 0 else { throw RedisError(.unavailable, "no master of the cluster serves slot \(slot) (CLUSTERDOWN?)") }
    return again
  }
}
