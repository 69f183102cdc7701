/// A JSON value with object members in their original order and numbers kept as written, so
/// re-serializing never changes a number's text (`1.0` stays `1.0`, big integers stay exact).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number's text exactly as it appeared (already validated against the JSON grammar).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([Member])

  public struct Member: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  /// The value of the first member named `key`, when this is an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// A short name of the value's kind, for error messages ("a string", "an object", …).
  public var kindDescription: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// Compact JSON text (no insignificant white space).
  public var serialized: [UInt8] {
    var out: [UInt8] = []
    write(to: &out)
    return out
  }

  public func write(to out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .number(let n): out.append(contentsOf: n.utf8)
    case .string(let s): JSON.writeString(s, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        item.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (i, m) in members.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(m.key, to: &out)
        out.append(UInt8(ascii: ":"))
        m.value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }
}

extension JSONValue {
  /// JSON text indented by two spaces a level, members in their order, numbers as written
  /// (for people: the dashboard's event view).
  public var pretty: [UInt8] {
    var out: [UInt8] = []
    writePretty(to: &out, indent: 0)
    return out
  }

  private func writePretty(to out: inout [UInt8], indent: Int) {
    func newline(_ level: Int) {
      out.append(UInt8(ascii: "\n"))
      out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
    }
    switch self {
    case .array(let items) where !items.isEmpty:
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        newline(indent + 1)
        item.writePretty(to: &out, indent: indent + 1)
      }
      newline(indent)
      out.append(UInt8(ascii: "]"))
    case .object(let members) where !members.isEmpty:
      out.append(UInt8(ascii: "{"))
      for (i, m) in members.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        newline(indent + 1)
        JSON.writeString(m.key, to: &out)
        out.append(contentsOf: ": ".utf8)
        m.value.writePretty(to: &out, indent: indent + 1)
      }
      newline(indent)
      out.append(UInt8(ascii: "}"))
    default:
      write(to: &out)
    }
  }
}

/// A validated JSON object whose top-level member values are kept as minified text, parsed
/// only when asked for (cheap for large `data` that is passed through unchanged).
public struct JSONObjectView: Sendable {
  public struct Member: Sendable {
    public let key: String
    let range: Range<Int>
    /// How deep the value nests: 0 for a scalar, 1 for `[]` or `{}`, …
    let depth: Int
  }

  /// The whole object without insignificant white space.
  public let minified: [UInt8]
  public let members: [Member]

  /// The minified text of the first member named `key`.
  public func raw(_ key: String) -> ArraySlice<UInt8>? {
    members.first { $0.key == key }.map { minified[$0.range] }
  }

  /// How deep the value of the first member named `key` nests (0 for a scalar).
  public func depth(_ key: String) -> Int? {
    members.first { $0.key == key }?.depth
  }

  /// The parsed value of the first member named `key`.
  public func value(_ key: String) -> JSONValue? {
    raw(key).flatMap { try? JSON.parse(Array($0), maxDepth: JSON.envelopeMaxDepth) }
  }
}
