#if canImport(Glibc)
  import Glibc
#endif

/// A value shared between threads, guarded by a POSIX mutex.
///
/// Used instead of the standard library's `Mutex`, whose lock on Linux is invisible to
/// ThreadSanitizer (every use shows up as a data race there); a pthread mutex is understood by
/// it, so `scripts/sanitize thread` reports real races only.
package final class Locked<Value>: @unchecked Sendable {
  private var value: Value
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  package init(_ value: Value) {
    self.value = value
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` with the value, holding the lock.
  @discardableResult
  package func withLock<R>(_ body: (inout Value) -> R) -> R {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body(&value)
  }
}
