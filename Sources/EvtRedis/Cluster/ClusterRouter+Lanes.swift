import CHiredis

#if canImport(Glibc)
  import Glibc
#endif

extension ClusterRouter {
  /// A connection of its own for blocking reads of one slot, so that reads of several slots
  /// (which no single command may name together) wait side by side.
  struct Lane {
    let node: Int
    let connection: RedisNode
    let clientID: Int
  }

  /// Sends each command (each on keys of one slot) on its slot's lane and waits on all of
  /// them at once, until one answers or `timeout` passes; the others are then woken (CLIENT
  /// UNBLOCK) and their replies read too, so nothing a read took is lost. Each reply is lent
  /// to `body` with its command's index. A redirection ends that read empty (the map is
  /// reloaded on the next command).
  func readOnLanes(_ commands: [RedisCommand], timeout: Double, _ body: (Int, RawReply) -> Void) throws(RedisError) {
    guard pending.isEmpty else { throw RedisError(.protocolError, "a blocking read while replies are awaited") }
    if mapIsStale { try refreshMap() }
    var used: [(index: Int, slot: Int, lane: Lane)] = []
    do throws(RedisError) {
      for (i, command) in commands.enumerated() {
        guard let slot = command.slot else { continue }
        let lane = try self.lane(for: slot)
        lane.connection.wantedTimeout = timeout
        lane.connection.append(command)
        try lane.connection.flush()
        used.append((i, slot, lane))
      }
      let deadline = Deadline(seconds: timeout)
      // Wait for the first answer.
      var fds = used.map { pollfd(fd: $0.lane.connection.fileDescriptor, events: Int16(POLLIN), revents: 0) }
      while !used.contains(where: { $0.lane.connection.hasBufferedInput }) {
        let n = poll(&fds, nfds_t(fds.count), deadline.pollMilliseconds)
        if n > 0 || deadline.hasPassed { break }
        if n < 0 && errno != EINTR { break }
      }
      // Wake the others, then read every reply.
      for (k, u) in used.enumerated() where fds[k].revents == 0 && !u.lane.connection.hasBufferedInput {
        let control = try connection(u.lane.node)
        control.append(["CLIENT", "UNBLOCK", String(u.lane.clientID)])
        _ = try control.withReply { $0.integer }.get()
      }
      for u in used {
        u.lane.connection.wantedTimeout = commandTimeout
        let raw = try u.lane.connection.nextReply()
        defer { freeReplyObject(raw) }
        if Redirect(raw) != nil {
          mapIsStale = true
          lanes[u.slot] = nil
          continue
        }
        body(u.index, RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self)))
      }
    } catch {
      for u in used { u.lane.connection.close() }
      lanes.removeAll()
      throw fail(error)
    }
  }

  func lane(for slot: Int) throws(RedisError) -> Lane {
    let owner = try node(for: slot)
    if let lane = lanes[slot], lane.node == owner, !lane.connection.isBroken { return lane }
    lanes[slot]?.connection.close()
    let url = template.at(host: nodes[owner].host, port: nodes[owner].port)
    let c = try RedisNode(url: url, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    c.append(["CLIENT", "ID"])
    guard let id = try c.withReply({ $0.integer }).get() else {
      c.close()
      throw RedisError(.protocolError, "CLIENT ID on \(url) returned no number")
    }
    let lane = Lane(node: owner, connection: c, clientID: id)
    lanes[slot] = lane
    return lane
  }

  /// SCAN on every master.
  func scanKeys(matching pattern: String, type: String?) throws(RedisError) -> [String] {
    guard pending.isEmpty else { throw RedisError(.protocolError, "SCAN while replies are awaited") }
    if mapIsStale { try refreshMap() }
    var found: [String] = []
    for index in masters {
      let c: RedisNode
      do throws(RedisError) { c = try connection(index) } catch { throw fail(error) }
      found += try RedisConnection.scan(c, pattern, type)
    }
    return found
  }
}
