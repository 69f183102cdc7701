import EvtRedis

/// Data written by an evt from before the hash-tag layout (`NS:stream:<type>`, `NS:dlq:<group>`,
/// `NS:replay:<group>`, `NS:done:<group>:<type>:<id>`, `NS:user:<id>`, `NS:user-email:<email>`):
/// found by ``check(_:_:)``, which readers run before they start, and moved by ``migrate(_:_:)``
/// (`evt migrate`).
public enum LegacyLayout {
  /// Throws when the namespace still has type streams in the old layout.
  /// - Throws: `.badData` saying to run `evt migrate`.
  public static func check(_ connection: RedisConnection, _ keys: Keys) throws(BusError) {
    let old = try oldStreams(connection, keys)
    guard !old.isEmpty else { return }
    let list = old.prefix(3).map(\.key).joined(separator: ", ") + (old.count > 3 ? ", …" : "")
    throw BusError(
      .badData,
      "namespace \(keys.namespace) holds events in the key layout of an earlier evt (\(list)); run 'evt migrate' to move them to the current one (see README, Data in Redis)"
    )
  }

  /// The registered types whose stream is still at its old key.
  private static func oldStreams(_ connection: RedisConnection, _ keys: Keys) throws(BusError) -> [(type: String, key: String)] {
    let reply = try wrap { () throws(RedisError) in try connection.command(["SMEMBERS", keys.types]) }
    let types = try StreamReply.strings(reply, "SMEMBERS \(keys.types)").sorted()
    guard !types.isEmpty else { return [] }
    let old = types.map { (type: $0, key: keys.legacy.stream($0)) }
    let replies = try wrap { () throws(RedisError) in try connection.pipeline(old.map { ["EXISTS", $0.key] }) }
    return zip(old, replies).filter { $0.1.int == 1 }.map(\.0)
  }

  /// What ``migrate(_:_:dryRun:)`` moved (or, for a dry run, would move).
  public struct Report: Sendable, Equatable {
    public var streams = 0
    public var deadLetters = 0
    public var replayed = 0
    public var markers = 0
    public var users = 0

    public var total: Int { streams + deadLetters + replayed + markers + users }
  }

  /// Moves every key of the old layout to the current one, keeping stream ids, consumer
  /// groups with their pending entries, and time-to-live. Safe to run again after it was
  /// interrupted, and while publishers write the new layout (a type stream both old and new
  /// is merged: the old entries first, then the new). Readers should be stopped meanwhile.
  public static func migrate(_ connection: RedisConnection, _ keys: Keys, dryRun: Bool = false) throws(BusError) -> Report {
    var report = Report()
    let move = Mover(connection: connection, dryRun: dryRun)
    for (type, key) in try oldStreams(connection, keys) {
      try move.key(key, to: keys.stream(type), mergingStreamVia: keys.stream(type) + "-migrating")
      report.streams += 1
    }
    let legacy = keys.legacy
    let ns = DeadLetterStore.globEscaped(keys.namespace)
    for key in try scan(connection, ns + ":dlq:*", type: "stream") {
      let group = String(key.dropFirst(legacy.deadLetters("").count))
      report.deadLetters += try move.split(
        key,
        by: { fields in
          // The type of the stream the dead letter came from.
          let source = fields["stream"].flatMap { keys.type(ofStream: $0) ?? legacyType(of: $0, legacy) }
          return source ?? fields["type"]
        }, into: { keys.deadLetters(group, $0) }, group: nil)
    }
    for key in try scan(connection, ns + ":replay:*", type: "stream") {
      let group = String(key.dropFirst(legacy.replay("").count))
      report.replayed += try move.split(key, by: { $0["type"] }, into: { keys.replay(group, $0) }, group: group)
    }
    for key in try scan(connection, ns + ":done:*", type: nil) {
      // NS:done:<group>:<type>:<id>
      let rest = key.dropFirst(legacy.donePrefix.count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard rest.count == 3 else { continue }
      try move.key(key, to: keys.done(String(rest[0]), String(rest[1]), String(rest[2])), mergingStreamVia: nil)
      report.markers += 1
    }
    for (prefix, tagged) in [(":user:", ":{users}:user:"), (":user-email:", ":{users}:user-email:")] {
      for key in try scan(connection, ns + prefix + "*", type: nil) {
        try move.key(key, to: keys.namespace + tagged + key.dropFirst(keys.namespace.count + prefix.count), mergingStreamVia: nil)
        report.users += 1
      }
    }
    return report
  }

  private static func legacyType(of key: String, _ legacy: Keys.Legacy) -> String? {
    let prefix = legacy.stream("")
    return key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : nil
  }

  private static func scan(_ connection: RedisConnection, _ pattern: String, type: String?) throws(BusError) -> [String] {
    try wrap { () throws(RedisError) in try connection.scanKeys(matching: pattern, type: type) }.sorted()
  }

  /// Moves keys with DUMP and RESTORE (which keep a stream's consumer groups and every key's
  /// TTL, and work between the slots of a cluster), then deletes the old key.
  private struct Mover {
    let connection: RedisConnection
    let dryRun: Bool

    func key(_ old: String, to new: String, mergingStreamVia aside: String?) throws(BusError) {
      guard !dryRun else { return }
      let replies = try run([["PTTL", old], ["DUMP", old]])
      guard let ttl = replies[0].int, ttl != -2, case .bulk(let payload) = replies[1] else { return }  // gone meanwhile
      var restore = RedisCommand(["RESTORE", new, String(max(0, ttl))])
      restore.append(payload)
      let restored = try wrap { () throws(RedisError) in try connection.pipeline([restore]) }[0]
      if restored.errorMessage == nil, let aside, try run([["EXISTS", aside]])[0].int == 1 {
        // A merge interrupted after it moved the new entries aside: they follow the old ones.
        try copyEntries(from: aside, to: new)
        _ = try run([["DEL", aside]])
      }
      if let e = restored.errorMessage {
        guard e.hasPrefix("BUSYKEY") else { throw BusError(connection.error(forReply: e, command: "RESTORE", key: new)) }
        // Both exist: a stream written under both layouts (or a move interrupted after the
        // RESTORE). Keep the old entries with their groups and add the newer ones after them.
        if let aside { try merge(old: old, payload: payload, into: new, aside: aside) }
      }
      _ = try run([["DEL", old]])
    }

    /// The old stream becomes `new`; the entries `new` had after the old stream's last one are
    /// appended with their ids.
    private func merge(old: String, payload: [UInt8], into new: String, aside: String) throws(BusError) {
      _ = try run([["RENAME", new, aside]])
      var restore = RedisCommand(["RESTORE", new, "0"])
      restore.append(payload)
      _ = try run([restore])
      try copyEntries(from: aside, to: new)
      _ = try run([["DEL", aside]])
    }

    /// Appends the entries of `source` newer than the last of `target`, keeping their ids.
    private func copyEntries(from source: String, to target: String) throws(BusError) {
      let last = try run([["XREVRANGE", target, "+", "-", "COUNT", "1"]])[0]
      var start = (try StreamEntry.list(last, stream: target, type: "").first?.id.exclusive) ?? "-"
      while true {
        let page = try run([["XRANGE", source, start, "+", "COUNT", "500"]])[0]
        let entries = try StreamEntry.list(page, stream: source, type: "")
        guard let final = entries.last else { return }
        _ = try run(entries.map { Self.add($0, to: target) })
        start = final.id.exclusive
      }
    }

    /// Spreads the entries of a stream over per-type streams (`into(type)`), keeping ids, then
    /// deletes it. With `group`, that consumer group is made on each new stream so that what
    /// it had not acknowledged is delivered again and nothing it had is.
    func split(
      _ old: String, by typeOf: ([String: String]) -> String?, into target: (String) -> String, group: String?
    ) throws(BusError) -> Int {
      var moved = 0
      var start = "-"
      var targets = Set<String>()
      var resume: String?
      if let group { resume = try resumePoint(old, group: group) }
      while true {
        let page = try run([["XRANGE", old, start, "+", "COUNT", "500"]])[0]
        let entries = try StreamEntry.list(page, stream: old, type: "")
        guard let final = entries.last else { break }
        var commands: [RedisCommand] = []
        for e in entries {
          var fields: [String: String] = [:]
          for f in e.fields ?? [] { fields[f.name] = String(decoding: f.value, as: UTF8.self) }
          let type = typeOf(fields) ?? e.event.flatMap { try? Envelope.decode($0) }?.type ?? "unknown"
          let key = target(type)
          targets.insert(key)
          commands.append(Self.add(e, to: key))
        }
        moved += entries.count
        if !dryRun {
          // An entry already there (a run interrupted earlier) is refused with an error: skipped.
          _ = try wrap { () throws(RedisError) in try connection.pipeline(commands) }
        }
        start = final.id.exclusive
      }
      guard !dryRun else { return moved }
      if let group, let resume {
        for key in targets.sorted() {
          let made = try wrap { () throws(RedisError) in try connection.pipeline([["XGROUP", "CREATE", key, group, resume, "MKSTREAM"]]) }[
            0]
          if made.errorMessage?.hasPrefix("BUSYGROUP") != true { try checked(made, "XGROUP CREATE", connection, key: key) }
        }
      }
      _ = try run([["DEL", old]])
      return moved
    }

    /// Where a group on a split stream starts: before its oldest pending entry, else after the
    /// last entry it was given.
    private func resumePoint(_ stream: String, group: String) throws(BusError) -> String? {
      let replies = try wrap { () throws(RedisError) in
        try connection.pipeline([["XINFO", "GROUPS", stream], ["XPENDING", stream, group]])
      }
      guard let groups = try? StreamReply.info(replies[0], "XINFO GROUPS"),
        let info = groups.first(where: { $0["name"]?.string == group }),
        let delivered = info["last-delivered-id"]?.string
      else { return nil }
      if let oldest = replies[1].array?[1].string, let id = StreamID(oldest) {
        return id.previous.description
      }
      return delivered
    }

    private static func add(_ e: StreamEntry, to key: String) -> RedisCommand {
      var command = RedisCommand(["XADD", key, e.id.description])
      for f in e.fields ?? [] {
        command.append(f.name)
        command.append(f.value)
      }
      return command
    }

    private func run(_ commands: [RedisCommand]) throws(BusError) -> [RedisReply] {
      let replies = try wrap { () throws(RedisError) in try connection.pipeline(commands) }
      for (c, r) in zip(commands, replies) { try checked(r, c.name, connection, key: c.key) }
      return replies
    }
  }
}
