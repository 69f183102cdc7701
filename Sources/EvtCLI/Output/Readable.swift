import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// One readable line per event: `2026-11-27T10:00:00.000Z  user.created  <id>  {data}  k=v`.
/// Everything taken from the event is escaped (see ``Printable``): no event can drive the
/// terminal or break the line.
enum Readable {
  static func line(_ entry: StreamEntry, color: Bool) -> String {
    func paint(_ code: String, _ text: String) -> String {
      let safe = Printable.escaped(text)
      return color ? "\u{1B}[\(code)m\(safe)\u{1B}[0m" : safe
    }
    guard let raw = entry.event, let envelope = try? Envelope.decode(raw) else {
      let text = entry.event.map { String(decoding: $0, as: UTF8.self) } ?? "(no event field)"
      return "\(paint("2", entry.id.time.iso))  \(paint("36", entry.type))  \(paint("31", "not an envelope:")) \(Printable.escaped(text))"
    }
    var out = "\(paint("2", envelope.timestamp))  \(paint("1;36", envelope.type))  \(paint("33", envelope.id))  "
    out += Printable.escaped(String(decoding: envelope.data.serialized, as: UTF8.self))
    for h in envelope.headers { out += "  \(paint("2", h.key + "=" + h.value))" }
    return out
  }
}
