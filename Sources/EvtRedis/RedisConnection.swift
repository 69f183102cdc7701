import CHiredis

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One blocking connection to one Redis server, over TCP or a unix socket.
///
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
  private var context: UnsafeMutablePointer<redisContext>?
  /// Replies appended but not yet read.
  private var outstanding = 0

  /// Connects, authenticates and selects the database.
  /// - Throws: ``RedisError`` `.unavailable` (cannot connect), `.timeout`, `.authentication`.
  public init(url: RedisURL, connectTimeout: Double = 5, commandTimeout: Double = 10) throws(RedisError) {
    _ = Self.ignoreSIGPIPE
    self.url = url
    self.connectTimeout = connectTimeout
    self.commandTimeout = commandTimeout
    try open()
  }

  /// Seconds a connection attempt may take.
  public let connectTimeout: Double

  /// Closes this connection and connects again (AUTH and SELECT included), for callers that
  /// keep going after the server went away. Replies not yet read are lost.
  public func reconnect() throws(RedisError) {
    close()
    try open()
  }

  private func open() throws(RedisError) {
    let tv = Self.makeTimeval(connectTimeout)
    let ctx: UnsafeMutablePointer<redisContext>?
    switch url.endpoint {
    case .tcp(let host, let port):
      ctx = redisConnectWithTimeout(host, Int32(port), tv)
    case .unix(let path):
      ctx = redisConnectUnixWithTimeout(path, tv)
    }
    guard let ctx else {
      throw RedisError(.unavailable, "cannot connect to \(url): out of memory")
    }
    if ctx.pointee.err != 0 {
      let saved = errno
      let reason = Self.errorText(ctx)
      redisFree(ctx)
      let kind: RedisError.Kind = (saved == ETIMEDOUT || saved == EINPROGRESS || reason.contains("timed out")) ? .timeout : .unavailable
      throw RedisError(kind, "cannot connect to \(url): \(reason) — is redis-server running there?")
    }
    context = ctx
    appliedTimeout = nil
    // Keep the reply buffer between replies instead of freeing it whenever it empties (hiredis
    // frees buffers over 16 KiB): a consumer reads a batch of about 100 KiB per round trip.
    ctx.pointee.reader.pointee.maxbuf = 0
    try setTimeout(commandTimeout)
    if case .tcp = url.endpoint {
      // Detects a dead server on idle connections (a blocked XREAD can wait for a long time).
      _ = redisEnableKeepAlive(ctx)
      ctx.pointee.err = 0
    }

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
  }

  deinit { close() }

  /// hiredis writes with write(2): a server that went away would kill the process with
  /// SIGPIPE instead of giving an error. Ignored once, process-wide, before the first connection.
  private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

  /// True once the connection failed and was closed; every later call throws `.unavailable`.
  public var isBroken: Bool { context == nil }

  /// Closes the connection. Idempotent.
  public func close() {
    if let context { redisFree(context) }
    context = nil
    outstanding = 0
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
    guard let ctx = context else { throw brokenError() }
    // The command is written in RESP into one reused buffer and handed over as it is
    // (`redisAppendFormattedCommand`): no per-command allocation in hiredis.
    command.writeRESP(into: &resp)
    let status = resp.withUnsafeBufferPointer { buf in
      buf.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(ctx, $0.baseAddress, buf.count) }
    }
    guard status == REDIS_OK else { throw fail(ctx, during: command.name) }
    outstanding += 1
  }

  /// The RESP text of the command being appended (reused).
  private var resp: [UInt8] = []

  /// Writes whatever is queued to the socket without waiting for replies, so the server can
  /// work on a batch while the caller prepares the next one.
  public func flush() throws(RedisError) {
    guard let ctx = context else { throw brokenError() }
    var done: Int32 = 0
    while done == 0 {
      try applyTimeout(ctx)
      guard redisBufferWrite(ctx, &done) == REDIS_OK else { throw fail(ctx, during: "write") }
    }
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
    guard let ctx = context else { throw brokenError() }
    var raw: UnsafeMutableRawPointer?
    try applyTimeout(ctx)
    guard redisGetReply(ctx, &raw) == REDIS_OK, let raw else { throw fail(ctx, during: "read") }
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

  /// The timeout the next reads and writes should have, and the one the socket has: set on
  /// the socket only when they differ, just before I/O (a consumer that blocks read after
  /// read keeps its long timeout instead of switching back and forth).
  private var wantedTimeout: Double = 0
  private var appliedTimeout: Double?

  private func setTimeout(_ seconds: Double) throws(RedisError) {
    wantedTimeout = seconds
    guard let ctx = context else { throw brokenError() }
    try applyTimeout(ctx)
  }

  private func applyTimeout(_ ctx: UnsafeMutablePointer<redisContext>) throws(RedisError) {
    guard appliedTimeout != wantedTimeout else { return }
    guard redisSetTimeout(ctx, Self.makeTimeval(wantedTimeout)) == REDIS_OK else { throw fail(ctx, during: "setting the timeout") }
    appliedTimeout = wantedTimeout
  }

  /// Turns the context's error into a RedisError and closes the connection.
  private func fail(_ ctx: UnsafeMutablePointer<redisContext>, during what: String) -> RedisError {
    let saved = errno
    let code = ctx.pointee.err
    let reason = Self.errorText(ctx)
    close()
    if code == REDIS_ERR_IO, saved == EAGAIN || saved == EWOULDBLOCK || reason.contains("temporarily unavailable") {
      return RedisError(
        .timeout, "\(url) did not answer \(what) within \(Self.seconds(commandTimeout)) — is the server overloaded or blocked?")
    }
    if code == REDIS_ERR_EOF {
      return RedisError(.unavailable, "\(url) closed the connection during \(what) — did the server stop or restart?")
    }
    if code == REDIS_ERR_PROTOCOL {
      return RedisError(.protocolError, "\(url) sent a reply that is not Redis protocol during \(what): \(reason)")
    }
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

  private static func errorText(_ ctx: UnsafeMutablePointer<redisContext>) -> String {
    withUnsafeBytes(of: ctx.pointee.errstr) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  private static func makeTimeval(_ seconds: Double) -> timeval {
    let s = max(0, seconds)
    let whole = s.rounded(.down)
    return timeval(tv_sec: Int(whole), tv_usec: Int((s - whole) * 1_000_000))
  }

  private static func seconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s))s" : "\(s)s"
  }
}
