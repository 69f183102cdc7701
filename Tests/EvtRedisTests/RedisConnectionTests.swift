import EvtRedis
import EvtTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Connection to a real redis-server")
struct RedisConnectionTests {
  @Test("connects over a unix socket and over TCP")
  func connects() throws {
    try withRedis(tcp: true) { server in
      let unix = try server.connect()
      #expect(try unix.command(["PING"]) == .status("PONG"))
      let tcp = try RedisConnection(url: RedisURL(parsing: "redis://127.0.0.1:\(server.port!)"))
      #expect(try tcp.command(["ECHO", "hi"]) == .bulk(Array("hi".utf8)))
    }
  }

  @Test("arguments are binary-safe, never a format string")
  func binarySafe() throws {
    try withRedis { server in
      let c = try server.connect()
      var set: RedisCommand = ["SET", "k"]
      let value: [UInt8] = [0, 37, 115, 32, 13, 10, 255]  // NUL, "%s", CRLF, 0xFF
      set.append(value)
      try c.command(set)
      #expect(try c.command(["GET", "k"]).bytes == value)
      #expect(try c.command(["ECHO", ""]).bytes == [])
    }
  }

  @Test("a pipeline returns every reply in order, errors included")
  func pipeline() throws {
    try withRedis { server in
      let c = try server.connect()
      let replies = try c.pipeline([["SET", "a", "1"], ["INCR", "a"], ["LPUSH", "a", "x"], ["GET", "a"]])
      #expect(replies[0] == .status("OK"))
      #expect(replies[1] == .integer(2))
      #expect(replies[2].errorMessage?.hasPrefix("WRONGTYPE") == true)
      #expect(replies[3].string == "2")
    }
  }

  @Test("an error reply keeps the server's words")
  func serverError() throws {
    try withRedis { server in
      let c = try server.connect()
      do throws(RedisError) {
        try c.command(["NOSUCHCOMMAND"])
        Issue.record("expected an error")
      } catch {
        #expect(error.kind == .server)
        #expect(error.serverMessage?.hasPrefix("ERR unknown command") == true)
      }
      #expect(try c.command(["PING"]) == .status("PONG"))  // still usable
    }
  }

  @Test("AUTH with a password, and SELECT of the URL's database")
  func passwordAndDatabase() throws {
    try withRedis(arguments: ["--requirepass", "s3cret"]) { server in
      let c = try RedisConnection(url: RedisURL(parsing: "unix://\(server.socketPath)?password=s3cret&db=5"))
      try c.command(["SET", "where", "db5"])
      let other = try RedisConnection(url: RedisURL(parsing: "unix://\(server.socketPath)?password=s3cret"))
      #expect(try other.command(["GET", "where"]) == .null)
      try other.command(["SELECT", "5"])
      #expect(try other.command(["GET", "where"]).string == "db5")
    }
  }

  @Test("an ACL user with its password")
  func aclUser() throws {
    try withRedis { server in
      let admin = try server.connect()
      try admin.command(["ACL", "SETUSER", "alice", "on", ">wonderland", "~*", "+@all"])
      let c = try RedisConnection(url: RedisURL(parsing: "unix://\(server.socketPath)?user=alice&password=wonderland"))
      #expect(try c.command(["ACL", "WHOAMI"]).string == "alice")
    }
  }

  @Test("a wrong password or a missing one is an authentication error that hides the password")
  func wrongPassword() throws {
    try withRedis(tcp: true, arguments: ["--requirepass", "s3cret"]) { server in
      // Over TCP without a password the server is asked whether it is a cluster node along
      // with the first command: a missing password is said then.
      let tcp = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: server.port!))
      let refused = try #require(throws: RedisError.self) { try RedisConnection(url: tcp).command(["XLEN", "k"]) }
      #expect(refused.kind == .authentication && refused.message.contains("requires a password"))
      do throws(RedisError) {
        _ = try RedisConnection(url: RedisURL(parsing: "unix://\(server.socketPath)?password=nope123"))
        Issue.record("expected an error")
      } catch {
        #expect(error.kind == .authentication)
        #expect(!error.message.contains("nope123"))
      }
      let noPassword = try server.connect()
      do throws(RedisError) {
        try noPassword.command(["GET", "x"])
        Issue.record("expected an error")
      } catch {
        #expect(error.kind == .authentication)
        #expect(error.message.contains("requires a password"))
      }
    }
  }

  @Test("a server that is not running is unavailable, with a hint")
  func refused() throws {
    do throws(RedisError) {
      _ = try RedisConnection(url: RedisURL(parsing: "unix:///nonexistent/evt.sock"), connectTimeout: 1)
      Issue.record("expected an error")
    } catch {
      #expect(error.kind == .unavailable)
      #expect(error.message.contains("unix:///nonexistent/evt.sock"))
      #expect(error.message.contains("is redis-server running"))
    }
  }

  @Test("a command slower than the timeout fails with .timeout and closes the connection")
  func timeout() throws {
    try withRedis(arguments: ["--enable-debug-command", "yes"]) { server in
      let c = try RedisConnection(url: server.url, connectTimeout: 1, commandTimeout: 0.3)
      do throws(RedisError) {
        try c.command(["DEBUG", "SLEEP", "1"])
        Issue.record("expected a timeout")
      } catch {
        #expect(error.kind == .timeout)
      }
      #expect(c.isBroken)
      #expect(throws: RedisError.self) { try c.command(["PING"]) }
    }
  }

  @Test("a per-call timeout lets a blocking read wait longer than the command timeout")
  func blockingRead() throws {
    try withRedis { server in
      let c = try RedisConnection(url: server.url, connectTimeout: 1, commandTimeout: 0.2)
      let reply = try c.command(["XREAD", "BLOCK", "500", "STREAMS", "s", "$"], timeout: 2)
      #expect(reply == .null)
    }
  }

  @Test("after a long timeout for blocking reads, the next command has the command timeout again")
  func timeoutRestored() throws {
    try withRedis(arguments: ["--enable-debug-command", "yes"]) { server in
      let c = try RedisConnection(url: server.url, connectTimeout: 1, commandTimeout: 0.3)
      c.useTimeout(2)
      try c.append(["XREAD", "BLOCK", "500", "STREAMS", "s", "$"])
      #expect(try c.readReply() == .null)
      c.restoreTimeout()
      do throws(RedisError) {
        try c.command(["DEBUG", "SLEEP", "1"])
        Issue.record("expected a timeout")
      } catch {
        #expect(error.kind == .timeout)
      }
    }
  }

  @Test("a server that dies mid-session is reported as unavailable")
  func serverDies() throws {
    let server = try RedisServer()
    defer { server.stop() }
    let c = try server.connect()
    server.kill9()
    do throws(RedisError) {
      try c.command(["PING"])
      Issue.record("expected an error")
    } catch {
      #expect(error.kind == .unavailable)
    }
  }
}
