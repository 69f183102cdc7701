import Testing

@testable import EvtRedis

@Suite("Commands in RESP")
struct RedisCommandTests {
  @Test("a command is written as a RESP array of bulk strings that hiredis reads back argument for argument")
  func resp() throws {
    var binary = RedisCommand(["XADD", "k", "*", "event"])
    binary.append([0, 0x0D, 0x0A, 0xFF, 0x24])
    let commands: [RedisCommand] = [["PING"], ["SET", "", "v"], binary, RedisCommand((0..<300).map(String.init))]
    for command in commands {
      var resp: [UInt8] = []
      command.writeRESP(into: &resp)
      // hiredis's reader parses it as the array of bulk strings that was meant.
      let decoded = try RedisReply.decode(resp)
      #expect(decoded == [.array(command.argumentBytes.map { .bulk($0) })])
    }
    var ping: [UInt8] = []
    RedisCommand(["PING", "a b"]).writeRESP(into: &ping)
    #expect(String(decoding: ping, as: UTF8.self) == "*2\r\n$4\r\nPING\r\n$3\r\na b\r\n")
  }
}
