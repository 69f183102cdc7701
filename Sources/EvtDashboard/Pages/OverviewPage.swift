import EvtBus

/// A group's state at a glance: red when it breaks a `--check` threshold, amber when it
/// breaks a `--warn` one, green otherwise; with the thresholds broken.
enum GroupState: String, Sendable {
  case green, amber, red

  static func of(_ group: String, on type: TypeStats, _ settings: DashboardSettings) -> (GroupState, [String]) {
    let red = settings.check.broken(group: group, of: type)
    if !red.isEmpty { return (.red, red) }
    let amber = settings.warn.broken(group: group, of: type)
    return amber.isEmpty ? (.green, []) : (.amber, amber)
  }

  func badge(_ reasons: [String]) -> Markup {
    let why: Markup = reasons.isEmpty ? .empty : "<ul class=\"reasons\">\(reasons.map { r -> Markup in "<li>\(r)</li>" })</ul>"
    return "<span class=\"state \(rawValue)\" data-state=\"\(rawValue)\">\(rawValue)</span>\(why)"
  }
}

/// `/`: every type (length, publish rate over the last hour, last event) and every group
/// (state, lag, pending, oldest pending, consumers, what its workers handled, processing
/// times, dead letters), from the last poll.
enum OverviewPage {
  static func render(_ snapshot: Snapshot, _ settings: DashboardSettings, _ context: PageContext) -> Markup {
    let minute = Int(snapshot.time.milliseconds / 60_000)
    var typeRows: [Markup] = []
    var groupRows: [Markup] = []
    for t in snapshot.types {
      let series = snapshot.rates[t.type]?.series(endingAt: minute) ?? []
      let peak = series.map(\.count).max() ?? 0
      let chart = Chart.bars(series, label: "\(t.type): events per minute over the last hour, at most \(peak)")
      let typeURL = Markup.url(["type"], [("type", t.type)])
      typeRows.append(
        """
        <tr data-type="\(t.type)"><th scope="row"><a href="\(typeURL)">\(t.type)</a></th>\
        <td data-figure="length">\(t.length)</td><td>\(chart)</td><td data-figure="last-minute">\(t.lastMinute)</td>\
        <td>\(Figures.time(t.last))</td></tr>
        """)
      for g in t.groups {
        let (state, reasons) = GroupState.of(g.name, on: t, settings)
        let p = g.processing
        let dead = t.deadLetters.first { $0.group == g.name }?.size ?? 0
        let groupURL = Markup.url(["group"], [("type", t.type), ("group", g.name)])
        let deadURL = Markup.url(["dead-letters"], [("group", g.name), ("type", t.type)])
        let deadLink: Markup = dead > 0 ? "<a href=\"\(deadURL)\">\(dead)</a>" : "0"
        groupRows.append(
          """
          <tr data-group="\(g.name)" data-type="\(t.type)"><th scope="row"><a href="\(groupURL)">\(g.name)</a></th>\
          <td><a href="\(typeURL)">\(t.type)</a></td><td>\(state.badge(reasons))</td>\
          <td data-figure="lag">\(g.lag.map(String.init) ?? "unknown")</td><td data-figure="pending">\(g.pending)</td>\
          <td>\(Figures.duration(g.oldestPendingIdleMilliseconds))</td><td>\(g.consumers.count)</td>\
          <td data-figure="handled">\(Figures.perMinute(p.handled))</td><td>\(Figures.perMinute(p.failed))</td>\
          <td>\(Figures.perMinute(p.deadLettered))</td><td>\(Figures.microseconds(p.percentile(0.5)))</td>\
          <td>\(Figures.microseconds(p.percentile(0.95)))</td><td>\(Figures.microseconds(p.percentile(0.99)))</td>\
          <td data-figure="dead-letters">\(deadLink)</td></tr>
          """)
      }
    }
    let types: Markup =
      typeRows.isEmpty
      ? "<p>No event types yet.</p>"
      : """
      <table id="types"><caption>Event types</caption>
      <thead><tr><th scope="col">Type</th><th scope="col">Length</th><th scope="col">Events per minute, last hour</th>\
      <th scope="col">This minute</th><th scope="col">Last event</th></tr></thead>
      <tbody>\(typeRows)</tbody></table>
      """
    let groups: Markup =
      groupRows.isEmpty
      ? "<p>No consumer groups yet.</p>"
      : """
      <table id="groups"><caption>Consumer groups (per minute: average over the last \(Snapshot.windowMinutes) minutes)</caption>
      <thead><tr><th scope="col">Group</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Lag</th>\
      <th scope="col">Pending</th><th scope="col">Oldest pending</th><th scope="col">Consumers</th>\
      <th scope="col">Handled/min</th><th scope="col">Failed/min</th><th scope="col">Dead/min</th>\
      <th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">Dead letters</th></tr></thead>
      <tbody>\(groupRows)</tbody></table>
      """
    return Layout.page(
      "Overview", context, refresh: true,
      """
      \(Layout.pollProblem(snapshot))
      <p class="muted">As of <time>\(snapshot.time.iso)</time>; Redis is read every \(context.intervalSeconds) s. \
      Red: \(settings.check.text); amber: \(settings.warn.text).</p>
      \(types)
      \(groups)
      """)
  }
}
