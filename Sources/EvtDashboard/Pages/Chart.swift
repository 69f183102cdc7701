/// Small inline SVG charts (no script, no style attribute: the CSP allows neither inline).
enum Chart {
  /// Bars of `values`, oldest first, scaled to the largest; `capped` bars ("at least") are
  /// drawn in another class. `label` describes it for screen readers.
  static func bars(_ values: [(count: Int, capped: Bool)], label: String, width: Int = 180, height: Int = 32) -> Markup {
    let top = max(1, values.map(\.count).max() ?? 1)
    let step = Double(width) / Double(max(1, values.count))
    var rects: [Markup] = []
    for (i, v) in values.enumerated() where v.count > 0 {
      let h = max(1, Int((Double(v.count) / Double(top) * Double(height - 2)).rounded()))
      let x = Int((Double(i) * step).rounded())
      let w = max(1, Int(step.rounded(.down)) - 1)
      rects.append(
        "<rect class=\"\(v.capped ? "bar capped" : "bar")\" x=\"\(x)\" y=\"\(height - h)\" width=\"\(w)\" height=\"\(h)\"></rect>")
    }
    return """
      <svg class="chart" role="img" aria-label="\(label)" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">\
      <title>\(label)</title><line class="axis" x1="0" y1="\(height - 1)" x2="\(width)" y2="\(height - 1)"></line>\(rects)</svg>
      """
  }

  /// A line through `points` (time in milliseconds, value; `nil` values break it) over the
  /// time from `start` to `end`.
  static func line(_ points: [(Int64, Int?)], start: Int64, end: Int64, label: String, width: Int = 480, height: Int = 80) -> Markup {
    let top = max(1, points.compactMap(\.1).max() ?? 1)
    let span = Double(max(1, end - start))
    var path = ""
    var pen = false
    for (t, v) in points {
      guard let v else {
        pen = false
        continue
      }
      let x = Double(t - start) / span * Double(width)
      let y = Double(height - 2) - Double(v) / Double(top) * Double(height - 4)
      path += (pen ? " L" : " M") + "\(Int(x.rounded())) \(Int(y.rounded()))"
      pen = true
    }
    return """
      <svg class="chart" role="img" aria-label="\(label)" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">\
      <title>\(label)</title><line class="axis" x1="0" y1="\(height - 1)" x2="\(width)" y2="\(height - 1)"></line>\
      <path class="series" d="\(path)"></path></svg>
      """
  }
}
