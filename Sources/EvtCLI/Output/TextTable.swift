import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Rows of cells as aligned lines: every column but a row's last padded to the column's width,
/// two spaces between columns (`pending`, `stats`). Rows may have fewer cells than others.
enum TextTable {
  static func lines(_ rows: [[String]]) -> [String] {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max()! }
    return rows.map { row in
      row.enumerated().map { $0 == row.count - 1 ? $1 : $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: "  ")
    }
  }
}
