import CHiredis

#if canImport(Glibc)
  import Glibc
#endif

/// A connection to a Redis deployment: one server, over TCP, a unix socket or TLS
/// (`rediss://`), or a Redis Cluster, found by itself.
///
/// - Connecting authenticates (AUTH with the URL's password, and user for ACL users) and
///   selects the URL's database, so a returned connection is ready for commands. A TCP URL's
///   server is asked whether it is a cluster node: in the same round trip as AUTH/SELECT, or,
///   when there are none, in the same write as the first command — as long as that command
///   (and each one appended before its reply is read) has at most one key and runs where its
///   key lives (``lazilyProbed(_:)``); its replies that a cluster node redirected are sent
///   again through the cluster. Anything else (``isCluster``, a SCAN, a transaction, WAIT, a
///   blocking read) asks first.
/// - **Cluster**: given any node (or several, comma-separated), the slot map is loaded
///   (CLUSTER SHARDS, else CLUSTER SLOTS); each command goes to the master of its key's slot
///   (one connection per master, opened on demand); pipelines are written per node and their
///   replies still come back in the order the commands were appended; MOVED refreshes the map
///   and sends the command again, ASK sends it once to the importing node (after ASKING), and
///   TRYAGAIN/CLUSTERDOWN are tried again with backoff within the command timeout. A
///   transaction (MULTI … EXEC) goes to the node of its first key, so append it whole before
///   reading its replies (``pipeline(_:)``); its keys must share a slot.
///   Multi-key commands must name keys of one slot (see ``slotGroups(_:)``).
/// - Every command is an argument vector (``RedisCommand``): binary-safe, never a format string.
/// - ``pipeline(_:)`` sends a batch in one write per node and reads all replies.
/// - After an I/O error or a timeout the connection is closed for good (``isBroken``); call
///   ``reconnect()`` (which reloads a cluster's map) or make a new one. Not thread-safe: use one
///   connection per thread.
public final class RedisConnection {
  /// The first URL given (nodes of a cluster are reached with its user, password and TLS).
  public let url: RedisURL
  /// Seconds a command may take before it fails with `.timeout`.
  public let commandTimeout: Double
  /// Seconds a connection attempt (TLS handshake included) may take.
  public let connectTimeout: Double
  /// The server, when it is not a cluster.
  private var single: RedisNode?
  /// The cluster, when it is one.
  private var cluster: ClusterRouter?
  /// The server has not been asked yet whether it is a cluster node.
  private var probePending = false
  /// Commands appended after the cluster question went out and before its reply was read.
  private var firstBatch: [RedisCommand]?
  /// Replies of the first batch already read (on a cluster, redirected ones sent again).
  private var held: [UnsafeMutableRawPointer] = []

  /// Connects (to the first of the URL's addresses that answers), authenticates and selects
  /// the database.
  /// - Throws: ``RedisError`` `.unavailable` (cannot connect, or TLS refused), `.timeout`,
  ///   `.authentication`.
  public init(url: RedisURL, connectTimeout: Double = 5, commandTimeout: Double = 10) throws(RedisError) {
    self.url = url
    self.connectTimeout = connectTimeout
    self.commandTimeout = commandTimeout
    try open()
  }

  /// Closes this connection and connects again (AUTH and SELECT included; a cluster's map
  /// reloaded), for callers that keep going after the server went away. Replies not yet read
  /// are lost.
  public func reconnect() throws(RedisError) {
    let known = cluster?.knownNodes ?? []
    close()
    single = nil
    cluster = nil
    try open(alsoTrying: known)
  }

  deinit { dropHeld() }

  private func dropHeld() {
    for raw in held { freeReplyObject(raw) }
    held.removeAll()
    firstBatch = nil
  }

  private func open(alsoTrying known: [RedisURL] = []) throws(RedisError) {
    var failure: RedisError?
    for seed in url.seeds + known {
      do throws(RedisError) {
        var probe = false
        if case .tcp = seed.endpoint { probe = true }
        // Asked along with AUTH/SELECT when they go out anyway; else with the first command.
        let lazy = probe && seed.password == nil && seed.database == 0 && seed.tls == nil
        let node = try RedisNode(url: seed, connectTimeout: connectTimeout, commandTimeout: commandTimeout, probeCluster: probe && !lazy)
        probePending = lazy
        if node.isCluster {
          guard url.database == 0 else {
            node.close()
            throw RedisError(.invalidURL, "\(url) is a Redis Cluster, which has only database 0; drop /\(url.database) from the URL")
          }
          cluster = try ClusterRouter(seed: node, template: url)
        } else {
          single = node
        }
        return
      } catch {
        if error.kind == .authentication || error.kind == .invalidURL { throw error }
        if failure == nil { failure = error }
      }
    }
    throw failure ?? RedisError(.unavailable, "cannot connect to \(url): no address")
  }

  /// Whether this is a Redis Cluster (asking the server first, if it was not asked yet; a
  /// failure to ask closes the connection, and the next command says why).
  package var isCluster: Bool {
    try? settleMode()
    return cluster != nil
  }

  /// Whether `command` may go out with the cluster question still unanswered: it has at most
  /// one key and a cluster node either runs it or redirects it, unrun.
  static func lazilyProbed(_ command: RedisCommand) -> Bool {
    // (isNamed compares with a lower-case name.)
    if command.isNamed("xadd") || command.isNamed("sadd") || command.isNamed("smembers") || command.isNamed("xlen")
      || command.isNamed("xrange") || command.isNamed("xrevrange") || command.isNamed("get") || command.isNamed("hgetall")
    {
      return true
    }
    return command.isNamed("exists") && command.count == 2
  }

  /// Asks the server whether it is a cluster node, if it was not asked yet, and settles the
  /// replies of commands sent along with the question.
  private func settleMode() throws(RedisError) {
    if probePending, let single {
      probePending = false
      single.append(["INFO", "cluster"])
      firstBatch = []
    }
    guard let batch = firstBatch, let node = single else { return }
    firstBatch = nil
    let info = try node.withReply { $0.reply }.get()
    guard info.errorMessage == nil, info.string?.contains("cluster_enabled:1") == true else { return }  // one server
    // A cluster node: what it redirected goes again through the cluster, in order.
    var replies: [UnsafeMutableRawPointer] = []
    defer { for raw in replies { freeReplyObject(raw) } }
    for _ in batch { replies.append(try node.nextReply()) }
    guard url.database == 0 else {
      node.close()
      throw RedisError(.invalidURL, "\(url) is a Redis Cluster, which has only database 0; drop /\(url.database) from the URL")
    }
    let router = try ClusterRouter(seed: node, template: url)
    single = nil
    cluster = router
    var again: [Int] = []
    for (i, raw) in replies.enumerated() where ClusterRouter.isRedirect(raw) {
      again.append(i)
      try router.append(batch[i])
    }
    for i in again {
      freeReplyObject(replies[i])
      replies[i] = try router.nextReply()
    }
    held = replies
    replies = []
  }

  /// True once the connection failed and was closed; every later call throws `.unavailable`.
  public var isBroken: Bool { single?.isBroken ?? cluster?.isBroken ?? true }

  /// Closes the connection (every node's). Idempotent.
  public func close() {
    dropHeld()
    probePending = false
    single?.close()
    cluster?.close()
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

  /// Sends one command and lends its reply to `body` in place, without copying it (see
  /// ``RawReply``): for replies decoded straight into values.
  /// - Throws: what ``command(_:)`` throws for an error reply or a failed round trip; what
  ///   `body` throws comes back as the result's failure.
  package func command<R, E: Error>(_ command: RedisCommand, reading body: (RawReply) throws(E) -> R) throws(RedisError) -> Result<R, E> {
    try append(command)
    while pendingReplies > 1 { _ = try readReply() }  // never expected; keeps replies aligned
    var failure: String?
    let lent = try withReply { (raw) -> Result<R, E>? in
      if let e = raw.errorMessage {
        failure = e
        return nil
      }
      do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    guard case .success(let reply?) = lent else {
      throw Self.replyError(failure ?? "", command: command.name, url: url, key: command.key)
    }
    return reply
  }

  /// Sends one command with a different timeout, for blocking reads (XREAD BLOCK …).
  @discardableResult
  public func command(_ command: RedisCommand, timeout: Double) throws(RedisError) -> RedisReply {
    useTimeout(timeout)
    defer { restoreTimeout() }
    return try self.command(command)
  }

  /// Throws the error an error reply stands for (as ``command(_:)`` would); returns any
  /// other reply unchanged. For the replies of ``pipeline(_:)`` and ``readReply()``.
  @discardableResult
  public func check(_ reply: RedisReply, of command: String, key: String? = nil) throws(RedisError) -> RedisReply {
    if let e = reply.errorMessage { throw Self.replyError(e, command: command, url: url, key: key) }
    return reply
  }

  /// Every key that matches a glob `pattern` (and is of `type`, when given), found with SCAN
  /// (on every master of a cluster); in no particular order. Keys written meanwhile may or may
  /// not be found.
  package func scanKeys(matching pattern: String, type: String? = nil) throws(RedisError) -> [String] {
    try settleMode()
    if let cluster { return try cluster.scanKeys(matching: pattern, type: type) }
    guard let single else { throw brokenError() }
    return try Self.scan(single, pattern, type)
  }

  static func scan(_ node: RedisNode, _ pattern: String, _ type: String?) throws(RedisError) -> [String] {
    var found: [String] = []
    var cursor = "0"
    repeat {
      var scan: RedisCommand = ["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]
      if let type {
        scan.append("TYPE")
        scan.append(type)
      }
      node.append(scan)
      let reply = try node.withReply { $0.reply }.get()
      if let e = reply.errorMessage { throw replyError(e, command: "SCAN", url: node.url) }
      guard let page = reply.array, page.count == 2, let next = page[0].string, let keys = page[1].array else {
        throw RedisError(.protocolError, "SCAN on \(node.url) returned an unexpected reply")
      }
      found += keys.compactMap(\.string)
      cursor = next
    } while cursor != "0"
    return found
  }

  /// Sends every command (in one write per node), then reads every reply, in order. Error
  /// replies are returned as `.error` values (one failing command does not hide the others').
  public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
    for c in commands { try append(c) }
    var replies: [RedisReply] = []
    replies.reserveCapacity(commands.count)
    for _ in commands { replies.append(try readReply()) }
    return replies
  }

  /// Queues a command without sending it. Read its reply later with ``readReply()``, in
  /// order; replies are never skipped.
  public func append(_ command: RedisCommand) throws(RedisError) {
    if probePending || firstBatch != nil {
      if Self.lazilyProbed(command), let single {
        if probePending {
          probePending = false
          single.append(["INFO", "cluster"])
          firstBatch = []
        }
        if firstBatch != nil {
          firstBatch!.append(command)
          single.append(command)
          return
        }
      }
      try settleMode()
    }
    if let single {
      guard !single.isBroken else { throw single.brokenError() }
      single.append(command)
      return
    }
    guard let cluster else { throw brokenError() }
    try cluster.append(command)
  }

  /// Writes whatever is queued to the socket(s) without waiting for replies, so the server
  /// can work on a batch while the caller prepares the next one.
  public func flush() throws(RedisError) {
    if let single { return try single.flush() }
    guard let cluster else { throw brokenError() }
    try cluster.flush()
  }

  /// Number of appended commands whose replies have not been read yet.
  package var pendingReplies: Int {
    held.count + (single?.pendingReplies ?? cluster?.pendingReplies ?? 0) - (firstBatch == nil ? 0 : 1)
  }

  /// Reads the next reply (flushing queued commands first).
  public func readReply() throws(RedisError) -> RedisReply {
    try withReply { $0.reply }.get()
  }

  /// Reads the next reply and lends it to `body` in place (no copy; see ``RawReply``). An
  /// error reply is lent like any other.
  package func withReply<R, E: Error>(_ body: (RawReply) throws(E) -> R) throws(RedisError) -> Result<R, E> {
    if firstBatch != nil { try settleMode() }
    if !held.isEmpty { return RawReply.lend(held.removeFirst(), to: body) }
    if let single { return try single.withReply(body) }
    guard let cluster else { throw brokenError() }
    return RawReply.lend(try cluster.nextReply(), to: body)
  }

  /// Sets the timeout of the reads and writes that follow (``withReply(_:)``, ``readReply()``) until
  /// ``restoreTimeout()``: for blocking reads sent with ``append(_:)``.
  package func useTimeout(_ seconds: Double) {
    single?.wantedTimeout = seconds
    cluster?.wantedTimeout = seconds
  }

  /// Back to ``commandTimeout`` after ``useTimeout(_:)``.
  package func restoreTimeout() { useTimeout(commandTimeout) }

  /// The error an error reply stands for, as ``command(_:)`` throws it.
  package func error(forReply message: String, command: String, key: String? = nil) -> RedisError {
    Self.replyError(message, command: command, url: url, key: key)
  }

  /// `keys` grouped so that each group may be named by one multi-key command: all of them on
  /// a single server; one group per slot (in first-seen order) in a cluster.
  package func slotGroups(_ keys: [String]) -> [[String]] {
    guard isCluster, keys.count > 1 else { return [keys] }
    var order: [Int] = []
    var groups: [Int: [String]] = [:]
    for k in keys {
      let slot = HashSlot.of(k)
      if groups[slot] == nil { order.append(slot) }
      groups[slot, default: []].append(k)
    }
    return order.map { groups[$0]! }
  }

  /// For reads that must wait on keys of several slots at once (a cluster): each command,
  /// on keys of one slot, is sent on a connection of its own to its slot's master, and all
  /// are awaited together until one answers or `timeout` passes; the others are then woken,
  /// and every reply is lent to `body` with its command's index (nothing a read took is
  /// lost). On a single server, use one command instead.
  package func readSideBySide(_ commands: [RedisCommand], timeout: Double, _ body: (Int, RawReply) -> Void) throws(RedisError) {
    try settleMode()
    guard let cluster else { throw RedisError(.protocolError, "readSideBySide is for a cluster") }
    try cluster.readOnLanes(commands, timeout: timeout, body)
  }

  // MARK: - Internals

  private func roundTrip(_ command: RedisCommand) throws(RedisError) -> RedisReply {
    try append(command)
    while pendingReplies > 1 { _ = try readReply() }  // never expected; keeps replies aligned
    return try readReply()
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
    // Redis 7 words a command a script may not run without NOPERM: "ERR The user executing
    // the script can't run this command or subcommand script: <sha>, on @user_script:5."
    if message.contains("user executing the script can't run this command") {
      return RedisError(
        .permission,
        "permission denied: the Redis user of \(url) may not run a command evt's script (\(command)) needs; grant it the commands evt uses and the namespace's keys (~NS:*)",
        serverMessage: message)
    }
    return RedisError(.server, "\(command) failed on \(url): \(message)", serverMessage: message)
  }
}
