import ArgumentParser
import EvtBus

/// Parses `--since` values into the first stream id to include: an ISO-8601 time, a stream id,
/// or a duration ago in the one duration syntax (`90s`, `15m`, `1h30m`, `1d`).
enum SinceParser {
  static func parse(_ text: String) -> StreamID? {
    if text.first?.isNumber == true, text.allSatisfy({ ("0"..."9").contains($0) || $0 == "-" }), text.contains("-"),
      let id = StreamID(text)
    {
      return id
    }
    if let t = EventTime(iso: text), t.milliseconds >= 0 { return StreamID(milliseconds: UInt64(t.milliseconds)) }
    // A bare number is a stream id's time part (milliseconds since 1970), as before.
    if text.allSatisfy({ ("0"..."9").contains($0) }), let id = StreamID(text) { return id }
    if let ago = DurationText.milliseconds(text) {
      let now = EventTime.now().milliseconds
      guard ago <= now else { return nil }
      return StreamID(milliseconds: UInt64(now - ago))
    }
    return nil
  }

  /// Throws a usage error naming the problem when `text` is not a valid `--since`.
  static func validate(_ text: String?) throws {
    guard let text, parse(text) == nil else { return }
    if let ago = DurationText.milliseconds(text), ago > EventTime.now().milliseconds {
      throw ValidationError("--since \(text) reaches back before 1970")
    }
    throw ValidationError(
      "--since '\(Printable.escaped(text))' is not an ISO-8601 time (2026-11-27T10:00:00Z), a duration like 15m or 1h30m, or a stream id")
  }
}
