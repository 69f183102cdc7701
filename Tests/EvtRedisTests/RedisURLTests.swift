import EvtRedis
import Testing

@Suite("Redis URLs")
struct RedisURLTests {
  @Test("redis:// with host, port and db")
  func tcp() throws {
    let url = try RedisURL(parsing: "redis://cache.local:6380/3")
    #expect(url.endpoint == .tcp(host: "cache.local", port: 6380))
    #expect(url.database == 3)
    #expect(url.user == nil && url.password == nil)
  }

  @Test("defaults: 127.0.0.1, port 6379, db 0")
  func defaults() throws {
    let url = try RedisURL(parsing: "redis://")
    #expect(url.endpoint == .tcp(host: "127.0.0.1", port: 6379))
    #expect(url.database == 0)
  }

  @Test("password only, and ACL user with password (percent-decoded)")
  func credentials() throws {
    let a = try RedisURL(parsing: "redis://:s3cret@h:1")
    #expect(a.user == nil && a.password == "s3cret")
    let b = try RedisURL(parsing: "redis://alice:p%40ss%3Aw@h/2")
    #expect(b.user == "alice" && b.password == "p@ss:w" && b.database == 2)
    let c = try RedisURL(parsing: "redis://justpassword@h")
    #expect(c.user == nil && c.password == "justpassword")
  }

  @Test("IPv6 hosts in brackets")
  func ipv6() throws {
    let url = try RedisURL(parsing: "redis://[::1]:7000")
    #expect(url.endpoint == .tcp(host: "::1", port: 7000))
    #expect(url.description == "redis://[::1]:7000")
  }

  @Test("unix sockets with db, user and password in the query")
  func unix() throws {
    let url = try RedisURL(parsing: "unix:///run/redis.sock?db=4&user=bob&password=x")
    #expect(url.endpoint == .unix(path: "/run/redis.sock"))
    #expect(url.database == 4 && url.user == "bob" && url.password == "x")
  }

  @Test("rediss:// is redis:// over TLS, verified by default")
  func tls() throws {
    let url = try RedisURL(parsing: "rediss://alice:topsecret@cache.example.com:6380/1")
    #expect(url.endpoint == .tcp(host: "cache.example.com", port: 6380))
    #expect(url.user == "alice" && url.password == "topsecret" && url.database == 1)
    #expect(url.tls == TLSOptions())
    #expect(url.tls?.insecure == false)
    #expect(url.description == "rediss://alice:***@cache.example.com:6380/1")
    #expect(try RedisURL(parsing: "redis://h").tls == nil)
  }

  @Test("descriptions never show the password")
  func masking() throws {
    #expect(try RedisURL(parsing: "redis://alice:topsecret@h:1/2").description == "redis://alice:***@h:1/2")
    #expect(try RedisURL(parsing: "unix:///s?password=topsecret").description == "unix:///s?password=***")
    #expect(RedisURL.mask("redis://u:topsecret@h:notaport") == "redis://u:***@h:notaport")
  }

  @Test(
    "malformed URLs are refused with a reason",
    arguments: [
      "http://h", "redis://h:0", "redis://h:99999", "redis://h:abc", "redis://h/x", "redis://h/-1",
      "unix://relative.sock", "unix:///s?db=x", "unix:///s?color=red", "rediss://h:0", "redis://[::1", "redis://h h",
    ])
  func malformed(_ text: String) {
    #expect(throws: RedisError.self) { try RedisURL(parsing: text) }
    do {
      _ = try RedisURL(parsing: text)
    } catch {
      #expect(error.kind == .invalidURL)
      #expect(error.message.hasPrefix("invalid Redis URL"))
    }
  }

  @Test("a malformed URL's error hides the password")
  func malformedMasked() {
    do {
      _ = try RedisURL(parsing: "redis://u:hunter2@h:port")
      Issue.record("expected an error")
    } catch {
      #expect(!error.message.contains("hunter2"))
    }
  }
}
