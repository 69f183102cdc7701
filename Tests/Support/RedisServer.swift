import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// A private `redis-server` for one test: started on a unix socket (and, when asked, a free
/// TCP port) in a fresh temporary directory, stopped and removed by ``stop()``.
///
/// Never a mock: tests talk to the real server Debian ships.
public final class RedisServer: @unchecked Sendable {
  public let directory: String
  public let socketPath: String
  public private(set) var port: Int?
  /// The TLS port, when started with certificates.
  public private(set) var tlsPort: Int?
  private var pid: pid_t = 0
  private var extraArguments: [String] = []

  /// The server's unix-socket URL (with `password` when the server requires one).
  public var url: RedisURL { RedisURL(endpoint: .unix(path: socketPath)) }
  public var urlString: String { "unix://\(socketPath)" }

  /// Starts a server. `arguments` are added to its command line (e.g. `["--requirepass", "s"]`).
  /// With `tls`, it also listens for TLS on ``tlsPort`` with the server certificate `serverKey`
  /// names (`"server"`: signed by the test CA; `"other"`: by another CA), and requires a client
  /// certificate when `clientCertificates` is true.
  public init(
    tcp: Bool = false, arguments: [String] = [], tls: TestCertificates? = nil, serverKey: String = "server",
    clientCertificates: Bool = true
  ) throws {
    var template = Array("/tmp/evt-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestSupportError("cannot create a temp dir") }
    directory = String(cString: made)
    socketPath = directory + "/redis.sock"
    // A free port can be taken by another test's server between choosing it and binding it;
    // the server then exits at once, and is started again on other ports.
    var attempt = 0
    while true {
      port = tcp ? Self.freePort() : nil
      var extra = arguments
      if let tls {
        let port = Self.freePort()
        tlsPort = port
        extra += [
          "--tls-port", String(port), "--tls-cert-file", tls.path("\(serverKey).crt"), "--tls-key-file",
          tls.path("\(serverKey).key"), "--tls-ca-cert-file", tls.path("ca.crt"), "--tls-auth-clients",
          clientCertificates ? "yes" : "no",
        ]
      } else {
        tlsPort = nil
      }
      extraArguments = extra
      do {
        try start()
        return
      } catch let error as ServerExited where error.portTaken && attempt < 5 {
        attempt += 1
      }
    }
  }

  /// The server's `rediss://` URL on loopback with these TLS options.
  public func tlsURL(_ options: TLSOptions, password: String? = nil) -> RedisURL {
    RedisURL(endpoint: .tcp(host: "127.0.0.1", port: tlsPort ?? 0), password: password, tls: options)
  }

  /// Starts (or restarts, keeping the directory and its append-only file) the server.
  public func start() throws {
    var args = [
      "redis-server", "--port", String(port ?? 0), "--bind", "127.0.0.1", "--unixsocket", socketPath,
      "--unixsocketperm", "700", "--dir", directory, "--save", "", "--daemonize", "no",
      "--logfile", directory + "/redis.log",
    ]
    args += extraArguments
    let argv: [UnsafeMutablePointer<CChar>?] = args.map { s in strdup(s) } + [nil]
    defer { for a in argv { free(a) } }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The test runner's threads block signals; the server must not inherit that mask, or it
    // would never stop on SIGTERM.
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    // Its standard streams go to /dev/null, so it never holds the test runner's pipes open.
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
    var child: pid_t = 0
    let rc = posix_spawnp(&child, "redis-server", &actions, &attributes, argv, environ)
    guard rc == 0 else {
      throw TestSupportError("cannot start redis-server (\(String(cString: strerror(rc)))): install Debian's redis-server package")
    }
    pid = child
    // Wait until it answers (a loaded machine starting many servers at once can take seconds).
    for _ in 0..<3000 {
      var status: Int32 = 0
      if waitpid(child, &status, WNOHANG) == child {
        pid = 0
        let log = (try? readFile(directory + "/redis.log")) ?? ""
        throw ServerExited(log: log, directory: directory)
      }
      if let c = try? RedisConnection(url: url, connectTimeout: 1, commandTimeout: 1) {
        if (try? c.command(["PING"])) != nil || extraArguments.contains("--requirepass") { return }
      }
      usleep(10_000)
    }
    throw TestSupportError("redis-server did not start within 30 s; see \(directory)/redis.log")
  }

  /// Kills the server at once (SIGKILL), as a crash would.
  public func kill9() {
    guard pid > 0 else { return }
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    pid = 0
    unlink(socketPath)
  }

  /// Stops the server and removes its directory.
  public func stop() {
    if pid > 0 {
      kill(pid, SIGTERM)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
      pid = 0
    }
    removeTree(directory)
  }

  deinit { stop() }

  /// A new connection to this server.
  public func connect() throws -> RedisConnection {
    try RedisConnection(url: url, connectTimeout: 2, commandTimeout: 5)
  }

  private static func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    _ = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}

/// The server exited before it answered; `log` is its log file.
struct ServerExited: Error, CustomStringConvertible {
  let log: String
  let directory: String
  var portTaken: Bool { log.contains("Address already in use") }
  var description: String {
    "redis-server exited at start: \(log.split(separator: "\n").last.map(String.init) ?? "no log") (\(directory)/redis.log)"
  }
}

/// Runs `body` with a fresh server and always stops it afterwards.
public func withRedis<T>(tcp: Bool = false, arguments: [String] = [], _ body: (RedisServer) throws -> T) throws -> T {
  let server = try RedisServer(tcp: tcp, arguments: arguments)
  defer { server.stop() }
  return try body(server)
}

/// A test CA, server certificates for localhost and 127.0.0.1 (one signed by the test CA, one
/// by another CA) and a client certificate, made once per test process by `openssl` (with
/// `make_tls_certs` of scripts/lib.sh) in a temporary directory.
public final class TestCertificates: Sendable {
  public let directory: String

  public static let shared: Result<TestCertificates, TestSupportError> = {
    var template = Array("/tmp/evt-tls-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { return .failure(TestSupportError("cannot create a temp dir")) }
    let directory = String(cString: made)
    // Tests/Support/RedisServer.swift → the repository's scripts/lib.sh.
    let lib = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/") + "/scripts/lib.sh"
    let status = runShell("source '\(lib)' && make_tls_certs '\(directory)'")
    guard status == 0 else { return .failure(TestSupportError("openssl could not make the test certificates (exit \(status))")) }
    return .success(TestCertificates(directory: directory))
  }()

  private init(directory: String) { self.directory = directory }

  public func path(_ name: String) -> String { directory + "/" + name }

  /// Trusts the test CA and presents the client certificate.
  public var mutual: TLSOptions { TLSOptions(caFile: path("ca.crt"), certFile: path("client.crt"), keyFile: path("client.key")) }
}

/// A Redis Cluster of three masters with a replica each, started on loopback by
/// `start_cluster` (scripts/lib.sh) in a temporary directory, stopped by ``stop()``.
public final class TestCluster: @unchecked Sendable {
  public let directory: String
  /// Every node's port, masters first.
  public let ports: [Int]
  private var pids: [pid_t]

  public init() throws {
    let lib = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/") + "/scripts/lib.sh"
    let out = runShellCapturing(
      "source '\(lib)' && start_cluster 3 >&2 && echo \"$CLUSTER_DIR\" && echo \"${CLUSTER_PORTS[*]}\" && echo \"${CLUSTER_PIDS[*]}\"")
    let lines = out.split(separator: "\n").map(String.init)
    guard lines.count >= 3 else { throw TestSupportError("start_cluster failed: \(out)") }
    directory = lines[0]
    ports = lines[1].split(separator: " ").compactMap { Int($0) }
    pids = lines[2].split(separator: " ").compactMap { pid_t($0) }
  }

  /// Every master's address, comma-separated.
  public var url: RedisURL {
    get throws { try RedisURL(parsing: "redis://" + ports.prefix(3).map { "127.0.0.1:\($0)" }.joined(separator: ",")) }
  }

  public func stop() {
    for p in pids { kill(p, SIGKILL) }
    pids = []
    removeTree(directory)
  }

  deinit { stop() }
}

/// Runs `script` with bash and returns what it wrote on standard output.
public func runShellCapturing(_ script: String) -> String {
  var fds: [Int32] = [0, 0]
  guard pipe(&fds) == 0 else { return "" }
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
  posix_spawn_file_actions_addclose(&actions, fds[0])
  // Only standard output holds the pipe: the servers the script leaves running must not.
  posix_spawn_file_actions_addclose(&actions, fds[1])
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
  let words: [String] = ["/bin/bash", "-c", script]
  let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
  defer { for a in argv { free(a) } }
  var child: pid_t = 0
  guard posix_spawn(&child, "/bin/bash", &actions, nil, argv, environ) == 0 else { return "" }
  close(fds[1])
  var out: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, 4096) }
    if n > 0 { out += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
  }
  close(fds[0])
  var status: Int32 = 0
  while waitpid(child, &status, 0) < 0 && errno == EINTR {}
  return String(decoding: out, as: UTF8.self)
}

/// Runs `script` with bash; returns its exit status.
@discardableResult
public func runShell(_ script: String) -> Int32 {
  let words: [String] = ["/bin/bash", "-c", script]
  let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
  defer { for a in argv { free(a) } }
  var child: pid_t = 0
  guard posix_spawn(&child, "/bin/bash", nil, nil, argv, environ) == 0 else { return -1 }
  var status: Int32 = 0
  while waitpid(child, &status, 0) < 0 && errno == EINTR {}
  return (status >> 8) & 0xFF
}

public struct TestSupportError: Error, CustomStringConvertible {
  public let description: String
  public init(_ d: String) { description = d }
}

/// A namespace no other test uses.
public func uniqueNamespace(_ prefix: String = "t") -> String {
  "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
}

func removeTree(_ path: String) {
  guard let dir = opendir(path) else { return }
  while let entry = readdir(dir) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    if name == "." || name == ".." { continue }
    if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(path + "/" + name) } else { unlink(path + "/" + name) }
  }
  closedir(dir)
  rmdir(path)
}
