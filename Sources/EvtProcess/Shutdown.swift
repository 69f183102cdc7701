import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT/SIGTERM/SIGHUP handling shared by long-running commands: the first signal asks for
/// a graceful stop (``isRequested`` turns true, and a blocked write to standard output is
/// interrupted); a second one kills the running handler's process group, so no handler
/// outlives evt, and exits at once with 130.
package enum Shutdown {
  package static func install() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = onSignal
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0  // no SA_RESTART: a write blocked on a slow reader returns EINTR
    for s in [SIGINT, SIGTERM, SIGHUP] { sigaction(s, &action, nil) }
  }

  package static var isRequested: Bool { shutdownRequested.load(ordering: .relaxed) != 0 }

  /// The process group of the handler command running now (0: none), killed by a second
  /// signal.
  static func setRunningGroup(_ pgid: pid_t) { runningGroup.store(Int(pgid), ordering: .relaxed) }
}

private let shutdownRequested = Atomic<Int>(0)
private let runningGroup = Atomic<Int>(0)

private func onSignal(_ sig: Int32) {
  if shutdownRequested.exchange(1, ordering: .relaxed) != 0 {
    let group = runningGroup.load(ordering: .relaxed)
    if group > 0 { kill(-pid_t(group), SIGKILL) }
    _exit(130)
  }
}
