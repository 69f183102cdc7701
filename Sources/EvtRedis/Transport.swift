#if canImport(Glibc)
  import Glibc
#endif

/// What one non-blocking read or write did.
enum IOStatus {
  /// This many bytes moved (never 0).
  case done(Int)
  /// Nothing moved: wait until the socket is readable, then try again.
  case wantRead
  /// Nothing moved: wait until the socket is writable, then try again.
  case wantWrite
  /// The server closed the connection.
  case closed
  /// The connection failed; the text says why.
  case failed(String)
}

/// A connected byte stream to a server over a non-blocking socket: plain (``SocketTransport``)
/// or TLS (``TLSTransport``). Whoever waits uses `poll()` on ``fd``.
protocol Transport: AnyObject {
  var fd: Int32 { get }
  func read(into buffer: UnsafeMutableRawBufferPointer) -> IOStatus
  func write(from buffer: UnsafeRawBufferPointer) -> IOStatus
  /// Bytes already received and waiting inside the transport, which `poll()` does not see.
  var hasBufferedInput: Bool { get }
  func close()
}

/// A point in time on the monotonic clock by which an operation must be done; `nil` time
/// means never.
struct Deadline {
  private let end: Int64?

  /// `seconds` from now; 0 or less: no deadline (wait as long as it takes).
  init(seconds: Double) {
    end = seconds > 0 ? Self.nowNanoseconds() + Int64(min(seconds, 1e9) * 1e9) : nil
  }

  /// Milliseconds left for `poll()`: -1 for no deadline, 0 once passed.
  var pollMilliseconds: Int32 {
    guard let end else { return -1 }
    let left = end - Self.nowNanoseconds()
    if left <= 0 { return 0 }
    return Int32(clamping: (left + 999_999) / 1_000_000)
  }

  var hasPassed: Bool { end.map { Self.nowNanoseconds() >= $0 } ?? false }

  static func nowNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }
}

/// Socket calls shared by the transports: connecting without blocking, and waiting.
enum Socket {
  /// Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or the deadline passes.
  /// - Returns: false when the deadline passed first.
  static func wait(_ fd: Int32, for events: Int16, until deadline: Deadline) -> Bool {
    var entry = pollfd(fd: fd, events: events, revents: 0)
    while true {
      let n = poll(&entry, 1, deadline.pollMilliseconds)
      if n > 0 { return true }  // ready, or an error/hang-up the next call reports
      if n == 0 { return false }
      if errno != EINTR { return true }  // let the next read or write report it
      if deadline.hasPassed { return false }
    }
  }

  /// Why a socket call failed, from errno.
  static func reason(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

  enum ConnectFailure: Error {
    case timedOut
    /// The host name has no address.
    case unresolved(String)
    case failed(String)
  }

  /// Connects a non-blocking socket to `endpoint` (each address of a host name in turn)
  /// within the deadline.
  static func connect(to endpoint: RedisURL.Endpoint, until deadline: Deadline) throws(ConnectFailure) -> Int32 {
    switch endpoint {
    case .unix(let path):
      var address = sockaddr_un()
      address.sun_family = sa_family_t(AF_UNIX)
      let bytes = Array(path.utf8)
      guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        throw .failed("the socket path is longer than \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes")
      }
      withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
      }
      return try withUnsafePointer(to: &address) { p throws(ConnectFailure) in
        try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { a throws(ConnectFailure) in
          try connect(family: AF_UNIX, address: a, length: socklen_t(MemoryLayout<sockaddr_un>.size), until: deadline)
        }
      }
    case .tcp(let host, let port):
      var hints = addrinfo()
      hints.ai_family = AF_UNSPEC
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
      var list: UnsafeMutablePointer<addrinfo>?
      let rc = getaddrinfo(host, String(port), &hints, &list)
      guard rc == 0, let list else {
        throw .unresolved("cannot resolve host '\(host)': \(String(cString: gai_strerror(rc)))")
      }
      defer { freeaddrinfo(list) }
      var failure = ConnectFailure.failed("no address for host '\(host)'")
      var next: UnsafeMutablePointer<addrinfo>? = list
      while let info = next {
        next = info.pointee.ai_next
        do throws(ConnectFailure) {
          let fd = try connect(
            family: info.pointee.ai_family, address: info.pointee.ai_addr, length: info.pointee.ai_addrlen, until: deadline)
          var on: Int32 = 1
          setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
          keepAlive(fd)
          return fd
        } catch {
          failure = error
          if case .timedOut = error { break }
        }
      }
      throw failure
    }
  }

  private static func connect(family: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, until deadline: Deadline)
    throws(ConnectFailure)
    -> Int32
  {
    let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw .failed(reason()) }
    var rc = Glibc.connect(fd, address, length)
    while rc != 0 && errno == EINTR { rc = Glibc.connect(fd, address, length) }
    if rc == 0 { return fd }
    guard errno == EINPROGRESS || errno == EAGAIN else {
      let why = reason()
      Glibc.close(fd)
      throw .failed(why)
    }
    guard wait(fd, for: Int16(POLLOUT), until: deadline) else {
      Glibc.close(fd)
      throw .timedOut
    }
    var code: Int32 = 0
    var size = socklen_t(MemoryLayout<Int32>.size)
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
    guard code == 0 else {
      Glibc.close(fd)
      if code == ETIMEDOUT { throw .timedOut }
      throw .failed(reason(code))
    }
    return fd
  }

  /// TCP keep-alive probes after 15 s idle, every 5 s, 3 times (as hiredis sets them): a dead
  /// server is noticed on a connection blocked in a long XREAD.
  private static func keepAlive(_ fd: Int32) {
    var on: Int32 = 1
    var idle: Int32 = 15
    var interval: Int32 = 5
    var count: Int32 = 3
    let size = socklen_t(MemoryLayout<Int32>.size)
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, size)
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, size)
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, size)
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, size)
  }
}

/// A plain TCP or unix socket.
final class SocketTransport: Transport {
  let fd: Int32

  init(fd: Int32) { self.fd = fd }

  func read(into buffer: UnsafeMutableRawBufferPointer) -> IOStatus {
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      if n > 0 { return .done(n) }
      if n == 0 { return .closed }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: return .wantRead
      case ECONNRESET: return .closed
      default: return .failed(Socket.reason())
      }
    }
  }

  func write(from buffer: UnsafeRawBufferPointer) -> IOStatus {
    while true {
      let n = Glibc.write(fd, buffer.baseAddress, buffer.count)
      if n > 0 { return .done(n) }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: return .wantWrite
      case EPIPE, ECONNRESET: return .closed
      default: return .failed(Socket.reason())
      }
    }
  }

  var hasBufferedInput: Bool { false }

  func close() { Glibc.close(fd) }
}
