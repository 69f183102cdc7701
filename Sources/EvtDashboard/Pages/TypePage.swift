import EvtBus

/// `/type?type=T`: the latest events (newest first, a page at a time; search by event id,
/// correlation id or a time range), each envelope indented; a live tail; the schema.
enum TypePage {
  static func render(
    type: String, _ query: Queries.EventQuery, page: Queries.EventPage, schema: (version: Int?, source: [UInt8])?,
    _ snapshot: Snapshot, _ context: PageContext
  ) -> Markup {
    let stats = snapshot.type(type)
    let facts: Markup =
      stats.map { t in
        let groups = t.groups.map { g -> Markup in
          "<a href=\"\(Markup.url(["group"], [("type", type), ("group", g.name)]))\">\(g.name)</a>"
        }
        return """
          <p>Length <strong data-figure="length">\(t.length)</strong>; first event \(Figures.time(t.first)), last \
          \(Figures.time(t.last)). Groups: \(groups.isEmpty ? "none" : Markup(groups.joinedWith(", "))).</p>
          """
      } ?? "<p>This type has no stream (yet).</p>"
    let schemaPart: Markup
    if let schema {
      let text = (try? JSON.parse(schema.source))?.pretty ?? schema.source
      let title = schema.version.map { "Schema, version \($0)" } ?? "Built-in contract (not registered yet)"
      schemaPart = "<details class=\"schema\"><summary>\(title)</summary><pre>\(Markup.text(text))</pre></details>"
    } else {
      schemaPart = "<p>No schema is registered: the type is free-form.</p>"
    }
    var rows: [Markup] = []
    for e in page.entries { rows.append(event(e)) }
    let list: Markup =
      rows.isEmpty ? "<p>No events match.</p>" : "<ol class=\"events\" id=\"events\">\(rows)</ol>"
    let stopped: Markup =
      page.searchStopped ? "<p class=\"muted\">The search examined \(Queries.searchLimit) events; go on with the next page.</p>" : .empty
    let older: Markup =
      page.older.map { id -> Markup in
        let url = Markup.url(
          ["type"],
          [
            ("type", type), ("before", id.description), ("id", query.eventID), ("correlation", query.correlationID),
            ("from", query.from?.iso), ("to", query.to?.iso),
          ])
        return "<p><a href=\"\(url)\" rel=\"next\">Older events</a></p>"
      } ?? .empty
    let live = Markup.url(["live"], [("type", type)])
    return Layout.page(
      type, context,
      """
      \(Layout.pollProblem(snapshot))
      \(facts)
      \(schemaPart)
      <section aria-labelledby="live-title">
      <h2 id="live-title">Live</h2>
      <p id="live-status" role="status">Live updates need scripts; reload the page to see new events.</p>
      <ol class="events" id="live" data-source="\(live)"></ol>
      </section>
      <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      <form class="search" method="get" action="/type">
      <input type="hidden" name="type" value="\(type)">
      <label for="q-id">Event id</label> <input id="q-id" name="id" value="\(query.eventID ?? "")" size="38">
      <label for="q-correlation">Correlation id</label> <input id="q-correlation" name="correlation" value="\(query.correlationID ?? "")" size="38">
      <label for="q-from">From (UTC)</label> <input id="q-from" name="from" type="datetime-local" step="1" value="\(local(query.from))">
      <label for="q-to">To (UTC)</label> <input id="q-to" name="to" type="datetime-local" step="1" value="\(local(query.to))">
      <button type="submit">Search</button> <a href="\(Markup.url(["type"], [("type", type)]))">Clear</a>
      </form>
      \(list)
      \(stopped)
      \(older)
      </section>
      """)
  }

  /// One event: its time, event id and stream id, and the envelope indented (every byte
  /// escaped as HTML text).
  static func event(_ e: StreamEntry) -> Markup {
    guard let raw = e.event, let envelope = try? Envelope.decode(raw) else {
      let fields = (e.fields ?? []).map { f -> Markup in "<dt>\(f.name)</dt><dd>\(Markup.text(f.value))</dd>" }
      return """
        <li data-stream-id="\(e.id.description)"><details><summary><time>\(e.id.time.iso)</time> \
        (not an envelope) <span class="muted">\(e.id.description)</span></summary><dl>\(fields)</dl></details></li>
        """
    }
    let text = (try? JSON.parse(envelope.raw, maxDepth: JSON.envelopeMaxDepth))?.pretty ?? envelope.raw
    return """
      <li data-stream-id="\(e.id.description)" data-event-id="\(envelope.id)"><details><summary><time>\(e.id.time.iso)</time> \
      <code>\(envelope.id)</code> <span class="muted">\(e.id.description)</span></summary>\
      <pre>\(Markup.text(text))</pre></details></li>
      """
  }

  /// A time as a `datetime-local` value (UTC, seconds).
  static func local(_ time: EventTime?) -> String {
    guard let iso = time?.iso else { return "" }
    return String(iso.prefix(19))
  }
}

extension Array where Element == Markup {
  func joinedWith(_ separator: Markup) -> [Markup] {
    var out: [Markup] = []
    for (i, m) in enumerated() {
      if i > 0 { out.append(separator) }
      out.append(m)
    }
    return out
  }
}
