import EvtRedis

extension SchemaRegistry {
  /// What `evt schema check` found: each way registering a candidate would break something.
  public struct Finding: Sendable, Equatable, CustomStringConvertible {
    /// `nil` for a compatibility reason; the event's id and stream id for a stored event.
    public let eventID: String?
    public let entryID: StreamID?
    public let reason: String
    public var description: String {
      guard let entryID else { return "compatibility: \(reason)" }
      return "event \(eventID ?? "?") (\(entryID)): \(reason)"
    }
  }

  /// Checks a candidate schema for `type` before it is registered: against the type's
  /// compatibility rule and latest version, and against stored events — the last `stored`
  /// of them, or every one since `since` (at most `stored` when both are given), read a page
  /// at a time. Changes nothing.
  /// - Returns: the findings, in that order, and how many stored events were checked.
  /// - Throws: `.badData` when the candidate is not a schema evt can compile.
  public func check(_ type: String, candidate source: [UInt8], stored: Int?, since: StreamID?) throws(BusError) -> (
    findings: [Finding], checked: Int
  ) {
    do { try EventType.validate(type) } catch { throw BusError(.invalidArgument, error.message) }
    let candidate: JSONSchema
    do { candidate = try JSONSchema.compile(source) } catch { throw BusError(.badData, "the schema for \(type): \(error.message)") }
    var findings: [Finding] = []
    if let previous = try latest(type) {
      let mode = try compatibility(type)
      findings += mode.breaches(by: candidate, of: previous.schema).map {
        Finding(eventID: nil, entryID: nil, reason: "\(mode.rawValue) against version \(previous.version): \($0)")
      }
    }
    let watcher = StreamWatcher(connection: connection, keys: keys, selection: try TypeSelection([type]))
    var checked = 0
    func examine(_ entry: StreamEntry) {
      guard let raw = entry.event, let envelope = try? Envelope.decode(raw), envelope.type == type else { return }
      checked += 1
      if let v = candidate.violation(of: envelope) {
        findings.append(Finding(eventID: envelope.id, entryID: entry.id, reason: v.description))
      }
    }
    if let since {
      try watcher.history(since: since) { (entry) throws(BusError) in
        examine(entry)
        return stored.map { checked < $0 } ?? true
      }
    } else {
      for entry in try watcher.last(stored ?? Self.defaultStoredCheck) { examine(entry) }
    }
    return (findings, checked)
  }

  /// Stored events `evt schema check` reads unless told otherwise.
  public static let defaultStoredCheck = 1000
}
