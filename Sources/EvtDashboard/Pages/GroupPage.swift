import EvtBus

/// `/group?type=T&group=G`: the group's state, its consumers with their pending counts and
/// idle times, its oldest pending entries with delivery counts, and its lag over time.
enum GroupPage {
  static func render(
    type: String, group: String, detail: Queries.GroupDetail, _ snapshot: Snapshot, _ settings: DashboardSettings,
    _ context: PageContext
  ) -> Markup {
    let title = "\(group) on \(type)"
    guard detail.exists, let t = snapshot.type(type) else {
      return Layout.message(title, "There is no group \(group) on \(type).", context)
    }
    let g = t.groups.first { $0.name == group }
    let (state, reasons) = GroupState.of(group, on: t, settings)
    let dead = t.deadLetters.first { $0.group == group }?.size ?? 0
    let figures: Markup =
      g.map { g in
        """
        <p>State \(state.badge(reasons))</p>
        <p>Lag <strong data-figure="lag">\(g.lag.map(String.init) ?? "unknown")</strong>, pending <strong data-figure="pending">\
        \(g.pending)</strong>, oldest pending \(Figures.duration(g.oldestPendingIdleMilliseconds)), last delivered \
        \(g.lastDelivered?.description ?? "–"). Dead letters: \
        <a href="\(Markup.url(["dead-letters"], [("group", group), ("type", type)]))">\(dead)</a>.</p>
        """
      } ?? "<p>Not in the last poll yet.</p>"
    let consumers = detail.consumers.map { c -> Markup in
      "<tr><th scope=\"row\">\(c.name)</th><td>\(c.pending)</td><td>\(Figures.duration(c.idleMilliseconds))</td></tr>"
    }
    let pending = detail.pending.map { p -> Markup in
      """
      <tr><td><code>\(p.id.description)</code></td><td>\(p.consumer)</td><td>\(Figures.duration(p.idleMilliseconds))</td>\
      <td>\(p.deliveries)</td></tr>
      """
    }
    let samples = snapshot.lag[Snapshot.groupKey(type, group)] ?? []
    let start = samples.first?.milliseconds ?? snapshot.time.milliseconds
    let top = samples.compactMap(\.lag).max() ?? 0
    let chart = Chart.line(
      samples.map { ($0.milliseconds, $0.lag) }, start: start, end: max(start + 1, snapshot.time.milliseconds),
      label: "Lag of \(group) since \(EventTime(milliseconds: start).iso), at most \(top)")
    return Layout.page(
      title, context, refresh: true,
      """
      \(Layout.pollProblem(snapshot))
      \(figures)
      <h2>Lag over time</h2>
      \(chart)
      <p class="muted">Sampled every \(context.intervalSeconds) s since the dashboard started (an hour at most).</p>
      <table><caption>Consumers</caption>
      <thead><tr><th scope="col">Consumer</th><th scope="col">Pending</th><th scope="col">Idle</th></tr></thead>
      <tbody>\(consumers)</tbody></table>
      <table><caption>Oldest pending entries (at most \(Queries.pageSize))</caption>
      <thead><tr><th scope="col">Entry</th><th scope="col">Consumer</th><th scope="col">Idle</th><th scope="col">Deliveries</th></tr></thead>
      <tbody>\(pending)</tbody></table>
      """)
  }
}
