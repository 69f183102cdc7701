import CHiredis

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One connection to one Redis server, over TCP, a unix socket or TLS: what
/// ``RedisConnection`` uses for a single server, and for each node of a cluster.
///
/// It owns its socket (non-blocking; every wait is a `poll()` with the operation's deadline,
/// so timeouts are exact); hiredis's reader decodes the replies. Connecting authenticates and
/// selects the database. After an I/O error or a timeout it is closed for good (``isBroken``).
final class RedisNode {
  let url: RedisURL
  /// Seconds a command may take before it fails with `.timeout`.
  let commandTimeout: Double
  /// Seconds a connection attempt (TLS handshake included) may take.
  let connectTimeout: Double
  /// Whether the server said `cluster_enabled:1` when asked (``init(url:connectTimeout:commandTimeout:probeCluster:)``).
  private(set) var isCluster = false
  private var transport: (any Transport)?
  /// Decodes replies (hiredis); made anew with each connection.
  private var reader: UnsafeMutablePointer<redisReader>?
  /// Commands appended and not yet written, from ``written`` on.
  private var output: [UInt8] = []
  private var written = 0
  /// Where bytes read from the socket land before the reader takes them (reused).
  private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
  /// Replies appended but not yet read.
  private var outstanding = 0
  /// The server has sent something on this connection (a plaintext port answers; a TLS
  /// port closes a connection that does not speak TLS without a word).
  private var answered = false

  /// Connects, authenticates and selects the database; with `probeCluster`, also asks
  /// whether the server is a cluster node (``isCluster``), in the same round trip.
  /// - Throws: ``RedisError`` `.unavailable` (cannot connect, or TLS refused), `.timeout`,
  ///   `.authentication`.
  init(url: RedisURL, connectTimeout: Double, commandTimeout: Double, probeCluster: Bool = false) throws(RedisError) {
    _ = Self.ignoreSIGPIPE
    self.url = url
    self.connectTimeout = connectTimeout
    self.commandTimeout = commandTimeout
    self.wantedTimeout = commandTimeout
    try open(probeCluster: probeCluster)
  }

  private func open(probeCluster: Bool) throws(RedisError) {
    let deadline = Deadline(seconds: connectTimeout)
    let fd: Int32
    do throws(Socket.ConnectFailure) {
      fd = try Socket.connect(to: url.endpoint, until: deadline)
    } catch {
      switch error {
      case .timedOut:
        throw RedisError(.timeout, "cannot connect to \(url): timed out after \(Self.seconds(connectTimeout)) — is the host reachable?")
      case .unresolved(let reason):
        throw RedisError(.unavailable, "cannot connect to \(url): \(reason)")
      case .failed(let reason):
        throw RedisError(.unavailable, "cannot connect to \(url): \(reason) — is redis-server running there?")
      }
    }
    if let tls = url.tls, case .tcp(let host, _) = url.endpoint {
      transport = try TLSTransport(fd: fd, host: host, options: tls, url: url, until: deadline)
    } else {
      transport = SocketTransport(fd: fd)
    }
    reader = redisReaderCreate()
    // Keep the reply buffer between replies instead of freeing it whenever it empties (hiredis
    // frees buffers over 16 KiB): a consumer reads a batch of about 100 KiB per round trip.
    reader?.pointee.maxbuf = 0
    wantedTimeout = connectTimeout

    // AUTH, SELECT and the cluster question go out together: one round trip.
    var setup: [RedisCommand] = []
    if let password = url.password {
      var auth: RedisCommand = ["AUTH"]
      if let user = url.user { auth.append(user) }
      auth.append(password)
      setup.append(auth)
    }
    if url.database != 0 { setup.append(["SELECT", String(url.database)]) }
    if probeCluster {
      setup.append(["INFO", "cluster"])
    } else if url.tls != nil && setup.isEmpty {
      // With TLS 1.3 a server that wants a client certificate says so only after the
      // handshake: ask once, so that is a connection error, not the first command's.
      setup.append(["PING"])
    }
    for c in setup { append(c) }
    var replies: [RedisReply] = []
    for _ in setup { replies.append(try withReply { $0.reply }.get()) }
    for (c, reply) in zip(setup, replies) {
      guard let e = reply.errorMessage else { continue }
      // A server that does not answer INFO (renamed, or the ACL user may not) is taken as a
      // single one; one that wants a password says so.
      if c.name == "INFO" && !e.hasPrefix("NOAUTH") { continue }
      close()
      if c.name == "AUTH" {
        throw RedisError(
          .authentication, "authentication to \(url) failed: \(e) — check the user and password in the URL", serverMessage: e)
      }
      throw RedisConnection.replyError(e, command: c.name, url: url)
    }
    if probeCluster, let info = replies.last?.string { isCluster = info.contains("cluster_enabled:1") }
    wantedTimeout = commandTimeout
  }

  deinit {
    close()
    input.deallocate()
  }

  /// A write to a socket the server closed would kill the process with SIGPIPE instead of
  /// giving an error. Ignored once, process-wide, before the first connection.
  private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

  /// True once the connection failed and was closed; every later call throws `.unavailable`.
  var isBroken: Bool { transport == nil }

  /// Closes the connection. Idempotent.
  func close() {
    transport?.close()
    transport = nil
    if let reader { redisReaderFree(reader) }
    reader = nil
    output.removeAll(keepingCapacity: true)
    written = 0
    outstanding = 0
  }

  /// The socket, for waiting on several connections at once with `poll()`; -1 when closed.
  var fileDescriptor: Int32 { transport?.fd ?? -1 }

  /// Whether a reply (or part of one) was received and not read yet, so ``withReply(_:)`` may
  /// return without waiting for the socket.
  var hasBufferedInput: Bool {
    guard let transport, let reader else { return false }
    return transport.hasBufferedInput || reader.pointee.pos < reader.pointee.len
  }

  /// Queues a command in the output buffer without sending it (RESP written straight into
  /// the reused buffer: no per-command allocation). Its reply comes in order.
  func append(_ command: RedisCommand) {
    command.writeRESP(appendingTo: &output)
    outstanding += 1
  }

  /// Queues a command already in RESP.
  func append(resp: ArraySlice<UInt8>) {
    output.append(contentsOf: resp)
    outstanding += 1
  }

  /// Writes whatever is queued to the socket without waiting for replies, so the server can
  /// work on a batch while the caller prepares the next one.
  func flush() throws(RedisError) {
    guard let transport else { throw brokenError() }
    try writeOut(transport, until: Deadline(seconds: wantedTimeout))
  }

  /// Number of appended commands whose replies have not been read yet.
  var pendingReplies: Int { outstanding }

  /// Reads the next reply and lends it to `body` in place (no copy; see ``RawReply``). An
  /// error reply is lent like any other.
  func withReply<R, E: Error>(_ body: (RawReply) throws(E) -> R) throws(RedisError) -> Result<R, E> {
    RawReply.lend(try nextReply(), to: body)
  }

  /// Reads the next reply (flushing queued commands first); the caller frees it
  /// (`freeReplyObject`).
  func nextReply() throws(RedisError) -> UnsafeMutableRawPointer {
    guard let transport, let reader else { throw brokenError() }
    let deadline = Deadline(seconds: wantedTimeout)
    if written < output.count { try writeOut(transport, until: deadline) }
    var raw: UnsafeMutableRawPointer?
    while true {
      guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
        let reason = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        close()
        throw RedisError(.protocolError, "\(url) sent a reply that is not Redis protocol: \(reason)")
      }
      if raw != nil { break }
      try readIn(transport, reader, until: deadline)
    }
    guard let raw else { throw brokenError() }
    outstanding -= 1
    return raw
  }

  /// The timeout of the reads and writes that follow.
  var wantedTimeout: Double

  /// Writes all of ``output`` within the deadline.
  private func writeOut(_ transport: any Transport, until deadline: Deadline) throws(RedisError) {
    while written < output.count {
      let status = output.withUnsafeBytes { transport.write(from: UnsafeRawBufferPointer(rebasing: $0[written...])) }
      switch status {
      case .done(let n): written += n
      case .wantWrite, .wantRead:
        let event = if case .wantRead = status { Int16(POLLIN) } else { Int16(POLLOUT) }
        guard Socket.wait(transport.fd, for: event, until: deadline) else { throw timedOut(during: "write") }
      case .closed: throw closed(during: "write")
      case .failed(let reason): throw lost(during: "write", reason)
      }
    }
    output.removeAll(keepingCapacity: true)
    written = 0
  }

  /// Reads what the socket has (waiting for it within the deadline) into the reader.
  private func readIn(_ transport: any Transport, _ reader: UnsafeMutablePointer<redisReader>, until deadline: Deadline) throws(RedisError)
  {
    while true {
      let status = transport.read(into: input)
      switch status {
      case .done(let n):
        answered = true
        guard redisReaderFeed(reader, input.baseAddress!.assumingMemoryBound(to: CChar.self), n) == REDIS_OK else {
          close()
          throw RedisError(.unavailable, "out of memory reading a reply from \(url)")
        }
        return
      case .wantRead, .wantWrite:
        let event = if case .wantWrite = status { Int16(POLLOUT) } else { Int16(POLLIN) }
        guard Socket.wait(transport.fd, for: event, until: deadline) else { throw timedOut(during: "read") }
      case .closed: throw closed(during: "read")
      case .failed(let reason): throw lost(during: "read", reason)
      }
    }
  }

  /// The errors of a failed read or write; each closes the connection.
  private func timedOut(during what: String) -> RedisError {
    close()
    return RedisError(
      .timeout, "\(url) did not answer \(what) within \(Self.seconds(wantedTimeout)) — is the server overloaded or blocked?")
  }

  private func closed(during what: String) -> RedisError {
    close()
    if let hint = plaintextToTLSHint { return RedisError(.unavailable, "\(url) closed the connection without answering\(hint)") }
    return RedisError(.unavailable, "\(url) closed the connection during \(what) — did the server stop or restart?")
  }

  private func lost(during what: String, _ reason: String) -> RedisError {
    close()
    return RedisError(.unavailable, "lost the connection to \(url) during \(what): \(reason)\(plaintextToTLSHint ?? "")")
  }

  /// A plaintext connection closed before the server said anything: what a TLS port does.
  private var plaintextToTLSHint: String? {
    answered || url.tls != nil ? nil : " — is that port TLS? Then use rediss://"
  }

  func brokenError() -> RedisError {
    RedisError(.unavailable, "the connection to \(url) is closed after an earlier error")
  }

  static func seconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s))s" : "\(s)s"
  }
}
