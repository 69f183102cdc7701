#if canImport(Glibc)
  import Glibc
#endif

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
