#if canImport(Glibc)
  import Glibc
#endif

/// Trace context carried from an event to the events its handler publishes: the correlation id
/// (the flow), the causation id (the event that caused this one) and a W3C `traceparent`.
///
/// A handler run by `subscribe --exec` gets ``environment(for:)``; an `evt publish` run inside
/// it reads that environment back (``inheritedHeaders(given:environment:)``), so a chain of
/// events is traceable without the handler doing anything.
public enum TraceContext {
  /// The W3C trace-context header (https://www.w3.org/TR/trace-context/), stored as an
  /// envelope header of this name.
  public static let header = "traceparent"

  /// The environment a handler of `envelope` gets: `EVT_CORRELATION_ID`, `EVT_CAUSATION_ID`
  /// (the event's own causation id, if any), `TRACEPARENT` (the event's, or one derived from its
  /// correlation id and id when it has none, so every event of a flow shares a trace id) and
  /// `EVT_HEADER_<NAME>` for every header (``variableName(_:)``; values with a NUL byte are
  /// left out). Headers whose variable names are the same (`x-y`, `x_y`: refused by
  /// `evt publish`, but another tool may write them) are all left out and named in `leftOut`,
  /// so no value silently stands in for another.
  public static func environment(for envelope: Envelope) -> (variables: [String], leftOut: [String]) {
    var out = ["EVT_CORRELATION_ID=\(clean(envelope.correlationID))"]
    if let causation = envelope.header("causationId") { out.append("EVT_CAUSATION_ID=\(clean(causation))") }
    out.append("TRACEPARENT=\(traceparent(of: envelope))")
    let headers = envelope.headers
    var shared: Set<String> = []
    if headers.count > 1 {
      var seen: Set<String> = []
      for h in headers where !seen.insert(variableName(h.key)).inserted { shared.insert(variableName(h.key)) }
    }
    var leftOut: [String] = []
    for (name, value) in headers where !value.utf8.contains(0) {
      let variable = variableName(name)
      if shared.contains(variable) {
        leftOut.append(name)
        continue
      }
      out.append("EVT_HEADER_\(variable)=\(value)")
    }
    return (out, leftOut)
  }

  /// What a correlation id may be, wherever it comes from (`--header correlationId=…`,
  /// `create-user --correlation-id`, an NDJSON line, `EVT_CORRELATION_ID` inherited by a
  /// nested `evt publish`): 1 to 256 printable ASCII characters (space included). `nil` when
  /// it is one; else what is wrong.
  public static func correlationIDProblem(_ text: String) -> String? {
    if text.isEmpty { return "it is empty" }
    if text.utf8.count > 256 { return "it is \(text.utf8.count) bytes, over 256" }
    if !text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
      return "use printable ASCII characters only (no control characters or newlines)"
    }
    return nil
  }

  /// Refuses headers a handler could not be told apart: two names with one
  /// ``variableName(_:)``, or a correlation id that breaks ``correlationIDProblem(_:)``.
  static func checkPublishable(_ headers: [(key: String, value: String)]) throws(EnvelopeError) {
    for h in headers where h.key == "correlationId" {
      if let problem = correlationIDProblem(h.value) { throw EnvelopeError("invalid correlationId \(JSON.quoted(h.value)): \(problem)") }
    }
    guard headers.count > 1 else { return }
    var seen: [String: String] = [:]
    for h in headers {
      let v = variableName(h.key)
      if let other = seen[v] {
        throw EnvelopeError(
          "headers \(JSON.quoted(other)) and \(JSON.quoted(h.key)) would both be EVT_HEADER_\(v) in a handler's environment: rename one")
      }
      seen[v] = h.key
    }
  }

  /// The event's `traceparent` when it is valid, else one derived from it: trace id from its
  /// correlation id, parent id from its id (both SHA-256, so every handler of the flow agrees).
  public static func traceparent(of envelope: Envelope) -> String {
    if let given = envelope.header(header), parse(given) != nil { return given }
    let trace = SHA256.hex(Array(envelope.correlationID.utf8)).prefix(32)
    let parent = SHA256.hex(Array(envelope.id.utf8)).prefix(16)
    return "00-\(trace)-\(parent)-01"
  }

  /// Headers an event published inside a handler inherits from the handler's environment
  /// (`EVT_ID`, `EVT_CORRELATION_ID`, `TRACEPARENT`), except those in `given`:
  /// `correlationId`, `causationId` (the handled event's id) and `traceparent` (same trace id,
  /// a new parent id, the same flags). A causation id or traceparent that is not well-formed is
  /// not carried (the trace starts anew from this event).
  /// - Throws: ``EnvelopeError`` when `EVT_CORRELATION_ID` is set but is not a correlation id
  ///   (``correlationIDProblem(_:)``): the flow would break silently; an explicit
  ///   `correlationId` header starts a new one.
  public static func inheritedHeaders(given: [(key: String, value: String)], environment: (String) -> String? = Self.variable)
    throws(EnvelopeError) -> [(key: String, value: String)]
  {
    var out: [(key: String, value: String)] = []
    let names = Set(given.map(\.key))
    func add(_ key: String, _ value: String?) {
      guard let value, !names.contains(key), isHeaderValue(value) else { return }
      out.append((key, value))
    }
    if !names.contains("correlationId"), let inherited = environment("EVT_CORRELATION_ID"),
      let problem = correlationIDProblem(inherited)
    {
      throw EnvelopeError(
        "EVT_CORRELATION_ID (the handled event's correlation id) cannot be carried on: \(problem); give --header correlationId=… to start a new flow"
      )
    }
    add("correlationId", environment("EVT_CORRELATION_ID"))
    add("causationId", environment("EVT_ID"))
    if let parent = environment("TRACEPARENT").flatMap(parse) {
      add(header, "00-\(parent.traceID)-\(newParentID())-\(parent.flags)")
    }
    return out
  }

  /// The parts of a version-00 `traceparent`, or `nil` when it is not one.
  public static func parse(_ text: String) -> (traceID: String, parentID: String, flags: String)? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
      parts.dropFirst().allSatisfy({ $0.utf8.allSatisfy(isLowerHex) }),
      parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16)
    else { return nil }
    return (parts[1], parts[2], parts[3])
  }

  public static func variable(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
  }

  /// A header's variable name after `EVT_HEADER_`: upper-cased, anything but letters and
  /// digits made `_`.
  public static func variableName(_ header: String) -> String {
    String(header.uppercased().unicodeScalars.map { ("A"..."Z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" })
  }

  private static func isHeaderValue(_ text: String) -> Bool {
    text.utf8.count <= 256 && text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
  }

  private static func clean(_ text: String) -> String { text.utf8.contains(0) ? "" : text }

  private static func isLowerHex(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x61...0x66).contains(b) }

  /// 16 random hex digits (from a random UUID, never all zero).
  private static func newParentID() -> String {
    while true {
      let digits = String(EventID.generate().filter { $0 != "-" }.prefix(16))
      if digits != String(repeating: "0", count: 16) { return digits }
    }
  }
}
