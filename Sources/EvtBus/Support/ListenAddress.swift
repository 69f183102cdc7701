/// The address of a listener option (`--metrics-addr`, `evt dashboard --listen`): `HOST:PORT`,
/// `[V6]:PORT` for IPv6, `:PORT` for loopback (127.0.0.1); port 0 for any free port.
package enum ListenAddress {
  /// The host (brackets removed) and port of `text`.
  /// - Throws: `.invalidArgument` naming `option`, with `port` in the example.
  package static func parse(_ text: String, option: String, port example: Int) throws(BusError) -> (host: String, port: Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
      throw BusError(
        .invalidArgument, "\(option) \(JSON.quoted(text)) is not HOST:PORT, like 127.0.0.1:\(example) or [::1]:\(example)")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host.isEmpty { host = "127.0.0.1" }
    return (host, port)
  }
}
