import EvtBus
import EvtRedis
import NIOPosix

/// Runs the blocking Redis calls of requests on a few threads of their own, each with its own
/// connection, so the server's event loops and Swift's concurrency threads never wait on Redis.
/// At most ``maxWaiting`` requests wait for a thread; more are refused (503) at once, so a flood
/// of expensive pages cannot queue up without end.
final class RedisWork: Sendable {
  static let threads = 4
  static let maxWaiting = 64
  private let pool: NIOThreadPool
  private let connect: @Sendable () throws(BusError) -> RedisConnection
  private let idle = Locked<[ConnectionBox]>([])
  private let waiting = Locked(0)

  /// A connection handed between threads; used by one job at a time.
  private final class ConnectionBox: @unchecked Sendable {
    let connection: RedisConnection
    init(_ connection: RedisConnection) { self.connection = connection }
  }

  struct Busy: Error {}

  init(connect: @escaping @Sendable () throws(BusError) -> RedisConnection) {
    self.connect = connect
    pool = NIOThreadPool(numberOfThreads: Self.threads)
    pool.start()
  }

  /// Runs `body` with a connection on a pool thread. A connection whose call failed for
  /// anything but a Redis error reply is dropped, not reused.
  func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws(BusError) -> T) async throws -> T {
    let admitted = waiting.withLock { n -> Bool in
      guard n < Self.maxWaiting else { return false }
      n += 1
      return true
    }
    guard admitted else { throw Busy() }
    defer { waiting.withLock { $0 -= 1 } }
    return try await pool.runIfActive { [self] in
      let box = try idle.withLock { $0.popLast() } ?? ConnectionBox(connect())
      do throws(BusError) {
        let result = try body(box.connection)
        idle.withLock { $0.append(box) }
        return result
      } catch {
        // An error reply leaves the connection usable; a lost or timed-out one is dropped.
        if [.server, .badData, .notFound, .permission, .invalidArgument].contains(error.kind) { idle.withLock { $0.append(box) } }
        throw error
      }
    }
  }
}
