#if canImport(Glibc)
  import Glibc
#endif

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
