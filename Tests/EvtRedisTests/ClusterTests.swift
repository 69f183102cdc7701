import EvtTestSupport
import Testing

@testable import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Hash slots")
struct HashSlotTests {
  @Test("CRC16 of the key, or of its hash tag, modulo 16384, as Redis computes it")
  func slots() {
    #expect(HashSlot.of("123456789") == 0x31C3 % 16384)
    #expect(HashSlot.of("foo") == 12182)
    #expect(HashSlot.of("{user1000}.following") == HashSlot.of("user1000"))
    #expect(HashSlot.of("evt:{a.b}:stream") == HashSlot.of("other:{a.b}:dlq:g"))
    #expect(HashSlot.of("{}x") == HashSlot.of("{}x"))  // an empty tag: the whole key
    #expect(HashSlot.of("a{}{b}") != HashSlot.of("b"))
    #expect(RedisCommand(["XADD", "evt:{a.b}:stream", "*", "event", "{}"]).slot == HashSlot.of("a.b"))
    #expect(RedisCommand(["EVAL", "return 1", "2", "ns:{t}:done", "ns:{t}:stream"]).slot == HashSlot.of("t"))
    #expect(RedisCommand(["xreadgroup", "GROUP", "g", "c", "streams", "ns:{t}:stream", ">"]).slot == HashSlot.of("t"))
    #expect(RedisCommand(["XGROUP", "CREATE", "ns:{t}:stream", "g", "0"]).slot == HashSlot.of("t"))
    #expect(RedisCommand(["WAIT", "1", "100"]).slot == nil)
    #expect(RedisCommand(["EVAL", "return 1", "0"]).slot == nil)
  }

  @Test("the key a command's builder recorded routes it, wherever it stands; equality is the arguments")
  func recordedKey() {
    var command: RedisCommand = ["XINFO", "CONSUMERS"]
    command.appendKey("ns:{t}:stream")
    command.append("g")
    command.appendKey("ns:{u}:stream")  // only the first key recorded routes
    #expect(command.slot == HashSlot.of("t"))
    #expect(command.key == "ns:{t}:stream")
    var odd: RedisCommand = ["OBJECT", "ENCODING"]
    odd.appendKey("ns:{v}:stream")  // the name table would take the first argument
    #expect(odd.slot == HashSlot.of("v"))
    #expect(odd == RedisCommand(["OBJECT", "ENCODING", "ns:{v}:stream"]))
    odd.removeAll()
    odd.append("PING")
    #expect(odd.slot == nil)
  }
}

/// Against a real 3-master, 3-replica cluster (start_cluster).
@Suite("Redis Cluster", .serialized)
struct ClusterTests {
  @Test("found by itself; keys go to their masters; a pipeline over every master keeps its order; WAIT and MULTI")
  func routing() throws {
    let cluster = try TestCluster()
    defer { cluster.stop() }
    let c = try RedisConnection(url: try cluster.url, connectTimeout: 2, commandTimeout: 5)
    #expect(c.isCluster)
    let replies = try c.pipeline((0..<600).map { ["SET", "key\($0)", "value\($0)"] } + (0..<600).map { ["GET", "key\($0)"] })
    #expect(replies.suffix(600) == (0..<600).map { .bulk(Array("value\($0)".utf8)) })
    // Every master got some of them.
    for port in cluster.ports.prefix(3) {
      let node = try RedisNode(url: RedisURL(endpoint: .tcp(host: "127.0.0.1", port: port)), connectTimeout: 2, commandTimeout: 5)
      node.append(["DBSIZE"])
      let size = try node.withReply { $0.integer }.get() ?? 0
      node.append(["ROLE"])
      let role = try node.withReply { $0.reply }.get().array?.first?.string
      #expect(role != "master" || size > 0)
    }
    #expect(try c.scanKeys(matching: "key*").count == 600)
    // WAIT goes to every master written to: each has its replica.
    _ = try c.command(["SET", "a", "1"])
    _ = try c.command(["SET", "b", "1"])
    #expect(try c.command(["WAIT", "1", "2000"]) == .integer(1))
    // A transaction goes to the node of its first key.
    let tx = try c.pipeline([["MULTI"], ["INCR", "{t}x"], ["INCR", "{t}y"], ["EXEC"]])
    #expect(tx.last == .array([.integer(1), .integer(1)]))
    // An empty one; and a MULTI whose reply is read before any keyed command (its node is
    // not known yet) goes to some node instead of failing.
    #expect(try c.pipeline([["MULTI"], ["EXEC"]]) == [.status("OK"), .array([])])
    #expect(try c.command(["MULTI"]) == .status("OK"))
    #expect(try c.command(["EXEC"]) == .array([]))
    // Keys of several slots may not be read together; slotGroups says how to split them.
    #expect(c.slotGroups(["{a}1", "{b}1", "{a}2"]) == [["{a}1", "{a}2"], ["{b}1"]])
  }

  @Test("found with the first pipeline: the cluster question rides with it; what a node redirected is sent again, in order")
  func foundLazily() throws {
    let cluster = try TestCluster()
    defer { cluster.stop() }
    // The commands that may go before the answer (whatever their spelling), and one that may not.
    #expect(RedisConnection.lazilyProbed(["XADD", "k", "*", "f", "v"]) && RedisConnection.lazilyProbed(["sadd", "k", "m"]))
    #expect(!RedisConnection.lazilyProbed(["MULTI"]) && !RedisConnection.lazilyProbed(["EXISTS", "a", "b"]))
    let c = try RedisConnection(url: try cluster.url, connectTimeout: 2, commandTimeout: 5)
    // Keys of every master, in one pipeline sent before anything asked whether it is a cluster.
    let replies = try c.pipeline(
      (0..<300).flatMap { i -> [RedisCommand] in [["SADD", "set\(i)", "m"], ["XADD", "s\(i)", "*", "f", "\(i)"]] })
    #expect(replies.count == 600)
    #expect(replies.enumerated().allSatisfy { i, r in i % 2 == 0 ? r == .integer(1) : r.string?.contains("-") == true })
    #expect(c.isCluster)
    #expect(try c.pipeline((0..<300).map { ["XLEN", "s\($0)"] }) == Array(repeating: .integer(1), count: 300))
    #expect(try c.scanKeys(matching: "s[0-9]*").count == 300)
    // A command that must know first (a transaction) asks before it goes.
    let d = try RedisConnection(url: try cluster.url, connectTimeout: 2, commandTimeout: 5)
    let tx = try d.pipeline([["MULTI"], ["INCR", "{t}x"], ["INCR", "{t}y"], ["EXEC"]])
    #expect(tx.last == .array([.integer(1), .integer(1)]))
  }

  @Test("a slot moved behind the connection's back: MOVED and ASK are followed")
  func redirections() throws {
    let cluster = try TestCluster()
    defer { cluster.stop() }
    let c = try RedisConnection(url: try cluster.url, connectTimeout: 2, commandTimeout: 5)
    _ = try c.command(["SET", "{m}k", "before"])
    let slot = HashSlot.of("m")
    // The masters, and which one has the slot.
    var ids: [Int: String] = [:]
    var owner = 0
    for port in cluster.ports {
      let node = try RedisNode(url: RedisURL(endpoint: .tcp(host: "127.0.0.1", port: port)), connectTimeout: 2, commandTimeout: 5)
      node.append(["ROLE"])
      guard try node.withReply({ $0.reply }).get().array?.first?.string == "master" else { continue }
      node.append(["CLUSTER", "MYID"])
      ids[port] = try node.withReply { $0.reply }.get().string
      node.append(["CLUSTER", "COUNTKEYSINSLOT", String(slot)])
      if try node.withReply({ $0.integer }).get() == 1 { owner = port }
    }
    let target = try #require(ids.keys.first { $0 != owner })
    func on(_ port: Int, _ command: RedisCommand) throws -> RedisReply {
      let node = try RedisNode(url: RedisURL(endpoint: .tcp(host: "127.0.0.1", port: port)), connectTimeout: 2, commandTimeout: 5)
      node.append(command)
      return try node.withReply { $0.reply }.get()
    }
    // Half-way through a migration: the key already moved, the slot not yet (ASK).
    _ = try on(target, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", ids[owner]!])
    _ = try on(owner, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", ids[target]!])
    _ = try on(owner, ["MIGRATE", "127.0.0.1", String(target), "", "0", "5000", "KEYS", "{m}k"])
    #expect(try c.command(["GET", "{m}k"]) == .bulk(Array("before".utf8)))
    #expect(try c.pipeline([["GET", "{m}k"], ["SET", "{m}k", "during"], ["GET", "{m}k"]]).last == .bulk(Array("during".utf8)))
    // The migration done: the slot belongs to the target (MOVED).
    for port in ids.keys { _ = try on(port, ["CLUSTER", "SETSLOT", String(slot), "NODE", ids[target]!]) }
    #expect(try c.command(["GET", "{m}k"]) == .bulk(Array("during".utf8)))
    #expect(try c.command(["SET", "{m}k", "after"]) == .status("OK"))
  }
}
