#if canImport(Glibc)
  import Glibc
#endif

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
