import EvtRedis

/// A Lua script run atomically by Redis: the way the bus and the services make a multi-key
/// write happen entirely or not at all.
package struct RedisScript: Sendable {
  package let source: String

  package init(_ source: String) { self.source = source }

  /// Runs the script with `EVAL`.
  /// - Throws: ``BusError`` when Redis is unreachable or the script fails (nothing it wrote
  ///   before an error is rolled back by Redis, so scripts check before they write).
  package func run(on connection: RedisConnection, keys: [String], args: [String]) throws(BusError) -> RedisReply {
    try connection.busCommand(command(keys: keys, args: args))
  }

  /// The `EVAL` command, for a pipeline. All `keys` must be in one slot (Redis Cluster).
  package func command(keys: [String], args: [String]) -> RedisCommand {
    var command: RedisCommand = ["EVAL", source]
    command.append(String(keys.count))
    for k in keys { command.appendKey(k) }
    for a in args { command.append(a) }
    return command
  }
}
