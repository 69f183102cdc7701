import EvtBus
import Foundation
import Testing

@Suite("Envelopes, types, ids and times")
struct EnvelopeTests {
  @Test("a new envelope has id, type, version, timestamp, data and headers in that order")
  func create() throws {
    let e = try Envelope.create(
      type: "user.created", data: Array(#" {"userId" : "1"} "#.utf8), headers: [("correlationId", "c-1")], id: "id-1",
      timestamp: "2026-11-27T10:00:00.000Z")
    #expect(
      e.rawString
        == #"{"id":"id-1","type":"user.created","version":"1.0","timestamp":"2026-11-27T10:00:00.000Z","data":{"userId":"1"},"headers":{"correlationId":"c-1"}}"#
    )
    #expect(e.header("correlationId") == "c-1")
  }

  @Test("without headers the member is left out; ids default to UUIDs; timestamps to now")
  func defaults() throws {
    let e = try Envelope.create(type: "a.b", data: Array("42".utf8))
    #expect(!e.rawString.contains("headers"))
    #expect(e.id.count == 36 && e.id.split(separator: "-").count == 5)
    #expect(EventTime(iso: e.timestamp) != nil)
    let other = try Envelope.create(type: "a.b", data: Array("42".utf8))
    #expect(e.id != other.id)
  }

  @Test("decode keeps the bytes as given and reads the members")
  func decode() throws {
    let raw = #"{"id":"x","type":"order.placed","version":"1.0","timestamp":"2026-01-02T03:04:05.006Z","data":[1, 2],"headers":{"k":"v"}}"#
    let e = try Envelope.decode(Array(raw.utf8))
    #expect(e.rawString == raw)
    #expect(e.type == "order.placed" && e.id == "x" && e.headers.first?.value == "v")
    #expect(e.data == .array([.number("1"), .number("2")]))
  }

  @Test(
    "envelopes with missing or wrong members are refused",
    arguments: [
      #"{"type":"a","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":1}"#,
      #"{"id":"x","type":"A","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":1}"#,
      #"{"id":"x","type":"a","version":"2.0","timestamp":"2026-01-01T00:00:00Z","data":1}"#,
      #"{"id":"x","type":"a","version":"1.0","timestamp":"yesterday","data":1}"#,
      #"{"id":"x","type":"a","version":"1.0","timestamp":"2026-01-01T00:00:00Z"}"#,
      #"{"id":"x","type":"a","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":1,"headers":{"k":1}}"#,
      #"{"id":"x","type":"a","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":1,"extra":true}"#,
      #"{"id":"x","id":"y","type":"a","version":"1.0","timestamp":"2026-01-01T00:00:00Z","data":1}"#,
      #"[1]"#,
    ])
  func badEnvelopes(_ raw: String) {
    #expect(throws: EnvelopeError.self) { try Envelope.decode(Array(raw.utf8)) }
  }

  @Test("type names are lowercase dotted segments")
  func typeNames() {
    for good in ["user.created", "a", "order.placed.v2", "email_sent", "x-y.z9"] { #expect(EventType.isValid(good), "\(good)") }
    for bad in [
      "", "User.created", "user.", ".user", "user..created", "9user", "user created", "user.*", "ü", String(repeating: "a", count: 201),
    ] {
      #expect(!EventType.isValid(bad), "\(bad)")
    }
  }

  @Test("globs match type names")
  func globs() {
    #expect(EventType.matches("user.*", "user.created"))
    #expect(!EventType.matches("user.*", "order.placed"))
    #expect(EventType.matches("*", "anything.at.all"))
    #expect(EventType.matches("order.?laced", "order.placed"))
    #expect(EventType.matches("[eu]*", "email.sent") && !EventType.matches("[!eu]*", "email.sent"))
    #expect(EventType.matches("*.created", "user.created") && !EventType.matches("*.created", "user.deleted"))
  }

  @Test("the size limit counts the whole envelope")
  func sizeLimit() throws {
    let big = Array(("\"" + String(repeating: "x", count: 2000) + "\"").utf8)
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a", data: big, maxSize: 1000) }
    #expect(throws: Never.self) { try Envelope.create(type: "a", data: big, maxSize: 3000) }
  }

  @Test("ids and header names are checked")
  func idsAndHeaders() {
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a", data: Array("1".utf8), id: "has space") }
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a", data: Array("1".utf8), id: "") }
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a", data: Array("1".utf8), headers: [("", "v")]) }
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a", data: Array("1".utf8), headers: [("k", "1"), ("k", "2")]) }
  }

  @Test("ISO-8601 times round-trip with milliseconds, zones convert to UTC")
  func times() {
    let t = EventTime(milliseconds: 1_764_237_600_123)
    #expect(t.iso == "2025-11-27T10:00:00.123Z")
    #expect(EventTime(iso: t.iso) == t)
    #expect(EventTime(iso: "2025-11-27T11:00:00.123+01:00") == t)
    #expect(EventTime(iso: "2025-11-27")?.milliseconds == 1_764_201_600_000)
    #expect(EventTime(iso: "2025-11-27T10:00Z")?.milliseconds == 1_764_237_600_000)
    for bad in ["", "2025-13-01", "2025-11-27T25:00", "27/11/2025", "2025-11-27T10:00:00Zjunk"] {
      #expect(EventTime(iso: bad) == nil, "\(bad)")
    }
    // Dates are computed without gmtime_r: the same as the C library's over 400 years and
    // more, leap days and times before 1970 included; times past what four digits show clamp.
    var g = SystemRandomNumberGenerator()
    let edges: [Int64] = [0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -2_208_988_800_001, 253_402_300_799_999]
    for ms in edges + (0..<2000).map({ _ in Int64.random(in: -62_000_000_000_000...253_000_000_000_000, using: &g) }) {
      var seconds = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
      var t = tm()
      gmtime_r(&seconds, &t)
      let expected = String(
        format: "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
      #expect(EventTime(milliseconds: ms).iso.hasPrefix(expected), "\(ms)")
      #expect(EventTime(iso: EventTime(milliseconds: ms).iso)?.milliseconds == ms, "\(ms)")
    }
    #expect(EventTime(milliseconds: .max).iso == "9999-12-31T23:59:59.999Z")
    #expect(EventTime(milliseconds: .min).iso == "0000-01-01T00:00:00.000Z")
  }

  @Test("more than three fraction digits are read, not a crash (found by the fuzzer)")
  func longFractions() {
    #expect(EventTime(iso: "2025-11-27T10:00:00.1239Z")?.milliseconds == 1_764_237_600_123)
    #expect(EventTime(iso: "2026-11-27T10:00:00.0000+5A30") == nil)
    let raw = Array(#"{"id":"1","type":"a.b","version":"1.0","timestamp":"2026-11-27T10:00:00.123456Z","data":{}}"#.utf8)
    #expect((try? Envelope.decode(raw)) != nil)
  }

  @Test("impossible dates are refused: no February 31st, February 29th only in leap years")
  func impossibleDates() {
    for bad in ["2026-02-31", "2026-02-29", "2026-04-31", "1900-02-29"] { #expect(EventTime(iso: bad) == nil, "\(bad)") }
    for good in ["2028-02-29", "2000-02-29", "2026-01-31", "2026-12-31"] { #expect(EventTime(iso: good) != nil, "\(good)") }
  }

  @Test("data nested to the limit makes an envelope every reader decodes, also inside event.failed")
  func depthLimit() throws {
    let deep = Array((String(repeating: "[", count: JSON.maxDepth) + String(repeating: "]", count: JSON.maxDepth)).utf8)
    let e = try Envelope.create(type: "a.b", data: deep)
    #expect(try Envelope.decode(e.raw) == e)
    // The event.failed a dead letter publishes embeds the whole envelope in its data.
    let failed =
      Array(#"{"id":"f","type":"event.failed","version":"1.0","timestamp":"2026-11-27T10:00:00.000Z","data":{"event":"#.utf8)
      + e.raw + Array(#","error":"x","permanent":true,"attempts":1,"group":"g","stream":"s","entryId":"1-0"}}"#.utf8)
    #expect(try Envelope.decode(failed).data["event"]?["id"]?.stringValue == e.id)
    let tooDeep = Array("[".utf8) + deep + Array("]".utf8)
    #expect(throws: EnvelopeError.self) { try Envelope.create(type: "a.b", data: tooDeep) }
    // NDJSON drafts: the data's own depth counts, not the line's.
    #expect(try NDJSONDecoder().envelope(fromLine: Array(#"{"type":"a.b","data":"#.utf8) + deep + [0x7D]).type == "a.b")
    #expect(throws: EnvelopeError.self) {
      try NDJSONDecoder().envelope(fromLine: Array(#"{"type":"a.b","data":"#.utf8) + tooDeep + [0x7D])
    }
  }

  @Test("stream ids parse and order like Redis's")
  func streamIDs() {
    #expect(StreamID("1-2") == StreamID(milliseconds: 1, sequence: 2))
    #expect(StreamID("7") == StreamID(milliseconds: 7))
    #expect(StreamID("1-2")! < StreamID("1-10")!)
    #expect(StreamID("2-0")! > StreamID("1-99")!)
    for bad in ["", "a-1", "1-", "-1", "1-2-3"] { #expect(StreamID(bad) == nil, "\(bad)") }
  }

  @Test("NDJSON lines: full envelopes are kept byte for byte, drafts get an envelope")
  func ndjsonLines() throws {
    let decoder = NDJSONDecoder()
    let full = #"{"id":"k","type":"a.b","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"x" :1}}"#
    #expect(try decoder.envelope(fromLine: Array(full.utf8)).rawString == full)
    let draft = try decoder.envelope(fromLine: Array(#"{"type":"a.b","data":{"x":1},"headers":{"h":"v"}}"#.utf8))
    #expect(draft.type == "a.b" && draft.header("h") == "v")
    #expect(draft.rawString.contains(#""data":{"x":1}"#))
    for bad in [#"{"data":1}"#, #"{"type":"a"}"#, #"{"type":"A","data":1}"#, #"{"type":"a","data":1,"oops":2}"#, "[]", "nope"] {
      #expect(throws: EnvelopeError.self) { try decoder.envelope(fromLine: Array(bad.utf8)) }
    }
  }
}
