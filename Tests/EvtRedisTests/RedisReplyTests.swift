import EvtRedis
import Testing

@Suite("Reply decoding")
struct RedisReplyTests {
  func decode(_ text: String) throws -> [RedisReply] { try RedisReply.decode(Array(text.utf8)) }

  @Test("every RESP2 type becomes one case")
  func types() throws {
    let replies = try decode("+OK\r\n-ERR boom\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n$0\r\n\r\n*-1\r\n")
    #expect(
      replies == [
        .status("OK"), .error("ERR boom"), .integer(42), .bulk(Array("abc".utf8)), .null, .array([.integer(1), .bulk([])]), .null,
      ])
  }

  @Test("bulk strings are binary-safe")
  func binary() throws {
    let replies = try RedisReply.decode(Array("$4\r\n".utf8) + [0, 255, 13, 10] + Array("\r\n".utf8))
    #expect(replies == [.bulk([0, 255, 13, 10])])
  }

  @Test("nested arrays (an XREAD reply) keep their shape")
  func nested() throws {
    let replies = try decode("*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$5\r\nevent\r\n$2\r\n{}\r\n")
    let entry = replies[0].array?[0].array?[1].array?[0].array
    #expect(entry?[0].string == "1-0")
    #expect(entry?[1].array?[1].bytes == Array("{}".utf8))
  }

  @Test("a partial reply yields nothing yet; garbage is a protocol error")
  func partialAndGarbage() throws {
    #expect(try decode("$10\r\nabc").isEmpty)
    #expect(throws: RedisError.self) { try decode("?what\r\n") }
  }

  @Test("typed accessors")
  func accessors() {
    #expect(RedisReply.bulk(Array("12".utf8)).int == 12)
    #expect(RedisReply.integer(3).int == 3)
    #expect(RedisReply.status("PONG").string == "PONG")
    #expect(RedisReply.error("ERR x").errorMessage == "ERR x")
    #expect(RedisReply.null.array == nil)
  }
}
