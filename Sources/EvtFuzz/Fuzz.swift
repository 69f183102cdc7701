import EvtCodec

#if canImport(Glibc)
  import Glibc
#endif

/// libFuzzer's entry point: every input goes through the JSON validator (minify and the
/// member index), the envelope decoder and the NDJSON line decoder, and what they accept must
/// read back the same way. Crashes, traps and sanitizer reports are what the fuzzer looks for;
/// refusals are fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  // The tree parser and the minifier (different paths for names and depth) agree on what
  // is JSON, and so does the member index for objects.
  let parsed = try? JSON.parse(bytes)
  precondition((parsed != nil) == ((try? JSON.minify(bytes)) != nil), "parse and minify disagree")
  if case .object = parsed {
    precondition((try? JSON.objectView(bytes)) != nil, "objectView refuses an object parse accepts")
  }
  if let minified = try? JSON.minify(bytes) {
    precondition((try? JSON.minify(minified)) == minified, "minify is not idempotent")
    precondition((try? JSON.parse(minified)) == (try? JSON.parse(bytes)), "minify changed the value")
  }
  _ = try? JSON.objectView(bytes, maxDepth: JSON.envelopeMaxDepth)
  let envelope = try? Envelope.decode(bytes)
  let asEnvelope = try? JSON.parse(bytes, maxDepth: JSON.envelopeMaxDepth)
  let reference = referenceEnvelope(asEnvelope)
  precondition((envelope != nil) == (reference != nil), "the in-place envelope decoder and the tree disagree")
  if let envelope, let reference {
    precondition(
      envelope.id == reference.id && envelope.type == reference.type && envelope.version == reference.version
        && envelope.timestamp == reference.timestamp && envelope.data == reference.data
        && envelope.headers.map(\.key) == reference.headers.map(\.key)
        && envelope.headers.map(\.value) == reference.headers.map(\.value),
      "the in-place envelope decoder reads other members than the tree")
    precondition((try? JSON.parse(envelope.line, maxDepth: JSON.envelopeMaxDepth)) == asEnvelope, "the envelope's line is another value")
    precondition(!envelope.line.contains(0x0A), "the envelope's line has a line break")
  }
  if let envelope {
    // The contract check done in the decoding pass agrees with the one over the tree.
    let checked = try? Envelope.decode(bytes, checking: fuzzContracts)
    let inPlace = checked?.violation
    let overTree =
      envelope.schemaVersion == nil
      ? fuzzContracts[envelope.type].flatMap { $0.violation(of: envelope.data) }.map { "\(envelope.type): \($0)" } : nil
    precondition(checked != nil && inPlace == overTree, "the in-place contract check disagrees with the tree")
    if let schema = fuzzContracts[envelope.type], let verdict = schema.inPlaceVerdict(envelope.data.serialized) {
      precondition(verdict == schema.accepts(envelope.data), "the in-place schema verdict disagrees with the tree")
    }
    precondition(envelope.raw == bytes, "decode changed the bytes")
    precondition((try? Envelope.decode(envelope.raw)) == envelope, "decode is not stable")
    _ = envelope.data
    _ = try? envelope.addingHeader("replayedAt", "2026-11-29T00:00:00.000Z")
  }
  if let line = try? NDJSONDecoder().envelope(fromLine: bytes) {
    precondition((try? Envelope.decode(line.raw)) != nil, "an accepted NDJSON line must decode as an envelope")
  }
  return 0
}

/// Contracts with every kind of constraint, for the types the corpus uses most.
let fuzzContracts = EventContracts(
  ["a.b", "user.created", "order.placed"].map { type in
    (
      type,
      #"""
      {"type":"object","properties":{"userId":{"type":"string","maxLength":8,"pattern":\#(JSON.quoted(EventContracts.printablePattern))},
       "email":{"type":"string","format":"email"},"kind":{"enum":["x","y"]},"n":{"type":["integer","null"]},
       "total":{"type":["number","string"]},"items":{"type":"array","items":{"type":["string","number"]}},
       "flag":{"type":["boolean","object"]}},"additionalProperties":{"not":{"const":17}}}
      """#
    )
  })

/// What an envelope is, said with the tree parser: the members the in-place decoder must find.
func referenceEnvelope(_ value: JSONValue?) -> (
  id: String, type: String, version: String, timestamp: String, data: JSONValue, headers: [(key: String, value: String)]
)? {
  guard case .object(let members)? = value,
    members.allSatisfy({ ["id", "type", "version", "timestamp", "data", "headers"].contains($0.key) }),
    let id = value?["id"]?.stringValue, (try? EventID.validate(id)) != nil,
    let type = value?["type"]?.stringValue, EventType.isValid(type),
    let version = value?["version"]?.stringValue,
    version.hasPrefix("1.")
      || ((1...9).contains(version.utf8.count) && !version.hasPrefix("0") && version.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }),
    let timestamp = value?["timestamp"]?.stringValue, EventTime(iso: timestamp) != nil,
    let data = value?["data"]
  else { return nil }
  var headers: [(key: String, value: String)] = []
  switch value?["headers"] {
  case nil, .null?: break
  case .object(let items)?:
    for h in items {
      guard let text = h.value.stringValue, !h.key.isEmpty, h.key.utf8.count <= 128,
        h.key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "=") })
      else { return nil }
      headers.append((h.key, text))
    }
  default: return nil
  }
  return (id, type, version, timestamp, data, headers)
}

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
  ) -> Int32

  /// SwiftPM links an executable's entry point as `<module>_main`: hand over to libFuzzer.
  @_cdecl("evt_fuzz_main")
  func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzz(data, size) }
  }
#else
  /// Without libFuzzer (an ordinary build): runs every file named on the command line (or in
  /// a directory named there) through the same checks once — the committed corpus as a
  /// regression test.
  @main
  struct ReplayCorpus {
    static func main() {
      if CommandLine.arguments.dropFirst().first == "--schema-pairs" {
        schemaPairs(CommandLine.arguments.dropFirst(2).first)
        return
      }
      var count = 0
      for path in CommandLine.arguments.dropFirst() {
        for file in files(path) {
          guard let bytes = read(file) else {
            print("evt-fuzz: cannot read \(file)")
            exit(1)
          }
          _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
          count += 1
        }
      }
      print("evt-fuzz: \(count) inputs, no crash")
    }

    /// `--schema-pairs FILE`: each line `{"schema":…,"instance":…}`; prints `valid`, `invalid`
    /// or `refused: <why>` per line (the differential test's other side: scripts/schema-differential).
    static func schemaPairs(_ path: String?) {
      guard let path, let bytes = read(path) else {
        print("evt-fuzz: --schema-pairs needs a readable file")
        exit(2)
      }
      var out = ""
      for line in bytes.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        guard let pair = try? JSON.parse(Array(line)), let schema = pair["schema"], let instance = pair["instance"] else {
          out += "unreadable\n"
          continue
        }
        do {
          // The path events take (in place, the tree only when that cannot tell), held to the
          // tree validator: a disagreement between the two is printed as one.
          let compiled = try JSONSchema.compile(schema)
          let tree = compiled.accepts(instance)
          let text = instance.serialized
          let combined = text.withUnsafeBufferPointer { compiled.violation(ofJSON: $0, 0..<$0.count) == nil }
          let inPlace = compiled.inPlaceVerdict(text)
          if combined != tree || (inPlace != nil && inPlace != tree) {
            out += "in place and tree disagree (tree: \(tree ? "valid" : "invalid"))\n"
          } else {
            out += tree ? "valid\n" : "invalid\n"
          }
        } catch {
          out += "refused: \(error.message)\n"
        }
      }
      print(out, terminator: "")
    }

    static func files(_ path: String) -> [String] {
      guard let dir = opendir(path) else { return [path] }
      defer { closedir(dir) }
      var out: [String] = []
      while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if !name.hasPrefix(".") { out.append("\(path)/\(name)") }
      }
      return out.sorted()
    }

    static func read(_ path: String) -> [UInt8]? {
      guard let f = fopen(path, "rb") else { return nil }
      defer { fclose(f) }
      var out: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        out += buffer[0..<n]
      }
      return out
    }
  }
#endif
