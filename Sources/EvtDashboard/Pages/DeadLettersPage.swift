import EvtBus

/// `/dead-letters`: the dead-letter queues (one per group and type), each with its newest
/// dead letters (event, error, attempts, time), filtered by group, type (name or glob) and
/// error text. With `--allow-actions` and the token: replay or purge one, the selected, or all
/// that match the filter, each through a confirmation page (``ConfirmPage``).
enum DeadLettersPage {
  /// The filter of the page and of "all matching".
  struct Filter: Sendable {
    var group: String?
    var type: String?
    var error: String?

    init(_ form: Form) {
      group = form["group"]
      type = form["type"]
      error = form["error"]
    }

    func matches(group g: String, type t: String) -> Bool {
      if let group, group != g { return false }
      if let type { return EventType.isPattern(type) ? EventType.matches(type, t) : type == t }
      return true
    }

    var query: [(String, String?)] { [("group", group), ("type", type), ("error", error)] }
  }

  /// The queues shown on one page, at most.
  static let maxQueues = 20
  /// Dead letters shown per queue (one queue: a page of ``Queries/pageSize``).
  static let perQueue = 10

  /// A dead letter as a form value: group, type and DLQ entry id, each percent-encoded.
  static func reference(_ d: DeadLetter) -> String {
    [Markup.component(d.group), Markup.component(d.type), d.dlqID.description].joined(separator: "/")
  }

  static func parseReference(_ text: String) -> (group: String, type: String, id: StreamID)? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, let id = StreamID(String(parts[2])) else { return nil }
    return (Form.decode(parts[0]), Form.decode(parts[1]), id)
  }

  static func render(
    _ filter: Filter, queues: [(stats: DeadLetterStats, type: String, page: Queries.DeadLetterPage)], done: String?,
    _ snapshot: Snapshot, _ context: PageContext
  ) -> Markup {
    let canAct = context.access.allowActions && context.loggedIn
    let notice: Markup = done.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? .empty
    var sections: [Markup] = []
    var n = 0
    for q in queues {
      var items: [Markup] = []
      for d in q.page.letters {
        n += 1
        items.append(letter(d, index: n, canAct: canAct))
      }
      let older: Markup =
        q.page.older.map { id -> Markup in
          let url = Markup.url(
            ["dead-letters"], [("group", q.stats.group), ("type", q.type), ("error", filter.error), ("before", id.description)])
          return "<p><a href=\"\(url)\">Older dead letters of \(q.stats.group) on \(q.type)</a></p>"
        } ?? .empty
      sections.append(
        """
        <section class="queue" data-group="\(q.stats.group)" data-type="\(q.type)">
        <h2>\(q.stats.group) on \(q.type): <span data-figure="size">\(q.stats.size)</span></h2>
        <p class="muted">Oldest \(Figures.time(q.stats.oldest)).</p>
        \(items.isEmpty ? "<p>None match.</p>" as Markup : "<ol class=\"letters\">\(items)</ol>")
        \(older)
        </section>
        """)
    }
    let body: Markup = sections.isEmpty ? "<p>No dead letters match.</p>" : Markup(sections)
    let actions: Markup
    if canAct && !sections.isEmpty {
      actions = """
        <fieldset class="actions"><legend>Act on dead letters</legend>
        <button type="submit" name="do" value="replay-selected">Replay selected</button>
        <button type="submit" name="do" value="purge-selected">Purge selected</button>
        <button type="submit" name="do" value="replay-matching">Replay all matching the filter</button>
        <button type="submit" name="do" value="purge-matching">Purge all matching the filter</button>
        </fieldset>
        """
    } else if !context.access.allowActions {
      actions = "<p class=\"muted\">Read-only: start the dashboard with --allow-actions to replay or purge.</p>"
    } else if !canAct {
      actions = "<p><a href=\"\(Markup.url(["login"], [("next", "/dead-letters")]))\">Log in</a> to replay or purge.</p>"
    } else {
      actions = .empty
    }
    let hidden: Markup = """
      <input type="hidden" name="csrf" value="\(context.csrf)">\
      \(filter.query.compactMap { item in item.1.map { v -> Markup in "<input type=\"hidden\" name=\"\(item.0)\" value=\"\(v)\">" } })
      """
    let content: Markup =
      canAct
      ? "<form method=\"post\" action=\"/dead-letters/confirm\">\(hidden)\(actions)\(body)</form>" : "\(actions)\(body)"
    return Layout.page(
      "Dead letters", context,
      """
      \(Layout.pollProblem(snapshot))
      \(notice)
      <form class="search" method="get" action="/dead-letters">
      <label for="f-group">Group</label> <input id="f-group" name="group" value="\(filter.group ?? "")">
      <label for="f-type">Type or glob</label> <input id="f-type" name="type" value="\(filter.type ?? "")">
      <label for="f-error">Error contains</label> <input id="f-error" name="error" value="\(filter.error ?? "")">
      <button type="submit">Filter</button> <a href="/dead-letters">Clear</a>
      </form>
      \(content)
      """)
  }

  static func letter(_ d: DeadLetter, index: Int, canAct: Bool) -> Markup {
    let envelope = d.event.flatMap { try? Envelope.decode($0) }
    let text: [UInt8] =
      envelope.map { (try? JSON.parse($0.raw, maxDepth: JSON.envelopeMaxDepth))?.pretty ?? $0.raw }
      ?? Array((d.fields["fields"] ?? "(not an envelope)").utf8)
    let time = d.fields["time"] ?? d.dlqID.time.iso
    let summary = "\(time) · \(d.type) · \(envelope?.id ?? "not an envelope") · attempts \(d.fields["attempts"] ?? "?")"
    let reference = reference(d)
    let control: Markup =
      canAct
      ? """
      <input type="checkbox" id="l-\(index)" name="letter" value="\(reference)"> <label for="l-\(index)">\(summary)</label>
      <button type="submit" name="one" value="\(reference)" aria-label="Replay dead letter \(d.dlqID.description)">Replay</button>
      """
      : "<span>\(summary)</span>"
    return """
      <li class="letter" data-dlq-id="\(d.dlqID.description)">\(control)
      <p class="error">Error: \(d.error)</p>
      <details><summary>Event</summary><pre>\(Markup.text(text))</pre></details></li>
      """
  }
}

/// The confirmation step of every replay and purge: what will be done, to how many, and a
/// second POST (with the CSRF token) to do it. Nothing changes until that one.
enum ConfirmPage {
  static func render(
    action: String, letters: [DeadLetter], form: Form, _ context: PageContext
  ) -> Markup {
    let verb = action.hasPrefix("purge") ? "Purge" : "Replay"
    let count = "\(letters.count) dead letter\(letters.count == 1 ? "" : "s")"
    let what =
      verb == "Purge"
      ? "Delete \(count) for good? They cannot be replayed afterwards."
      : "Send \(count) back to the group that failed \(letters.count == 1 ? "it" : "them")?"
    let shown = letters.prefix(20).map { d -> Markup in
      "<li>\(d.fields["time"] ?? d.dlqID.time.iso) · \(d.group) · \(d.type) · \(d.error)</li>"
    }
    let more: Markup = letters.count > 20 ? "<p>… and \(letters.count - 20) more.</p>" : .empty
    var hidden: [Markup] = ["<input type=\"hidden\" name=\"csrf\" value=\"\(context.csrf)\">"]
    for (name, value) in form.items where ["do", "one", "letter", "group", "type", "error"].contains(name) {
      hidden.append("<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">")
    }
    let back = Markup.url(["dead-letters"], DeadLettersPage.Filter(form).query)
    guard !letters.isEmpty else {
      return Layout.message("Nothing to \(verb.lowercased())", "No dead letters were selected or match.", context, link: (back, "Back"))
    }
    return Layout.page(
      "\(verb) \(count)?", context,
      """
      <p role="alert">\(what)</p>
      <ul>\(shown)</ul>\(more)
      <form method="post" action="/dead-letters/apply">\(hidden)
      <button type="submit" class="danger" id="confirm">\(verb) \(count)</button> <a href="\(back)">Cancel</a>
      </form>
      """)
  }
}

/// `/login`: the token, once, into an `HttpOnly`, `SameSite=Strict` cookie.
enum LoginPage {
  static func render(next: String, failed: Bool, _ context: PageContext) -> Markup {
    let problem: Markup = failed ? "<p class=\"problem\" role=\"alert\">That is not the dashboard's token.</p>" : .empty
    return Layout.page(
      "Log in", context,
      """
      \(problem)
      <form method="post" action="/login">
      <input type="hidden" name="csrf" value="\(context.csrf)">
      <input type="hidden" name="next" value="\(next)">
      <label for="token">Token</label> <input id="token" name="token" type="password" autocomplete="current-password" required>
      <button type="submit">Log in</button>
      </form>
      <p class="muted">The token is printed by evt dashboard when it starts, or is the one in its --token-file.</p>
      """)
  }
}
