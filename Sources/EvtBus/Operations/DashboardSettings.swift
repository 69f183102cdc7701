import EvtRedis

/// What `evt dashboard` hands to its web server (the `evt-dashboard` program, which holds the
/// HTTP library so that evt's one-shot commands do not load it): where to listen, who may do
/// what, how often Redis is polled and the thresholds of the group states.
public struct DashboardSettings: Sendable {
  /// Host to bind (an address or a name), as given.
  public var host: String
  /// Port to bind (0: any free port; the URL printed at start names the one chosen).
  public var port: Int
  /// Whether replay and purge may be used (with the token and a CSRF token).
  public var allowActions: Bool
  /// The token actions need (and every page, when ``pagesNeedToken``).
  public var token: String
  /// Whether the token was generated at start (it is then printed once, for the operator).
  public var tokenGenerated: Bool
  /// Whether pages need the token too: the listener is not on loopback.
  public var pagesNeedToken: Bool
  /// Milliseconds between two polls of Redis for the overview.
  public var intervalMilliseconds: Int64
  /// A group breaking one of these is red.
  public var check: StatsCheck
  /// A group breaking one of these (and none of ``check``) is amber.
  public var warn: StatsCheck
  /// Opens a new connection with the command's options.
  public var connect: @Sendable () throws(BusError) -> RedisConnection
  public var keys: Keys
  /// Server-Sent Events clients served at once (more get 503).
  public var maxLiveClients: Int
  /// Connections open at once (more wait in the listen backlog).
  public var maxConnections: Int

  public init(
    host: String, port: Int, allowActions: Bool, token: String, tokenGenerated: Bool, pagesNeedToken: Bool,
    intervalMilliseconds: Int64, check: StatsCheck, warn: StatsCheck, connect: @escaping @Sendable () throws(BusError) -> RedisConnection,
    keys: Keys, maxLiveClients: Int = 200, maxConnections: Int = 4096
  ) {
    self.host = host
    self.port = port
    self.allowActions = allowActions
    self.token = token
    self.tokenGenerated = tokenGenerated
    self.pagesNeedToken = pagesNeedToken
    self.intervalMilliseconds = intervalMilliseconds
    self.check = check
    self.warn = warn
    self.connect = connect
    self.keys = keys
    self.maxLiveClients = maxLiveClients
    self.maxConnections = maxConnections
  }

  /// 32 bytes from the system's random generator (getrandom), as 64 hex digits.
  public static func randomToken() -> String {
    var g = SystemRandomNumberGenerator()
    return (0..<4).map { _ in
      let s = String(g.next() as UInt64, radix: 16)
      return String(repeating: "0", count: 16 - s.count) + s
    }.joined()
  }
}
