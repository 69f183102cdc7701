import CHiredis

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One connection to one Redis server, over TCP, a unix socket or TLS (`rediss://`).
///
/// - The connection owns its socket (non-blocking; every wait is a `poll()` with the
///   operation's deadline, so timeouts are exact); hiredis's reader decodes the replies.
/// - Connecting authenticates (AUTH with the URL's password, and user for ACL users) and
///   selects the URL's database, so a returned connection is ready for commands.
/// - Every command is an argument vector (``RedisCommand``): binary-safe, never a format string.
/// - ``pipeline(_:)`` sends a batch in one write and reads all replies: one round trip.
/// - SIGPIPE is ignored process-wide from the first connection on, so a lost server is an
///   error, never a killed process.
/// - After an I/O error or a timeout the connection is closed for good (``isBroken``); make a
///   new one to reconnect. Not thread-safe: use one connection per thread.
public final class RedisConnection {
  public let url: RedisURL
  /// Seconds a command may take before it fails with `.timeout`.
  public let commandTimeout: Double
  /// Seconds a connection attempt (TLS handshake included) may take.
  public let connectTimeout: Double
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

  /// Connects, authenticates and selects the database.
  /// - Throws: ``RedisError`` `.unavailable` (cannot connect, or TLS refused), `.timeout`,
  ///   `.authentication`.
  public init(url: RedisURL, connectTimeout: Double = 5, commandTimeout: Double = 10) throws(RedisError) {
    _ = Self.ignoreSIGPIPE
    self.url = url
    self.connectTimeout = connectTimeout
    self.commandTimeout = commandTimeout
    self.wantedTimeout = commandTimeout
    try open()
  }

  /// Closes this connection and connects again (AUTH and SELECT included), for callers that
  /// keep going after the server went away. Replies not yet read are lost.
  public func reconnect() throws(RedisError) {
    close()
    try open()
  }

  private func open() throws(RedisError) {
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

    if let password = url.password {
      var auth: RedisCommand = ["AUTH"]
      if let user = url.user { auth.append(user) }
      auth.append(password)
      let reply = try roundTrip(auth)
      if let e = reply.errorMessage {
        close()
        throw RedisError(
          .authentication, "authentication to \(url) failed: \(e) — check the user and password in the URL", serverMessage: e)
      }
    }
    if url.database != 0 {
      let reply = try roundTrip(["SELECT", String(url.database)])
      if let e = reply.errorMessage {
        close()
        throw Self.replyError(e, command: "SELECT", url: url)
      }
    }
    if url.tls != nil && url.password == nil && url.database == 0 {
      // With TLS 1.3 a server that wants a client certificate says so only after the
      // handshake: ask once, so that is a connection error, not the first command's.
      _ = try roundTrip(["PING"])
    }
    wantedTimeout = commandTimeout
  }

  deinit {
    close()
    input.deallocate()
  }

  /// A write to a socket the server closed would kill the process with SIGPIPE instead of giving an error. Ignored once, process-wide, before the first connection.
  private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

  /// True once the connection failed and was closed; every later call throws `.unavailable`.
  public var isBroken: Bool { transport == nil }

  /// Closes the connection. Idempotent.
  public func close() {
    transport?.close()
    transport = nil
    if let reader { redisReaderFree(reader) }
    reader = nil
    output.removeAll(keepingCapacity: true)
    written = 0
    outstanding = 0
  }

  /// The socket, for waiting on several connections at once with `poll()`; -1 when closed.
  public var fileDescriptor: Int32 { transport?.fd ?? -1 }

  /// Whether a reply (or part of one) was received and not read yet, so ``withReply(_:)`` may
  /// return without waiting for the socket.
  public var hasBufferedInput: Bool {
    guard let transport, let reader else { return false }
    return transport.hasBufferedInput || reader.pointee.pos < reader.pointee.len
  }

  // MARK: - Commands

  /// Sends one command and returns its reply.
  /// - Throws: `.server` for an error reply (the server's text is kept in `serverMessage`),
  ///   `.authentication` for NOAUTH/WRONGPASS, `.unavailable`/`.timeout` for I/O failures.
  @discardableResult
  public func command(_ command: RedisCommand) throws(RedisError) -> RedisReply {
    let reply = try roundTrip(command)
    if let e = reply.errorMessage { throw Self.replyError(e, command: command.name, url: url, key: command.key) }
    return reply
  }

  /// Sends one command with a different timeout, for blocking reads (XREAD BLOCK …).
  @discardableResult
  public func command(_ command: RedisCommand, timeout: Double) throws(RedisError) -> RedisReply {
    wantedTimeout = timeout
    defer { wantedTimeout = commandTimeout }
    let reply = try roundTrip(command)
    if let e = reply.errorMessage { throw Self.replyError(e, command: command.name, url: url, key: command.key) }
    return reply
  }

  /// Throws the error an error reply stands for (as ``command(_:)`` would); returns any
  /// other reply unchanged. For the replies of ``pipeline(_:)`` and ``readReply()``.
  @discardableResult
  public func check(_ reply: RedisReply, of command: String, key: String? = nil) throws(RedisError) -> RedisReply {
    if let e = reply.errorMessage { throw Self.replyError(e, command: command, url: url, key: key) }
    return reply
  }

  /// Every key that matches a glob `pattern` (and is of `type`, when given), found with SCAN;
  /// in no particular order. Keys written meanwhile may or may not be found.
  public func scanKeys(matching pattern: String, type: String? = nil) throws(RedisError) -> [String] {
    var found: [String] = []
    var cursor = "0"
    repeat {
      var scan: RedisCommand = ["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]
      if let type {
        scan.append("TYPE")
        scan.append(type)
      }
      let reply = try command(scan)
      guard let page = reply.array, page.count == 2, let next = page[0].string, let keys = page[1].array else {
        throw RedisError(.protocolError, "SCAN on \(url) returned an unexpected reply")
      }
      found += keys.compactMap(\.string)
      cursor = next
    } while cursor != "0"
    return found
  }

  /// Sends every command in one write, then reads every reply, in order. Error replies are
  /// returned as `.error` values (one failing command does not hide the others' replies).
  public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
    for c in commands { try append(c) }
    var replies: [RedisReply] = []
    replies.reserveCapacity(commands.count)
    for _ in commands { replies.append(try readReply()) }
    return replies
  }

  /// Queues a command in the output buffer without sending it. Read its reply later with
  /// ``readReply()``, in order; replies are never skipped.
  public func append(_ command: RedisCommand) throws(RedisError) {
    guard transport != nil else { throw brokenError() }
    // Written in RESP straight into the output buffer (reused): no per-command allocation.
    command.writeRESP(appendingTo: &output)
    outstanding += 1
  }

  /// Writes whatever is queued to the socket without waiting for replies, so the server can
  /// work on a batch while the caller prepares the next one.
  public func flush() throws(RedisError) {
    guard let transport else { throw brokenError() }
    try writeOut(transport, until: Deadline(seconds: wantedTimeout))
  }

  /// Number of appended commands whose replies have not been read yet.
  public var pendingReplies: Int { outstanding }

  /// Reads the next reply (flushing queued commands first).
  public func readReply() throws(RedisError) -> RedisReply {
    try withReply { $0.reply }.get()
  }

  /// Reads the next reply and lends it to `body` in place (no copy; see ``RawReply``). An
  /// error reply is lent like any other.
  public func withReply<R, E: Error>(_ body: (RawReply) throws(E) -> R) throws(RedisError) -> Result<R, E> {
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
    defer { freeReplyObject(raw) }
    do throws(E) { return .success(try body(RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self)))) } catch {
      return .failure(error)
    }
  }

  /// Sets the timeout of the reads and writes that follow (``withReply(_:)``, ``readReply()``) until
  /// ``restoreTimeout()``: for blocking reads sent with ``append(_:)``.
  public func useTimeout(_ seconds: Double) { wantedTimeout = seconds }

  /// Back to ``commandTimeout`` after ``useTimeout(_:)``.
  public func restoreTimeout() { wantedTimeout = commandTimeout }

  /// The error an error reply stands for, as ``command(_:)`` throws it.
  public func error(forReply message: String, command: String, key: String? = nil) -> RedisError {
    Self.replyError(message, command: command, url: url, key: key)
  }

  // MARK: - Internals

  private func roundTrip(_ command: RedisCommand) throws(RedisError) -> RedisReply {
    try append(command)
    while outstanding > 1 { _ = try readReply() }  // never expected; keeps replies aligned
    return try readReply()
  }

  /// The timeout of the reads and writes that follow (``useTimeout(_:)``).
  private var wantedTimeout: Double

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
    return RedisError(.unavailable, "\(url) closed the connection during \(what) — did the server stop or restart?")
  }

  private func lost(during what: String, _ reason: String) -> RedisError {
    close()
    return RedisError(.unavailable, "lost the connection to \(url) during \(what): \(reason)")
  }

  private func brokenError() -> RedisError {
    RedisError(.unavailable, "the connection to \(url) is closed after an earlier error")
  }

  static func replyError(_ message: String, command: String, url: RedisURL, key: String? = nil) -> RedisError {
    if message.hasPrefix("NOAUTH") {
      return RedisError(
        .authentication, "\(url) requires a password",
        serverMessage: message)
    }
    if message.hasPrefix("WRONGPASS") {
      return RedisError(.authentication, "\(command) refused by \(url): \(message)", serverMessage: message)
    }
    // NOPERM may come wrapped in a script error ("ERR Error running script … NOPERM …").
    if let noperm = message.firstRange(of: "NOPERM") {
      let reason = message[noperm.lowerBound...]
      let target = key.map { " on \($0)" } ?? ""
      return RedisError(
        .permission,
        "permission denied: the Redis user of \(url) may not run \(command)\(target) (\(reason)); grant it the command and the namespace's keys (~NS:*)",
        serverMessage: message)
    }
    return RedisError(.server, "\(command) failed on \(url): \(message)", serverMessage: message)
  }

  private static func seconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s))s" : "\(s)s"
  }
}
