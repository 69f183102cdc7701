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
