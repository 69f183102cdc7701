import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// Keeps a consumer's claim on the entries it is working on fresh while a handler runs (a slow
/// `--exec` command, a mail server that takes long to answer), so no other consumer of the
/// group takes them for abandoned after its claim-idle time and handles them a second time.
///
/// A thread with its own connection resets the entries' idle time every third of the claim
/// idle time (XCLAIM … JUSTID, which counts no delivery), and only while this consumer still
/// owns them. Connection problems are left for the consumer's own loop to report.
final class ClaimKeeper: Sendable {
  private struct State {
    var held: [Delivery] = []
    var stopping = false
  }

  private let state = Locked(State())
  private let thread: pthread_t

  /// - Parameters:
  ///   - consumer: the consumer whose claims are kept (its URL and timeouts are reused).
  ///   - claimIdleMilliseconds: the group's claim-idle time.
  init(consumer: GroupConsumer, claimIdleMilliseconds: Int) {
    let url = consumer.connection.url
    let timeouts = (consumer.connection.connectTimeout, consumer.connection.commandTimeout)
    let group = consumer.group
    let name = consumer.consumer
    let interval = Int64(max(50, claimIdleMilliseconds / 3))
    let state = self.state
    thread = startThread {
      var connection: RedisConnection?
      var lastTouch = EventTime.now().milliseconds
      while true {
        sleepMilliseconds(25)
        let (held, stopping) = state.withLock { ($0.held, $0.stopping) }
        if stopping { return }
        let now = EventTime.now().milliseconds
        guard !held.isEmpty else {
          lastTouch = now
          continue
        }
        guard now - lastTouch >= interval else { continue }
        lastTouch = now
        do throws(RedisError) {
          if connection == nil || connection!.isBroken {
            connection = try RedisConnection(url: url, connectTimeout: timeouts.0, commandTimeout: timeouts.1)
          }
          let commands = held.map { d -> RedisCommand in
            ["EVAL", GroupConsumer.touchSource, "1", d.entry.stream, group, d.entry.id.description, name]
          }
          _ = try connection!.pipeline(commands)
        } catch {
          connection = nil
        }
      }
    }
  }

  /// Keeps the claims of these deliveries' entries fresh until ``release()`` (the batch is
  /// shared, not copied).
  func hold(_ deliveries: [Delivery]) {
    state.withLock { $0.held = deliveries }
  }

  func release() {
    state.withLock { $0.held = [] }
  }

  /// Stops the thread and waits for it.
  func stop() {
    state.withLock { $0.stopping = true }
    pthread_join(thread, nil)
  }
}

/// Starts a POSIX thread running `body`.
package func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
  final class Box {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
  let context = Unmanaged.passRetained(Box(body)).toOpaque()
  var thread = pthread_t()
  let rc = pthread_create(
    &thread, nil,
    { raw in
      Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
      return nil
    }, context)
  precondition(rc == 0, "pthread_create failed: \(rc)")
  return thread
}
