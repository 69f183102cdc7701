import EvtBus

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a shell command for each event: `/bin/sh -c COMMAND` with the envelope (one line,
/// newline-terminated, exactly as stored) on standard input and `EVT_ID`, `EVT_TYPE`,
/// `EVT_STREAM_ID`, `EVT_DELIVERY` (the group's delivery count), the trace context
/// (``TraceContext/environment(for:)``) and `EVT_ATTEMPT` (the attempt
/// within this process) in its environment. Event content is never put on a command line.
/// Exit status 0 means handled; ``permanentFailureStatus`` means the event is bad; anything
/// else is a failure to retry. The command inherits standard output; its standard error is
/// passed through (or, with ``stderrLine``, handed over a line at a time) and its tail kept as
/// the failure reason.
///
/// No event content can stop the consumer: a variable too large for the environment
/// (over ``variableLimit`` bytes, or past ``environmentBudget`` for the event's variables
/// together) is left out, with one warning through ``report`` — the whole envelope is still on
/// standard input; a command that cannot be started for an event fails that event (an
/// environment the system refuses as too large: permanently, so it is dead-lettered), never
/// the consumer.
package final class ExecHandler: DeliveryHandler {
  /// The exit status by which a command says the event itself is bad: no retry, straight to the
  /// dead letters (EX_DATAERR).
  package static let permanentFailureStatus: Int32 = 65

  package let command: String
  /// Told about each failure, one line each, with the delivery it concerns (for a log line's
  /// event id, type and stream id).
  package let report: (_ message: String, _ delivery: Delivery) -> Void
  /// After a shutdown request, how long a running command may go on before it is terminated
  /// (SIGTERM, then SIGKILL 3 s later); its event then stays pending.
  package var shutdownTimeout: Double
  /// When set, the command's standard error is handed over a line at a time (without its
  /// newline; a last line without one too, at most ``ShellCommand/stderrLineLimit`` bytes a
  /// line) instead of being passed through: for structured logs, where it becomes records of
  /// its own.
  package var stderrLine: ((_ line: [UInt8], _ delivery: Delivery) -> Void)?

  /// The most bytes one `NAME=value` of an event's may take in the environment (Linux refuses
  /// a single string over 128 KiB).
  package static let variableLimit = 32 * 1024
  /// The most bytes the event's variables may take together.
  package static let environmentBudget = 256 * 1024

  package init(command: String, shutdownTimeout: Double = 30, report: @escaping (_ message: String, _ delivery: Delivery) -> Void) {
    self.command = command
    self.shutdownTimeout = shutdownTimeout
    self.report = report
  }

  package func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    var result = HandlerResult(succeeded: [])
    for (i, delivery) in batch.enumerated() {
      if i > 0 && shouldStop() { break }
      let entry = delivery.entry
      let raw = entry.event ?? []
      let envelope = delivery.envelope ?? (try? Envelope.decode(raw))
      var environment = [
        "EVT_ID=\(envelope?.id ?? "")",
        "EVT_TYPE=\(envelope?.type ?? entry.type)",
        "EVT_STREAM_ID=\(entry.id)",
        "EVT_DELIVERY=\(delivery.deliveryCount)",
        "EVT_ATTEMPT=\(delivery.attempt)",
      ]
      if let envelope {
        let trace = TraceContext.environment(for: envelope)
        environment += trace.variables
        for name in trace.leftOut {
          report(
            "header \(JSON.quoted(name)) of event \(Printable.escaped(envelope.id)) is left out of the handler's environment: its variable name is shared with another header",
            delivery)
        }
      }
      environment = fitted(environment, delivery)
      var stopSeen: Int64?
      var lines = stderrLine.map { sink in ShellCommand.LineSplitter { sink($0, delivery) } }
      let (status, stderrTail) = try ShellCommand.run(
        command, input: raw + [0x0A], environment: environment, stderr: lines.map { _ in { lines!.feed($0) } }
      ) {
        guard shouldStop() else { return false }
        let now = EventTime.now().milliseconds
        stopSeen = stopSeen ?? now
        return Double(now - stopSeen!) / 1000 >= shutdownTimeout
      }
      lines?.finish()
      if stopSeen != nil && !status.succeeded {
        let failure = HandlerFailure("interrupted by shutdown after \(shutdownTimeout) s", interrupted: true)
        result.failures.append((delivery, failure))
        report("handler for event \(envelope?.id ?? "?") stopped at shutdown; it stays pending", delivery)
        break
      }
      if status.succeeded {
        result.completed.append(.acknowledge(entry))
      } else {
        let permanent = status == .exited(Self.permanentFailureStatus) || status == .notStarted(E2BIG)
        var reason = "handler \(status)"
        let tail = stderrTail.trimmingTrailingWhitespace
        if !tail.isEmpty { reason += ": " + tail }
        result.failures.append((delivery, HandlerFailure(reason, permanent: permanent)))
        report("handler \(status) for event \(envelope?.id ?? "?") (\(entry.type) \(entry.id), attempt \(delivery.attempt))", delivery)
      }
    }
    return result
  }

  /// The environment without the event's variables that are too large for it, each left out
  /// with a warning (the first five are always small: id, type, stream id, delivery, attempt).
  private func fitted(_ environment: [String], _ delivery: Delivery) -> [String] {
    var total = 0
    var out: [String] = []
    out.reserveCapacity(environment.count)
    for (i, variable) in environment.enumerated() {
      let size = variable.utf8.count + 1
      if i >= 5 && (size > Self.variableLimit || total + size > Self.environmentBudget) {
        let name = String(variable.prefix { $0 != "=" })
        report(
          "\(name) (\(size) bytes) is left out of the handler's environment for event \(Printable.escaped(delivery.envelope?.id ?? "?")): too large (the envelope on standard input has it)",
          delivery)
        continue
      }
      total += size
      out.append(variable)
    }
    return out
  }
}

/// How a child process ended.
package enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
  case exited(Int32)
  case signaled(Int32)
  /// The command could not be started (`posix_spawn` failed with this errno).
  case notStarted(Int32)

  package var succeeded: Bool { self == .exited(0) }

  package var description: String {
    switch self {
    case .exited(let code): return "exited with status \(code)"
    case .signaled(let sig): return "was killed by signal \(sig)"
    case .notStarted(let e): return "could not be started: \(String(cString: strerror(e)))"
    }
  }
}

/// Spawns `/bin/sh -c` without a shell-quoting step: the command text is one argument.
package enum ShellCommand {
  /// How much of the command's standard error is kept for the failure reason.
  package static let stderrTailLength = 2048
  /// The longest line ``LineSplitter`` hands over; a longer one is handed over in pieces.
  package static let stderrLineLimit = 16 * 1024

  /// Cuts standard error into lines for `line` (without the newline; CR before it dropped).
  package struct LineSplitter {
    var pending: [UInt8] = []
    let line: ([UInt8]) -> Void

    package init(_ line: @escaping ([UInt8]) -> Void) { self.line = line }

    package mutating func feed(_ bytes: UnsafeRawBufferPointer) {
      for b in bytes {
        if b == 0x0A {
          emit()
        } else {
          pending.append(b)
          if pending.count >= ShellCommand.stderrLineLimit { emit() }
        }
      }
    }

    /// Hands over what is left (a last line without a newline).
    package mutating func finish() { if !pending.isEmpty { emit() } }

    private mutating func emit() {
      if pending.last == 0x0D { pending.removeLast() }
      line(pending)
      pending.removeAll(keepingCapacity: true)
    }
  }

  /// Runs `command` with `input` on its standard input. Its standard error is passed through to
  /// ours (or to `stderr`, when given) and its last ``stderrTailLength`` bytes are returned.
  /// The command runs in its own process group. `terminate` is asked every 100 ms while it
  /// runs; once it says true the group gets SIGTERM, and SIGKILL 3 s later. A command that
  /// cannot be started returns ``ExitStatus/notStarted(_:)``.
  package static func run(
    _ command: String, input: [UInt8], environment extra: [String], stderr: ((UnsafeRawBufferPointer) -> Void)? = nil,
    terminate: () -> Bool = { false }
  ) throws(BusError) -> (ExitStatus, String) {
    var inFDs: [Int32] = [-1, -1]
    var errFDs: [Int32] = [-1, -1]
    guard pipe(&inFDs) == 0 else { throw BusError(.output, "cannot create a pipe: \(errnoText())") }
    guard pipe(&errFDs) == 0 else {
      close(inFDs[0])
      close(inFDs[1])
      throw BusError(.output, "cannot create a pipe: \(errnoText())")
    }
    // The parent's ends must not leak into the child, or the child never sees EOF.
    for fd in [inFDs[1], errFDs[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inFDs[0], 0)
    posix_spawn_file_actions_adddup2(&actions, errFDs[1], 2)
    posix_spawn_file_actions_addclose(&actions, inFDs[0])
    posix_spawn_file_actions_addclose(&actions, errFDs[1])

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Signals this process ignores or handles must reach the child with default behaviour.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for s in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, s) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    // Its own process group, so a shutdown can stop the command and everything it started.
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

    // What evt sets for the event replaces what evt itself inherited (a handler of a handler).
    var environment: [String] = []
    let ours = Set([
      "EVT_ID", "EVT_TYPE", "EVT_STREAM_ID", "EVT_DELIVERY", "EVT_ATTEMPT", "EVT_CORRELATION_ID", "EVT_CAUSATION_ID", "TRACEPARENT",
    ])
    var p = environ
    while let entry = p.pointee {
      let text = String(cString: entry)
      let name = text.prefix { $0 != "=" }
      if !ours.contains(String(name)) && !name.hasPrefix("EVT_HEADER_") { environment.append(text) }
      p += 1
    }
    environment.append(contentsOf: extra)

    let argv: [UnsafeMutablePointer<CChar>?] = [String](["/bin/sh", "-c", command]).map { s in strdup(s) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { s in strdup(s) } + [nil]
    defer {
      for a in argv { free(a) }
      for e in envp { free(e) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
    close(inFDs[0])
    close(errFDs[1])
    guard spawned == 0 else {
      close(inFDs[1])
      close(errFDs[0])
      return (.notStarted(spawned), "")
    }
    Shutdown.setRunningGroup(pid)
    defer { Shutdown.setRunningGroup(0) }
    var termSent: Int64?
    func watch() {
      let now = EventTime.now().milliseconds
      if termSent == nil, terminate() {
        kill(-pid, SIGTERM)
        termSent = now
      } else if let sent = termSent, now - sent > 3000 {
        kill(-pid, SIGKILL)
      }
    }
    var status: Int32 = 0
    let relay = stderr ?? { bytes in _ = write(2, bytes.baseAddress!, bytes.count) }
    let tail = pump(input: input, to: inFDs[1], stderrFrom: errFDs[0], relayTo: relay, watch: watch) {
      let r = waitpid(pid, &status, WNOHANG)
      return r == pid
    }
    if !tail.exited {
      // Standard error is closed: the command has (almost always) exited. Reap it, polling
      // quickly at first so a short command costs no sleep, and keep watching for a shutdown.
      var pause = 0
      while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { break }
        if r < 0 && errno != EINTR { throw BusError(.output, "cannot wait for the handler: \(errnoText())") }
        watch()
        if pause == 0 { sched_yield() } else { usleep(UInt32(pause * 1000)) }
        pause = min(max(pause * 2, 1), 20)
      }
    }
    // The command's exit decides. Whatever it left running in its process group (a stray
    // background child) is stopped with it, so no handler outlives its event.
    kill(-pid, SIGTERM)
    let exit: ExitStatus = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
    return (exit, String(decoding: tail.bytes, as: UTF8.self))
  }

  /// Feeds `input` to the child while relaying its standard error, without deadlocking when
  /// the child writes a lot before reading. A child that exits without reading is fine. Ends
  /// when standard error is closed, or when `exited()` says the command is gone (a background
  /// child may keep standard error open: what it wrote so far is relayed, the rest is not
  /// waited for).
  private static func pump(
    input: [UInt8], to inFD: Int32, stderrFrom errFD: Int32, relayTo out: (UnsafeRawBufferPointer) -> Void, watch: () -> Void,
    exited: () -> Bool
  ) -> (bytes: [UInt8], exited: Bool) {
    _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
    var written = 0
    var inOpen = true
    var tail: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    var gone = false
    if input.isEmpty {
      close(inFD)
      inOpen = false
    }
    func relay(_ n: Int) {
      buffer.withUnsafeBytes { out(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      tail.append(contentsOf: buffer[0..<n])
      if tail.count > stderrTailLength { tail.removeFirst(tail.count - stderrTailLength) }
    }
    var quiet = 0
    while true {
      var fds = [pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
      if inOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
      watch()
      // Look for an exited command only when standard error stays quiet for a while.
      if quiet >= 2, exited() {
        gone = true
        // Relay what is already there, without waiting for the rest.
        _ = fcntl(errFD, F_SETFL, fcntl(errFD, F_GETFL) | O_NONBLOCK)
        while true {
          let n = buffer.withUnsafeMutableBytes { read(errFD, $0.baseAddress!, $0.count) }
          if n > 0 { relay(n) } else if n < 0 && errno == EINTR { continue } else { break }
        }
        break
      }
      let ready = poll(&fds, nfds_t(fds.count), 50)
      if ready < 0 {
        if errno == EINTR { continue }
        break
      }
      if ready == 0 {
        quiet += 1
        continue
      }
      quiet = 0
      if inOpen && fds.count > 1 && fds[1].revents != 0 {
        let n = input.withUnsafeBytes { write(inFD, $0.baseAddress! + written, $0.count - written) }
        if n > 0 { written += n }
        if written == input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
          close(inFD)
          inOpen = false
        }
      }
      if fds[0].revents != 0 {
        let n = buffer.withUnsafeMutableBytes { read(errFD, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        relay(n)
      }
    }
    if inOpen { close(inFD) }
    close(errFD)
    return (tail, gone)
  }
}

extension String {
  var trimmingTrailingWhitespace: String {
    var s = Substring(self)
    while let last = s.last, last.isWhitespace { s = s.dropLast() }
    return String(s)
  }
}

private func errnoText() -> String { String(cString: strerror(errno)) }
