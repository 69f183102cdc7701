import COpenSSL

#if canImport(Glibc)
  import Glibc
#endif

/// TLS over a connected non-blocking socket (OpenSSL).
final class TLSTransport: Transport {
  let fd: Int32
  private let api: evt_ssl_api
  private let ssl: OpaquePointer

  /// Runs the handshake within the deadline; on failure closes `fd`.
  /// - Throws: `.unavailable` naming the problem (an untrusted certificate, a wrong host name…),
  ///   `.timeout` when the handshake did not finish in time.
  init(fd: Int32, host: String, options: TLSOptions, url: RedisURL, until deadline: Deadline) throws(RedisError) {
    self.fd = fd
    let api: evt_ssl_api
    let ssl: OpaquePointer
    do throws(RedisError) {
      api = try OpenSSL.api.get()
      let ctx = try OpenSSL.context(for: options)
      guard let made = api.ssl_new(ctx) else { throw RedisError(.unavailable, "cannot set up TLS: \(OpenSSL.errorText(api))") }
      ssl = made
    } catch {
      Glibc.close(fd)
      throw error
    }
    self.api = api
    self.ssl = ssl
    _ = api.ssl_set_fd(ssl, fd)
    let name = options.serverName ?? host
    // SNI carries host names only, never addresses.
    if !Self.isAddress(name) { _ = withUnsafePointer(to: api) { evt_ssl_set_server_name($0, ssl, name) } }
    if !options.insecure { _ = api.ssl_set1_host(ssl, name) }
    api.err_clear_error()
    // A plaintext Redis never answers a ClientHello (it waits for a line that never comes):
    // when the handshake has not moved for a moment, another connection asks the port in
    // plain RESP, and one that answers so ends this at once instead of at the deadline.
    let askAt = Deadline(seconds: 0.25)
    var asked = false
    while true {
      let rc = api.ssl_connect(ssl)
      if rc == 1 { return }
      let code = api.ssl_get_error(ssl, rc)
      let event: Int16
      switch code {
      case SSL_ERROR_WANT_READ: event = Int16(POLLIN)
      case SSL_ERROR_WANT_WRITE: event = Int16(POLLOUT)
      default:
        let why = handshakeFailure(code: code, name: name)
        close()
        throw RedisError(.unavailable, "TLS handshake with \(url) failed: \(why)")
      }
      if !asked {
        if Socket.wait(fd, for: event, until: askAt) { continue }
        asked = true
        if case .tcp(let host, let port) = url.endpoint, Self.speaksPlainRESP(host: host, port: port, until: deadline) {
          close()
          throw RedisError(.invalidURL, "\(url) speaks plain Redis, not TLS — use redis:// for that port (or the server's tls-port)")
        }
      }
      guard Socket.wait(fd, for: event, until: deadline) else {
        close()
        throw RedisError(.timeout, "TLS handshake with \(url) did not finish in time — is that port TLS?")
      }
    }
  }

  /// Whether the server at host:port answers a plain `PING` in RESP (at most a second, and
  /// never past `deadline`): a TLS port closes such a connection or says nothing.
  private static func speaksPlainRESP(host: String, port: Int, until deadline: Deadline) -> Bool {
    let soon = Deadline(seconds: 1)
    let until = deadline.pollMilliseconds >= 0 && deadline.pollMilliseconds < soon.pollMilliseconds ? deadline : soon
    guard let fd = try? Socket.connect(to: .tcp(host: host, port: port), until: until) else { return false }
    defer { Glibc.close(fd) }
    let ping = Array("PING\r\n".utf8)
    guard ping.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == ping.count else { return false }
    var first: UInt8 = 0
    guard Socket.wait(fd, for: Int16(POLLIN), until: until), Glibc.read(fd, &first, 1) == 1 else { return false }
    // +PONG, or -NOAUTH / -ERR from a server that wants a password.
    return first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
  }

  private func handshakeFailure(code: Int32, name: String) -> String {
    let verify = api.ssl_get_verify_result(ssl)
    if verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH {
      return "the server's certificate is not for '\(name)' — connect by a name it carries, or set --tls-server-name"
    }
    if verify != X509_V_OK {
      let reason = api.verify_error_string(verify).map { String(cString: $0) } ?? "error \(verify)"
      return "the server's certificate is not trusted (\(reason)) — give the CA that signed it with --tls-ca-file"
    }
    if code == SSL_ERROR_SYSCALL {
      api.err_clear_error()
      return errno == 0 ? "the server closed the connection — is that port TLS?" : Socket.reason()
    }
    return Self.explained(OpenSSL.errorText(api))
  }

  /// OpenSSL's reason, with what to do for the ones a user meets.
  static func explained(_ reason: String) -> String {
    if reason.contains("certificate required") {
      return "the server requires a client certificate (\(reason)) — give --tls-cert-file and --tls-key-file"
    }
    if reason.contains("wrong version number") || reason.contains("packet length too long") {
      return "\(reason) — is that port TLS?"
    }
    return reason
  }

  private static func isAddress(_ name: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) -> IOStatus {
    io(api.ssl_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count)))
  }

  func write(from buffer: UnsafeRawBufferPointer) -> IOStatus {
    let status = io(api.ssl_write(ssl, buffer.baseAddress, Int32(clamping: buffer.count)))
    switch status {
    case .closed, .failed:
      // A server that refused the finished handshake (TLS 1.3: it wanted a client
      // certificate) said why in an alert, which only a read picks up.
      var scratch: UInt8 = 0
      if case .failed(let why) = io(api.ssl_read(ssl, &scratch, 1)) { return .failed(why) }
      return status
    default:
      return status
    }
  }

  private func io(_ rc: Int32) -> IOStatus {
    if rc > 0 { return .done(Int(rc)) }
    switch api.ssl_get_error(ssl, rc) {
    case SSL_ERROR_WANT_READ: return .wantRead
    case SSL_ERROR_WANT_WRITE: return .wantWrite
    case SSL_ERROR_ZERO_RETURN: return .closed
    case SSL_ERROR_SYSCALL:
      api.err_clear_error()
      return errno == 0 || errno == ECONNRESET || errno == EPIPE ? .closed : .failed(Socket.reason())
    default:
      return .failed("TLS: " + Self.explained(OpenSSL.errorText(api)))
    }
  }

  var hasBufferedInput: Bool { api.ssl_pending(ssl) > 0 }

  private var closed = false

  func close() {
    guard !closed else { return }
    closed = true
    api.ssl_free(ssl)
    Glibc.close(fd)
  }

  deinit { close() }
}
