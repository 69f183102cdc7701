import EvtRedis

extension SchemaRegistry {
  /// Unacknowledged events of one schema version, as ``unacknowledged(_:version:limit:)``
  /// found them.
  public struct InUse: Sendable, Equatable {
    /// Events carrying the version that some group has not acknowledged.
    public var count = 0
    /// The first of them, and the group that has not acknowledged it.
    public var first: (eventID: String, group: String)?
    /// Whether every unacknowledged event was looked at (false: more than the limit).
    public var complete = true

    public static func == (a: InUse, b: InUse) -> Bool {
      a.count == b.count && a.first?.eventID == b.first?.eventID && a.first?.group == b.first?.group && a.complete == b.complete
    }
  }

  /// The events of `type` carrying schema version `version` that a consumer group of the type
  /// has not acknowledged: pending in the group, or not yet delivered to it. Reads a page at a
  /// time (500 entries per call) and looks at no more than `limit` events in all.
  public func unacknowledged(_ type: String, version: Int, limit: Int = 100_000) throws(BusError) -> InUse {
    let stream = keys.stream(type)
    let groups: [GroupInfo]
    do {
      groups = try connection.groups(of: stream)
    } catch  where error.isNoSuchKey {
      return InUse()
    }
    var found = InUse()
    var looked = 0
    func examine(_ entries: [StreamEntry], group: String) -> Bool {
      for entry in entries {
        looked += 1
        guard looked <= limit else {
          found.complete = false
          return false
        }
        guard let raw = entry.event, let envelope = try? Envelope.decode(raw), envelope.schemaVersion == version else { continue }
        found.count += 1
        if found.first == nil { found.first = (envelope.id, group) }
      }
      return true
    }
    let key = StreamKey(key: stream, type: type)
    // Not yet delivered to the group furthest behind: everything after its last delivered id.
    if let behind = groups.min(by: { ($0.lastDelivered ?? .zero) < ($1.lastDelivered ?? .zero) }) {
      var from = "(" + (behind.lastDelivered ?? .zero).description
      while true {
        let page = try connection.range(stream, from: from, count: 500, type: type)
        guard examine(page, group: behind.name), let last = page.last, page.count == 500 else { break }
        from = "(" + last.id.description
      }
    }
    // Delivered but pending: each group's pending entries, read in pages of ids and then
    // entries (an id trimmed away meanwhile reads as nothing).
    for group in groups where found.complete && group.pending > 0 {
      var from = "-"
      while found.complete {
        let pending = try connection.pending(stream, group: group.name, from: from, count: 500)
        let commands: [RedisCommand] = pending.map { ["XRANGE", stream, $0.id.description, $0.id.description] }
        let entries = try connection.readRanges(commands, streams: Array(repeating: key, count: commands.count))
        guard examine(entries.flatMap { $0 }, group: group.name), let last = pending.last, pending.count == 500 else { break }
        from = "(" + last.id.description
      }
    }
    return found
  }

  /// Deletes version `version` of `type`'s schema. Unless `force`, refuses while a consumer
  /// group has not acknowledged an event carrying it (it would then be dead-lettered as an
  /// unknown version). Version numbers are never given out again; when the latest version
  /// goes, the highest one left becomes the latest, and when none is left the type is
  /// free-form again.
  /// - Returns: the latest version now, `nil` when none is left.
  /// - Throws: `.notFound` when the version is not registered; `.conflict` naming how many
  ///   events still carry it (or that there were too many to look through).
  public func delete(_ type: String, version: Int, force: Bool) throws(BusError) -> Int? {
    do { try EventType.validate(type) } catch { throw BusError(.invalidArgument, error.message) }
    guard try self.version(type, version) != nil else { throw BusError(.notFound, "\(type) has no schema version \(version)") }
    if !force {
      let inUse = try unacknowledged(type, version: version)
      if !inUse.complete {
        throw BusError(
          .conflict,
          "\(type) has more unacknowledged events than evt looks through; it cannot tell whether any carries version \(version) (--force deletes it anyway)"
        )
      }
      if let first = inUse.first {
        throw BusError(
          .conflict,
          "\(inUse.count) unacknowledged \(type) event\(inUse.count == 1 ? "" : "s") carry version \(version) (the first, \(first.eventID), in group \(first.group)); they would be dead-lettered as an unknown version (--force deletes it anyway)"
        )
      }
    }
    let reply = try Self.deleteScript.run(on: connection, keys: [keys.schemas(type)], args: [String(version)])
    guard let latest = reply.int else { throw StreamReply.unexpected("the deletion of \(type)'s schema", reply) }
    guard latest >= 0 else { throw BusError(.notFound, "\(type) has no schema version \(version)") }
    if latest == 0 { _ = try connection.busCommand(["SREM", keys.schemaTypes, type]) }
    return latest == 0 ? nil : latest
  }

  /// KEYS: the type's schema hash; ARGV: the version. Returns the latest version after it
  /// (0: none left), or -1 when the version was not there. `last` keeps the highest version
  /// ever given out, so none is given out twice.
  static let deleteScript = RedisScript(
    """
    if redis.call('HDEL', KEYS[1], 'v' .. ARGV[1]) == 0 then return -1 end
    local latest = tonumber(redis.call('HGET', KEYS[1], 'latest') or '0')
    if latest > tonumber(redis.call('HGET', KEYS[1], 'last') or '0') then redis.call('HSET', KEYS[1], 'last', latest) end
    if tonumber(ARGV[1]) ~= latest then return latest end
    local best = 0
    for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
      local k = tonumber(string.match(f, '^v(%d+)$'))
      if k and k > best then best = k end
    end
    if best > 0 then redis.call('HSET', KEYS[1], 'latest', best) else redis.call('HDEL', KEYS[1], 'latest') end
    return best
    """)
}
