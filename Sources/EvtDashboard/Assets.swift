/// The dashboard's only stylesheet and script, served from the binary (no CDN, no build
/// step). The script adds the live tail, self-refreshing pages and "select all"; every page
/// works without it but for live updates.
enum Assets {
  static let css = """
    :root { color-scheme: light dark; --red: #c62828; --amber: #b26a00; --green: #2e7d32; --muted: #666; }
    body { font: 14px/1.45 system-ui, sans-serif; margin: 0; }
    header { display: flex; gap: 1.5em; align-items: center; padding: .6em 1em; border-bottom: 1px solid #8884; }
    header nav a { margin-right: 1em; font-weight: 600; }
    .namespace { margin-left: auto; }
    main { padding: 0 1em 2em; }
    .skip { position: absolute; left: -10000px; }
    .skip:focus { left: 1em; top: .5em; background: Canvas; padding: .3em; }
    table { border-collapse: collapse; margin: 1em 0; }
    caption { text-align: left; font-weight: 600; padding: .3em 0; }
    th, td { padding: .25em .6em; border-bottom: 1px solid #8883; text-align: right; vertical-align: top; }
    th[scope=row], td:first-child, thead th:first-child { text-align: left; }
    .state { display: inline-block; padding: 0 .5em; border-radius: .8em; color: #fff; font-weight: 600; }
    .state.green { background: var(--green); } .state.amber { background: var(--amber); } .state.red { background: var(--red); }
    .reasons { margin: .2em 0 0; padding-left: 1.2em; text-align: left; font-size: 12px; }
    .chart .bar { fill: #1565c0; } .chart .bar.capped { fill: var(--amber); }
    .chart .axis { stroke: #8886; } .chart .series { fill: none; stroke: #1565c0; stroke-width: 2; }
    pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #8881; padding: .6em; max-height: 30em; overflow: auto; }
    .events, .letters { padding-left: 1.2em; }
    .letter { margin: .6em 0; }
    .error { margin: .2em 0; color: var(--red); overflow-wrap: anywhere; }
    .problem { color: var(--red); font-weight: 600; }
    .notice { color: var(--green); font-weight: 600; }
    .muted { color: var(--muted); }
    .search label { margin-left: .6em; }
    .actions { margin: 1em 0; }
    button.danger { background: var(--red); color: #fff; border: 0; padding: .3em .8em; }
    form.inline { display: inline; }
    :focus-visible { outline: 3px solid #1565c0; outline-offset: 2px; }
    """

  static let icon = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1565c0"/>\
    <path d="M3 11h2V7H3zm4 0h2V4H7zm4 0h2V8h-2z" fill="#fff"/></svg>
    """

  static let js = """
    "use strict";
    (function () {
      // The live tail of the type page: one EventSource; every field is set as text.
      var list = document.getElementById("live");
      var status = document.getElementById("live-status");
      if (list && window.EventSource) {
        var source = new EventSource(list.getAttribute("data-source"));
        status.textContent = "Live: connecting…";
        source.onopen = function () { status.textContent = "Live: new events appear here."; };
        source.onerror = function () { status.textContent = "Live: reconnecting…"; };
        source.addEventListener("problem", function (e) { status.textContent = String(JSON.parse(e.data)); });
        source.addEventListener("skipped", function () {
          status.textContent = "Live: events come faster than shown here; these are the newest.";
        });
        source.addEventListener("event", function (e) {
          var ev = JSON.parse(e.data);
          var li = document.createElement("li");
          li.setAttribute("data-stream-id", String(ev.streamId));
          var details = document.createElement("details");
          var summary = document.createElement("summary");
          var time = document.createElement("time");
          time.textContent = String(ev.time);
          var code = document.createElement("code");
          code.textContent = String(ev.eventId || "");
          summary.append(time, " ", code, " ", String(ev.streamId));
          var pre = document.createElement("pre");
          pre.textContent = String(ev.envelope);
          details.append(summary, pre);
          li.append(details);
          list.prepend(li);
          while (list.children.length > 100) { list.lastElementChild.remove(); }
        });
      }
      // Pages with figures reload themselves, unless someone is using them.
      var every = Number(document.body.getAttribute("data-refresh"));
      if (every > 0) {
        setInterval(function () {
          var active = document.activeElement;
          var busy = active && active !== document.body && active.id !== "main";
          var open = document.querySelector("details[open]");
          if (!busy && !open) { location.reload(); }
        }, every * 1000);
      }
    })();
    """
}
