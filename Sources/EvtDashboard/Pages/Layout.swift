import EvtBus

/// What every page needs to know about the request it answers.
struct PageContext: Sendable {
  var access: Access
  /// The request carried the token.
  var loggedIn: Bool
  /// The CSRF token for forms on this page.
  var csrf: String
  var namespace: String
  var intervalSeconds: Int
}

/// The frame of every page: one stylesheet and one script, both served from the binary
/// (`/assets/…`), no inline script or style (the Content-Security-Policy forbids both), a
/// skip link, a labelled navigation and one `h1`.
enum Layout {
  static func page(_ title: String, _ context: PageContext, refresh: Bool = false, _ body: Markup) -> Markup {
    let session: Markup
    if context.loggedIn {
      session = """
        <form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="\(context.csrf)">\
        <button type="submit">Log out</button></form>
        """
    } else if context.access.allowActions || context.access.pagesNeedToken {
      session = #"<a href="/login">Log in</a>"#
    } else {
      session = #"<span class="muted">read-only</span>"#
    }
    // Reloading more often than every 5 s would get in the way of reading.
    let refreshAttribute: Markup = refresh ? " data-refresh=\"\(max(5, context.intervalSeconds))\"" : ""
    return """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(title) · evt dashboard</title>
      <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
      <link rel="stylesheet" href="/assets/dashboard.css">
      <script src="/assets/dashboard.js" defer></script>
      </head>
      <body\(refreshAttribute)>
      <a class="skip" href="#main">Skip to content</a>
      <header>
      <nav aria-label="Main"><a href="/">Overview</a> <a href="/dead-letters">Dead letters</a></nav>
      <span class="namespace">namespace <code>\(context.namespace)</code></span>
      \(session)
      </header>
      <main id="main" tabindex="-1">
      <h1>\(title)</h1>
      \(body)
      </main>
      </body>
      </html>

      """
  }

  /// A message page (errors, refusals), with a way back.
  static func message(_ title: String, _ text: String, _ context: PageContext, link: (String, String)? = ("/", "Back to the overview"))
    -> Markup
  {
    let back: Markup = link.map { (href, label) -> Markup in "<p><a href=\"\(href)\">\(label)</a></p>" } ?? .empty
    return page(title, context, "<p class=\"problem\" role=\"alert\">\(text)</p>\(back)")
  }

  /// The line under a page's title when the last poll failed.
  static func pollProblem(_ snapshot: Snapshot) -> Markup {
    guard let error = snapshot.error else { return .empty }
    let when = snapshot.time.milliseconds > 0 ? "; the figures are from \(snapshot.time.iso)" : ""
    return "<p class=\"problem\" role=\"alert\">Redis could not be read: \(error)\(when)</p>"
  }
}

/// How figures read on a page.
enum Figures {
  static func duration(_ ms: Int?) -> String {
    guard let ms else { return "–" }
    return DurationText.format(milliseconds: Int64(ms))
  }

  static func microseconds(_ us: Int64?) -> String {
    guard let us else { return "–" }
    if us < 1000 { return "\(us) µs" }
    if us < 1_000_000 { return tenths(Double(us) / 1000) + " ms" }
    return tenths(Double(us) / 1_000_000) + " s"
  }

  static func tenths(_ v: Double) -> String {
    let t = Int((v * 10).rounded())
    return "\(t / 10).\(t % 10)"
  }

  static func perMinute(_ count: Int) -> String { tenths(Double(count) / Double(Snapshot.windowMinutes)) }

  static func time(_ id: StreamID?) -> String { id.map { $0.time.iso } ?? "–" }
}
