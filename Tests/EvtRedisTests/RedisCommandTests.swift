import CHiredis
import Testing

@testable import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Commands in RESP")
struct RedisCommandTests {
  @Test("a command is written as a RESP array of bulk strings that hiredis reads back argument for argument")
  func resp() throws {
    var binary = RedisCommand(["XADD", "k", "*", "event"])
    binary.append([0, 0x0D, 0x0A, 0xFF, 0x24])
    let commands: [RedisCommand] = [["PING"], ["SET", "", "v"], binary, RedisCommand((0..<300).map(String.init))]
    for command in commands {
      var resp: [UInt8] = []
      command.writeRESP(appendingTo: &resp)
      // hiredis's reader parses it as the array of bulk strings that was meant.
      let decoded = try RedisReply.decode(resp)
      #expect(decoded == [.array(command.argumentBytes.map { .bulk($0) })])
      // And it is byte for byte what hiredis's own encoder makes of the same arguments.
      #expect(resp == Self.hiredisFormat(command.argumentBytes))
    }
    var two: [UInt8] = []
    RedisCommand(["PING"]).writeRESP(appendingTo: &two)
    RedisCommand(["ECHO", "x"]).writeRESP(appendingTo: &two)
    #expect(String(decoding: two, as: UTF8.self) == "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n")
    var ping: [UInt8] = []
    RedisCommand(["PING", "a b"]).writeRESP(appendingTo: &ping)
    #expect(String(decoding: ping, as: UTF8.self) == "*2\r\n$4\r\nPING\r\n$3\r\na b\r\n")
  }

  /// `redisFormatCommandArgv` over the arguments.
  static func hiredisFormat(_ arguments: [[UInt8]]) -> [UInt8] {
    let copies = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
      let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
      bytes.withUnsafeBytes { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(p), byteCount: bytes.count) }
      return p
    }
    defer { copies.forEach { $0.deallocate() } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    let lengths = arguments.map(\.count)
    var target: UnsafeMutablePointer<CChar>?
    let n = redisFormatCommandArgv(&target, Int32(arguments.count), &pointers, lengths)
    defer { free(target) }
    guard n > 0, let target else { return [] }
    return Array(UnsafeRawBufferPointer(start: target, count: Int(n)))
  }
}
