import EvtTestSupport
import Testing

@testable import EvtRedis

/// Against a real redis-server listening for TLS with certificates made by openssl.
@Suite("TLS")
struct TLSTests {
  let certificates: TestCertificates

  init() throws { certificates = try TestCertificates.shared.get() }

  @Test("mutual TLS: commands, a pipeline of 5,000 and a 4 MiB reply arrive whole")
  func mutual() throws {
    let server = try RedisServer(tls: certificates)
    defer { server.stop() }
    let c = try RedisConnection(url: server.tlsURL(certificates.mutual), connectTimeout: 2, commandTimeout: 10)
    #expect(try c.command(["PING"]) == .status("PONG"))
    let big = [UInt8](repeating: 0x61, count: 4 << 20)
    var set = RedisCommand(["SET", "big"])
    set.append(big)
    try c.command(set)
    #expect(try c.command(["GET", "big"]) == .bulk(big))
    let replies = try c.pipeline((0..<5000).map { ["INCR", "n\($0 % 7)"] })
    #expect(replies.count == 5000)
    #expect(try c.command(["GET", "n0"]) == .bulk(Array("715".utf8)))
  }

  @Test("a certificate from another CA is refused, naming the problem")
  func otherCA() throws {
    let server = try RedisServer(tls: certificates, serverKey: "other")
    defer { server.stop() }
    let error = try #require(throws: RedisError.self) { try RedisConnection(url: server.tlsURL(certificates.mutual), connectTimeout: 2) }
    #expect(error.kind == .unavailable)
    #expect(error.message.contains("the server's certificate is not trusted"))
    #expect(error.message.contains("--tls-ca-file"))
    // Without verification it connects (the other CA's server does not ask for a client certificate here).
    var insecure = certificates.mutual
    insecure.insecure = true
    #expect(try RedisConnection(url: server.tlsURL(insecure), connectTimeout: 2).command(["PING"]) == .status("PONG"))
  }

  @Test("a certificate for another name is refused; --tls-server-name names the one expected")
  func hostName() throws {
    let server = try RedisServer(tls: certificates)
    defer { server.stop() }
    var options = certificates.mutual
    options.serverName = "db.example.com"
    let error = try #require(throws: RedisError.self) { try RedisConnection(url: server.tlsURL(options), connectTimeout: 2) }
    #expect(error.message.contains("is not for 'db.example.com'"))
    options.serverName = "localhost"
    #expect(try RedisConnection(url: server.tlsURL(options), connectTimeout: 2).command(["PING"]) == .status("PONG"))
  }

  @Test("a server that requires a client certificate: refused at connect, saying so")
  func clientCertificateRequired() throws {
    let server = try RedisServer(tls: certificates)
    defer { server.stop() }
    let options = TLSOptions(caFile: certificates.path("ca.crt"))
    let error = try #require(throws: RedisError.self) { try RedisConnection(url: server.tlsURL(options), connectTimeout: 2) }
    #expect(error.message.contains("requires a client certificate"))
    #expect(error.message.contains("--tls-cert-file"))
  }

  @Test("TLS to a plain port, and plain to a TLS port, fail clearly and in time")
  func wrongPort() throws {
    let server = try RedisServer(tcp: true, tls: certificates)
    defer { server.stop() }
    let plainPort = try #require(server.port)
    let tlsToPlain = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: plainPort), tls: certificates.mutual)
    // Known for what it is (a plain PING on another connection), not left to the connect
    // timeout; a configuration error.
    let e1 = try #require(throws: RedisError.self) { try RedisConnection(url: tlsToPlain, connectTimeout: 5) }
    #expect(e1.message.contains("speaks plain Redis, not TLS"))
    #expect(e1.kind == .invalidURL)
    // Refused at the first round trip, with the hint.
    let plainToTLS = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: server.tlsPort ?? 0))
    let e2 = try #require(throws: RedisError.self) {
      try RedisConnection(url: plainToTLS, connectTimeout: 1, commandTimeout: 1).command(["PING"])
    }
    #expect(e2.kind == .unavailable)
    #expect(e2.message.contains("is that port TLS? Then use rediss://"))
  }

  @Test("the password is never in an error")
  func password() throws {
    let server = try RedisServer(arguments: ["--requirepass", "s3cr3t-pw"], tls: certificates)
    defer { server.stop() }
    #expect(try RedisConnection(url: server.tlsURL(certificates.mutual, password: "s3cr3t-pw")).command(["PING"]) == .status("PONG"))
    let error = try #require(throws: RedisError.self) {
      try RedisConnection(url: server.tlsURL(certificates.mutual, password: "not-the-pw"), connectTimeout: 2)
    }
    #expect(error.kind == .authentication)
    #expect(!error.message.contains("not-the-pw"))
    #expect(error.message.contains("rediss://:***@127.0.0.1"))
  }
}
