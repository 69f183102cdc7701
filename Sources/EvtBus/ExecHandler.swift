#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a shell command for each event: `/bin/sh -c COMMAND` with the envelope (one line,
/// newline-terminated, exactly as stored) on standard input and `EVT_ID`, `EVT_TYPE`, `EVT_STREAM_ID`, `EVT_DELIVERY` in its environment. Event
/// content is never put on a command line. Exit status 0 means handled; anything else leaves the
/// entry pending. The command inherits standard output and standard error.
public final class ExecHandler: DeliveryHandler {
  public let command: String
  /// Told about each failure, one line each.
  public let report: (String) -> Void

  public init(command: String, report: @escaping (String) -> Void) {
    self.command = command
    self.report = report
  }

  public func handle(_ batch: [Delivery], shouldStop: () -> Bool) throws(BusError) -> HandlerResult {
    var result = HandlerResult(succeeded: [])
    for (i, delivery) in batch.enumerated() {
      if i > 0 && shouldStop() { break }
      let entry = delivery.entry
      let raw = entry.event ?? []
      let envelope = try? Envelope.decode(raw)
      let environment = [
        "EVT_ID=\(envelope?.id ?? "")",
        "EVT_TYPE=\(envelope?.type ?? entry.type)",
        "EVT_STREAM_ID=\(entry.id)",
        "EVT_DELIVERY=\(delivery.deliveryCount)",
      ]
      let status = try ShellCommand.run(command, input: raw + [0x0A], environment: environment)
      if status.succeeded {
        result.succeeded.append(entry)
      } else {
        result.failed += 1
        report("handler \(status) for event \(envelope?.id ?? "?") (\(entry.type) \(entry.id)); left pending")
      }
    }
    return result
  }
}

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
  case exited(Int32)
  case signaled(Int32)

  public var succeeded: Bool { self == .exited(0) }

  public var description: String {
    switch self {
    case .exited(let code): return "exited with status \(code)"
    case .signaled(let sig): return "was killed by signal \(sig)"
    }
  }
}

/// Spawns `/bin/sh -c` without a shell-quoting step: the command text is one argument.
public enum ShellCommand {
  public static func run(_ command: String, input: [UInt8], environment extra: [String]) throws(BusError) -> ExitStatus {
    var pipeFDs: [Int32] = [-1, -1]
    guard pipe(&pipeFDs) == 0 else { throw BusError(.output, "cannot create a pipe: \(errnoText())") }
    let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
    // The parent's write end must not leak into the child, or the child never sees EOF.
    _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
    posix_spawn_file_actions_addclose(&actions, readEnd)

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
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    var environment: [String] = []
    var p = environ
    while let entry = p.pointee {
      let text = String(cString: entry)
      if !text.hasPrefix("EVT_ID=") && !text.hasPrefix("EVT_TYPE=") && !text.hasPrefix("EVT_STREAM_ID=") && !text.hasPrefix("EVT_DELIVERY=")
      {
        environment.append(text)
      }
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
    close(readEnd)
    guard spawned == 0 else {
      close(writeEnd)
      throw BusError(.output, "cannot run /bin/sh: \(String(cString: strerror(spawned)))")
    }
    // Feed the envelope; a child that exits without reading it is fine (EPIPE is ignored).
    input.withUnsafeBytes { buf in
      var offset = 0
      while offset < buf.count {
        let n = write(writeEnd, buf.baseAddress! + offset, buf.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          break
        }
        offset += n
      }
    }
    close(writeEnd)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { throw BusError(.output, "cannot wait for the handler: \(errnoText())") }
    }
    if status & 0x7F == 0 { return .exited((status >> 8) & 0xFF) }
    return .signaled(status & 0x7F)
  }
}

func errnoText() -> String { String(cString: strerror(errno)) }
