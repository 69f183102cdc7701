import ArgumentParser
import EvtBus
import EvtRedis
import EvtServices

struct Publish: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "publish",
    _superCommandName: "evt",
    abstract: "Publish an event, or many as NDJSON from standard input.",
    discussion: """
      Prints the published envelope as one JSON line (only its id with --quiet). Input is checked before anything is sent: a bad type name, invalid JSON, an oversize event or data that breaks its type's contract (see 'evt schema') is refused with exit code 65 and nothing is written to Redis.

      With --ndjson, each line of standard input is a full envelope (as 'evt tail --json' prints it; published unchanged) or {"type":…,"data":…,"headers":{…}}. Lines are sent pipelined in batches; a bad line stops the import (lines before it are published) unless --skip-invalid is given. A summary goes to standard error.

      Examples:
        evt publish order.placed --data '{"orderId":"o-1","userId":"42","total":19.5}'
        evt publish order.placed --data @order.json --header correlationId=abc
        evt tail --json -n 1000 | EVT_NAMESPACE=copy evt publish --ndjson
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: "Event type: lowercase dotted segments, like user.created.")
  var type: String?

  @Option(name: .shortAndLong, help: ArgumentHelp("Event data: JSON text, @FILE, or - for standard input.", valueName: "json"))
  var data: String?

  @Option(name: [.customShort("H"), .long], help: ArgumentHelp("A header to add (repeatable).", valueName: "key=value"))
  var header: [String] = []

  @Option(help: ArgumentHelp("Event id to use instead of a new UUID.", valueName: "id"))
  var id: String?

  @Option(
    name: .customLong("schema-version"), parsing: .unconditional,
    help: ArgumentHelp("Check the data against this version of the type's schema (default: the latest).", valueName: "n"))
  var schemaVersion: Int?

  @Flag(help: "Read events as JSON lines from standard input.")
  var ndjson = false

  @Flag(help: "With --ndjson: report bad lines and go on instead of stopping at the first.")
  var skipInvalid = false

  @Option(parsing: .unconditional, help: ArgumentHelp("Largest envelope accepted, in bytes (suffixes k and m).", valueName: "size"))
  var maxSize: String = "1m"

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "If Redis is unavailable or goes away, keep trying this long, like 30s (default: fail at once). With --ndjson, what Redis did not confirm is checked and sent again.",
      valueName: "duration"))
  var retry: DurationArgument?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Wait until this many replicas also have each event (Redis WAIT), so a failover to one keeps it; exit 75 when fewer confirm.",
      valueName: "n"))
  var replicas: Int?

  @Option(parsing: .unconditional, help: ArgumentHelp("How long --replicas waits, like 500ms (default 1s).", valueName: "duration"))
  var replicasTimeout: DurationArgument?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Trim the type's stream to about N entries (N ≥ 1) on each append (XADD MAXLEN ~; ignores groups: see evt trim).",
      valueName: "n"))
  var maxlen: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Trim entries older than this (at least 1s; by this machine's clock) on each append, like 7d (XADD MINID ~; ignores groups: see evt trim).",
      valueName: "duration"))
  var maxAge: DurationArgument?

  @Flag(name: .shortAndLong, help: "Print only the event id (with --ndjson: no summary).")
  var quiet = false

  func validate() throws {
    try retry?.check("--retry", DurationArgument.oneMillisecondToADay)
    if let replicas, !(1...100).contains(replicas) { throw ValidationError("--replicas must be between 1 and 100") }
    try replicasTimeout?.check("--replicas-timeout", DurationArgument.oneMillisecondToADay)
    if replicasTimeout != nil && replicas == nil { throw ValidationError("--replicas-timeout needs --replicas") }
    if let maxlen, !(1...1_000_000_000_000).contains(maxlen) {
      throw ValidationError("--maxlen must be between 1 and 10^12 (0 would remove the event being published)")
    }
    try maxAge?.check("--max-age", 1000...DurationText.maxMilliseconds)
    if maxlen != nil && maxAge != nil { throw ValidationError("--maxlen and --max-age cannot be used together") }
    if let schemaVersion, !(1...999_999_999).contains(schemaVersion) {
      throw ValidationError("--schema-version must be between 1 and 999999999")
    }
    if schemaVersion != nil && ndjson { throw ValidationError("--schema-version is for one event, not --ndjson") }
    guard Input.size(maxSize) != nil else {
      throw ValidationError("--max-size '\(maxSize)' is not a size from 1 byte to 512m, like 1048576, 512k or 1m")
    }
    if ndjson {
      if type != nil || data != nil || id != nil || !header.isEmpty {
        throw ValidationError("--ndjson reads types, data, ids and headers from standard input; drop TYPE, --data, --id and --header")
      }
    } else {
      guard type != nil else { throw ValidationError("missing event TYPE (or use --ndjson)") }
      guard data != nil else { throw ValidationError("missing --data (JSON text, @FILE, or - for standard input)") }
      if skipInvalid { throw ValidationError("--skip-invalid only applies with --ndjson") }
    }
    for h in header where !h.contains("=") {
      throw ValidationError("--header '\(h)' must look like key=value")
    }
  }

  func run() throws {
    let limit = Input.size(maxSize)!
    try connection.check()
    if ndjson { return try publishLines(limit: limit) }

    let given = header.map { h -> (key: String, value: String) in
      let i = h.firstIndex(of: "=")!
      return (String(h[..<i]), String(h[h.index(after: i)...]))
    }
    let bytes = try Input.dataArgument(data!, limit: limit)
    let keys = try connection.keys()
    // Everything is checked before connecting: bad input never needs Redis.
    let write: EventWriter.Write
    do {
      // Inside a handler (subscribe --exec): the handled event's flow and trace go on.
      let headers = given + (try TraceContext.inheritedHeaders(given: given))
      let envelope = try Envelope.create(type: type!, data: bytes, headers: headers, id: id, maxSize: limit)
      write = try EventWriter(keys: keys, contracts: ServiceTypes.contracts).prepare(envelope)
    } catch { throw BusError(error) }

    // A type with a registered schema: its data is checked against it and the envelope
    // carries the version (one more round trip; none for the schema's compilation).
    var published = write
    try withRetry { () throws(BusError) in
      let redis = try connection.connect()
      let stamped = try SchemaRegistry(connection: redis, keys: keys, builtIns: ServiceTypes.contracts).stamp(
        write.envelope, version: schemaVersion)
      if stamped.version != write.envelope.version {
        do throws(EnvelopeError) {
          published = try EventWriter(keys: keys, contracts: ServiceTypes.contracts).prepare(stamped)
        } catch {
          throw BusError(error)
        }
      }
      _ = try publisher(redis, keys).publish(published)
    }
    let out = OutputBuffer()
    try out.line(quiet ? Array(published.envelope.id.utf8) : published.envelope.raw)
    try out.flush()
  }

  private func publisher(_ redis: RedisConnection, _ keys: Keys) -> Publisher {
    let publisher = Publisher(connection: redis, keys: keys, contracts: ServiceTypes.contracts)
    if let replicas { publisher.replicas = (replicas, Int(replicasTimeout?.milliseconds ?? 1000)) }
    if let maxlen { publisher.writer.cap = .maxLength(maxlen) }
    if let maxAge { publisher.writer.cap = .maxAge(maxAge.milliseconds) }
    return publisher
  }

  /// Runs `body`, and with `--retry` again while Redis is unavailable, until the deadline.
  private func withRetry(_ body: () throws(BusError) -> Void) throws(BusError) {
    try retryingWhileUnavailable(for: retry?.seconds ?? 0, notice: { Terminal.note("\($0.message); retrying for up to \(retry!)") }, body)
  }

  private func publishLines(limit: Int) throws {
    var redis: RedisConnection?
    try withRetry { () throws(BusError) in redis = try connection.connect() }
    let publisher = publisher(redis!, try connection.keys())
    var importer = NDJSONImport(decoder: NDJSONDecoder(maxSize: limit), skipInvalid: skipInvalid, retryFor: retry?.seconds)
    var lookups: RedisConnection?
    try withRetry { () throws(BusError) in lookups = try connection.connect() }
    importer.schemas = try connection.schemaRegistry(lookups!)
    importer.notice = { Terminal.note($0) }
    let meter = Terminal.isTerminal(2) && !quiet ? ProgressLine() : nil
    importer.progress = meter.map { meter in
      { p in meter.show("\(p.lines) lines (\(meter.rate(p.lines))/s), \(p.published) sent, \(p.failed) failed") }
    }
    defer { meter?.end() }
    let summary = try importer.run(LineReader(fd: 0, maxLineLength: limit), into: publisher) { line, reason in
      Terminal.error("line \(line): \(reason)")
    }
    if let failure = summary.failure {
      // Always say how far it got, so the import can be resumed without guessing.
      Terminal.error(failure.message)
      var text = "published \(summary.published) event\(summary.published == 1 ? "" : "s")"
      text += "; resume from line \(summary.resumeLine) (tail -n +\(summary.resumeLine))"
      // Publishing an event again is harmless when it keeps its id (readers and done markers
      // know it); a draft without an id gets a new one each time it is read.
      let idsMade = summary.unconfirmed > 0 && summary.lastLineWithMadeID >= summary.resumeLine
      let again =
        idsMade
        ? "lines from there without an \"id\" get new ids when read again, so resuming would publish any that Redis kept a second time, as new events: add ids to the input to make resuming safe"
        : "publishing them again is safe: ids are kept"
      if failure.kind == .notReplicated {
        text +=
          "; \(summary.unconfirmed) event\(summary.unconfirmed == 1 ? " is" : "s are") on the master but not confirmed by enough replicas (\(again))"
      } else if summary.unconfirmed > 0 {
        text +=
          "; \(summary.unconfirmed) event\(summary.unconfirmed == 1 ? " was" : "s were") sent without a reply and may be in Redis already (use --retry to have them checked\(idsMade ? "; " + again : ""))"
      }
      Terminal.note(text)
      throw CommandExit(code: EvtExit.code(for: failure.kind))
    }
    if !quiet {
      var text = "published \(summary.published) event\(summary.published == 1 ? "" : "s")"
      if summary.stopped, let bad = summary.invalid.last {
        text += "; stopped at line \(bad.line), nothing after it was sent"
      } else if !summary.invalid.isEmpty {
        text += "; skipped \(summary.invalid.count) invalid line\(summary.invalid.count == 1 ? "" : "s")"
      }
      Terminal.note(text)
    }
    if !summary.invalid.isEmpty { throw CommandExit(code: EvtExit.badData) }
  }
}
