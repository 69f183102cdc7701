/// A stream's key and the type whose events it holds, made together where the key is made
/// (``Keys/streamKey(_:)``, ``Keys/replayKey(_:_:)``) and carried as one value from there, so
/// nothing parses a type back out of a key. A class: every entry read from the stream shares
/// one reference. Equal and hashed by its key.
package final class StreamKey: Sendable, Hashable, CustomStringConvertible {
  package let key: String
  package let type: String

  package init(key: String, type: String) {
    self.key = key
    self.type = type
  }

  package static func == (a: StreamKey, b: StreamKey) -> Bool { a === b || a.key == b.key }
  package func hash(into hasher: inout Hasher) { hasher.combine(key) }
  package var description: String { key }
}

extension Keys {
  /// ``stream(_:)`` with its type.
  package func streamKey(_ type: String) -> StreamKey { StreamKey(key: stream(type), type: type) }
  /// ``replay(_:_:)`` with its type.
  package func replayKey(_ group: String, _ type: String) -> StreamKey { StreamKey(key: replay(group, type), type: type) }
}
