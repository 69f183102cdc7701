import EvtRedis

/// Data written by an evt from before the hash-tag layout (`NS:stream:<type>`, `NS:dlq:<group>`,
/// `NS:replay:<group>`, `NS:done:<group>:<type>:<id>`, `NS:user:<id>`, `NS:user-email:<email>`):
/// found by ``check(_:_:)``, which readers run before they start, and moved by ``migrate(_:_:)``
/// (`evt migrate`).
package enum LegacyLayout {
  /// Throws when the namespace still has type streams in the old layout.
  /// - Throws: `.badData` saying to run `evt migrate`.
  package static func check(_ connection: RedisConnection, _ keys: Keys) throws(BusError) {
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
    let types = try connection.members(of: keys.types).sorted()
    guard !types.isEmpty else { return [] }
    let old = types.map { (type: $0, key: keys.legacy.stream($0)) }
    let replies = try connection.busReplies(old.map { ["EXISTS", $0.key] })
    return zip(old, replies).filter { $0.1.int == 1 }.map(\.0)
  }

  /// What ``migrate(_:_:dryRun:)`` moved (or, for a dry run, would move).
  package struct Report: Sendable, Equatable {
    package var streams = 0
    package var deadLetters = 0
    package var replayed = 0
    package var markers = 0
    package var users = 0

    package var total: Int { streams + deadLetters + replayed + markers + users }
  }

  /// Moves every key of the old layout to the current one, keeping stream ids, consumer
  /// groups with their pending entries, and time-to-live. Safe to run again after it was
  /// interrupted, and while publishers write the new layout: a type stream both old and new
  /// is merged (the old entries first, then the new) into a copy beside it, which replaces the
  /// new stream in one script once it has caught up, so no event a publisher confirmed
  /// meanwhile is lost. Readers should be stopped meanwhile (a group made on the new stream
  /// keeps its position, not its pending entries).
  /// - Throws: `.badData`, before anything is moved, when an old key is not what an earlier
  ///   evt wrote (a type's stream that is not a stream, a type or group name the current
  ///   layout cannot hold), listing them.
  package static func migrate(_ connection: RedisConnection, _ keys: Keys, dryRun: Bool = false) throws(BusError) -> Report {
    var report = Report()
    let legacy = keys.legacy
    let ns = DeadLetterStore.globEscaped(keys.namespace)
    let streams = try oldStreams(connection, keys)
    let dlqs = try scan(connection, ns + ":dlq:*", type: "stream")
    let replays = try scan(connection, ns + ":replay:*", type: "stream")
    let markers = try scan(connection, ns + ":done:*", type: nil)
    try refuseUnmovable(
      connection, streams: streams, groups: dlqs.map { ($0, legacy.deadLetters("")) } + replays.map { ($0, legacy.replay("")) },
      markers: markers, legacy)
    let move = Mover(connection: connection, dryRun: dryRun)
    for (type, key) in streams {
      try move.key(key, to: keys.stream(type), mergingStreamVia: keys.stream(type) + "-migrating")
      report.streams += 1
    }
    for key in dlqs {
      let group = String(key.dropFirst(legacy.deadLetters("").count))
      report.deadLetters += try move.split(
        key,
        by: { fields in
          // The type of the stream the dead letter came from.
          let source = fields["stream"].flatMap { keys.type(ofKey: $0) ?? legacyType(of: $0, legacy) }
          return source ?? fields["type"]
        }, into: { keys.deadLetters(group, $0) }, group: nil)
    }
    for key in replays {
      let group = String(key.dropFirst(legacy.replay("").count))
      report.replayed += try move.split(key, by: { $0["type"] }, into: { keys.replay(group, $0) }, group: group)
    }
    for key in markers {
      // NS:done:<group>:<type>:<id>
      guard let rest = doneParts(key, legacy) else { continue }
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

  /// The group, type and event id of an old done marker's key, when they are ones the current
  /// layout can hold.
  private static func doneParts(_ key: String, _ legacy: Keys.Legacy) -> [Substring]? {
    let rest = key.dropFirst(legacy.donePrefix.count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard rest.count == 3, EventType.isValid(String(rest[1])), (try? GroupConsumer.validateGroupName(String(rest[0]))) != nil else {
      return nil
    }
    return rest
  }

  /// Throws, listing them, when old keys are not what an earlier evt wrote.
  private static func refuseUnmovable(
    _ connection: RedisConnection, streams: [(type: String, key: String)], groups: [(key: String, prefix: String)], markers: [String],
    _ legacy: Keys.Legacy
  ) throws(BusError) {
    var problems: [String] = []
    let kinds = try connection.busReplies(streams.map { ["TYPE", $0.key] })
    for (s, kind) in zip(streams, kinds) {
      if !EventType.isValid(s.type) {
        problems.append("\(JSON.quoted(s.key)) (\(JSON.quoted(s.type)) is not a valid type name)")
      } else if let k = kind.string, k != "stream" {
        problems.append("\(JSON.quoted(s.key)) (a \(k), not a stream)")
      }
    }
    for g in groups {
      let group = String(g.key.dropFirst(g.prefix.count))
      if (try? GroupConsumer.validateGroupName(group)) == nil {
        problems.append("\(JSON.quoted(g.key)) (\(JSON.quoted(group)) is not a valid group name)")
      }
    }
    for m in markers where doneParts(m, legacy) == nil {
      problems.append("\(JSON.quoted(m)) (not <group>:<type>:<id> with a valid group and type)")
    }
    guard !problems.isEmpty else { return }
    throw BusError(
      .badData,
      "nothing was moved: \(problems.count) old key\(problems.count == 1 ? " is" : "s are") not what an earlier evt wrote: \(problems.prefix(5).joined(separator: ", "))\(problems.count > 5 ? ", …" : ""); fix or delete \(problems.count == 1 ? "it" : "them"), then run evt migrate again"
    )
  }

  private static func legacyType(of key: String, _ legacy: Keys.Legacy) -> String? {
    let prefix = legacy.stream("")
    return key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : nil
  }

  private static func scan(_ connection: RedisConnection, _ pattern: String, type: String?) throws(BusError) -> [String] {
    try connection.busScanKeys(matching: pattern, type: type).sorted()
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
      let restored = try connection.busReplies([restore])[0]
      if let e = restored.errorMessage {
        guard e.hasPrefix("BUSYKEY") else { throw BusError(connection.error(forReply: e, command: "RESTORE", key: new)) }
        // Both exist: a stream written under both layouts (or a move interrupted after the
        // RESTORE). Keep the old entries with their groups and add the newer ones after them.
        if let aside { try merge(payload: payload, into: new, via: aside) }
      }
      _ = try run([["DEL", old]])
    }

    /// The old stream (`payload`, with its groups) is restored at `copy`, then a script
    /// appends the entries of `new` to it, at most ``mergeStep`` per call (bounded work), while
    /// publishers go on writing `new`; the call that finds fewer left copies them and puts
    /// `copy` in the place of `new` in the same script, so nothing appended meanwhile is
    /// missed. Ids are kept; an entry `copy` already has under its id (the same fields: from an
    /// earlier, interrupted run) is skipped; any other entry whose id is not above the copy's
    /// last gets the next free one. A group only on `new` is made on `copy` at its last-delivered id.
    private func merge(payload: [UInt8], into new: String, via copy: String) throws(BusError) {
      var restore = RedisCommand(["RESTORE", copy, "0"])
      restore.append(payload)
      restore.append("REPLACE")
      _ = try run([restore])
      var cursor = "-"
      for _ in 0..<1_000_000 {
        let reply = try Self.mergeScript.run(on: connection, keys: [new, copy], args: [cursor, String(Self.mergeStep)])
        guard let parts = reply.array, parts.count == 2, let done = parts[0].int, let last = parts[1].string else {
          throw StreamReply.unexpected("the merge of \(new)", reply)
        }
        if done == 1 { return }
        cursor = "(" + last
      }
      throw BusError(
        .unavailable, "\(new) is written faster than evt migrate can merge it; run evt migrate again when publishing is quieter")
    }

    /// Entries one merge call copies at most.
    static let mergeStep = 500

    /// KEYS: the new stream, the copy. ARGV: where to go on (`-` or `(id`), entries per call.
    /// Returns {1, ''} once the copy has replaced the new stream, else {0, last id copied}.
    static let mergeScript = RedisScript(
      """
      local new, copy, step = KEYS[1], KEYS[2], tonumber(ARGV[2])
      local function add(id, fields)
        local ok = redis.pcall('XADD', copy, id, unpack(fields))
        if type(ok) == 'table' and ok.err then
          local there = redis.call('XRANGE', copy, id, id)
          if #there > 0 and #there[1][2] == #fields then
            local same = true
            for i = 1, #fields do if there[1][2][i] ~= fields[i] then same = false end end
            if same then return end
          end
          local last = redis.call('XREVRANGE', copy, '+', '-', 'COUNT', 1)[1][1]
          redis.call('XADD', copy, string.match(last, '^(%d+)-') .. '-*', unpack(fields))
        end
      end
      local got = {}
      if redis.call('EXISTS', new) == 1 then got = redis.call('XRANGE', new, ARGV[1], '+', 'COUNT', step) end
      for _, e in ipairs(got) do add(e[1], e[2]) end
      if #got == step then return {0, got[#got][1]} end
      if redis.call('EXISTS', new) == 1 then
        local mine = {}
        for _, g in ipairs(redis.call('XINFO', 'GROUPS', copy)) do
          for i = 1, #g, 2 do if g[i] == 'name' then mine[g[i + 1]] = true end end
        end
        for _, g in ipairs(redis.call('XINFO', 'GROUPS', new)) do
          local name, last
          for i = 1, #g, 2 do
            if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
          end
          if not mine[name] then redis.call('XGROUP', 'CREATE', copy, name, last) end
        end
      end
      redis.call('RENAME', copy, new)
      return {1, ''}
      """)

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
        let entries = try connection.range(old, from: start, count: 500)
        guard let final = entries.last else { break }
        var commands: [RedisCommand] = []
        for e in entries {
          var fields: [String: String] = [:]
          for f in e.fields ?? [] { fields[f.name] = String(decoding: f.value, as: UTF8.self) }
          let type =
            [typeOf(fields), e.event.flatMap { try? Envelope.decode($0) }?.type].compactMap { $0 }.first(where: EventType.isValid)
            ?? "unknown"
          let key = target(type)
          targets.insert(key)
          commands.append(Self.add(e, to: key))
        }
        moved += entries.count
        if !dryRun {
          // An entry already there (a run interrupted earlier) is refused with an error: skipped.
          _ = try connection.busReplies(commands)
        }
        start = final.id.exclusive
      }
      guard !dryRun else { return moved }
      if let group, let resume {
        for key in targets.sorted() {
          let made = try connection.busReplies([["XGROUP", "CREATE", key, group, resume, "MKSTREAM"]])[
            0]
          if !ServerMessage.isBusyGroup(made.errorMessage) { try connection.busCheck(made, "XGROUP CREATE", key: key) }
        }
      }
      _ = try run([["DEL", old]])
      return moved
    }

    /// Where a group on a split stream starts: before its oldest pending entry, else after the
    /// last entry it was given.
    private func resumePoint(_ stream: String, group: String) throws(BusError) -> String? {
      let groups = try? connection.busDecode(["XINFO", "GROUPS", stream]) { (raw) throws(BusError) in
        try StreamReply.groups(raw, stream: stream)
      }
      guard let delivered = groups?.first(where: { $0.name == group })?.lastDelivered else { return nil }
      let pending = try connection.busDecode(["XPENDING", stream, group]) { (raw) throws(BusError) in
        try StreamReply.pendingSummary(raw, stream: stream)
      }
      return (pending.oldest?.previous ?? delivered).description
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
      try connection.busPipeline(commands)
    }
  }
}
