/// The Redis key layout of one namespace (see the README's "Data in Redis").
///
/// Every key of an event type carries the type as its Redis Cluster hash tag, `NS:{<type>}:…`:
/// a type's stream, its groups' dead letters and replay streams, and the done and published
/// markers of its events share one slot, so what must change together can in one
/// transaction or script, while different types spread over the masters. The type registry
/// `NS:types` and the user store (`NS:{users}:…`) have slots of their own. A single Redis uses
/// the same layout.
///
/// The layout is unambiguous: the namespace has no `:`, a type no `:`, `{` or `}`, a group no
/// `:`, so no key of one namespace, type or group can be read as a key of another.
public struct Keys: Sendable, Equatable {
  public let namespace: String

  /// - Throws: ``BusError`` `.invalidArgument` when the namespace is empty or has characters outside
  ///   letters, digits and `_ - . { }` (no `:`, which separates the parts of a key), or when
  ///   its first `{` is followed at once by `}`: Redis Cluster would then hash each whole key
  ///   (an empty hash tag), and a type's keys would no longer share a slot.
  public init(namespace: String) throws(BusError) {
    let ok =
      !namespace.isEmpty && namespace.utf8.count <= 64
      && namespace.utf8.allSatisfy { b in
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
          || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || "_-.{}".utf8.contains(b)
      }
    guard ok else {
      throw BusError(
        .invalidArgument,
        "invalid namespace \(JSON.quoted(namespace)): use 1 to 64 letters, digits, '_', '-', '.' or '{}' (':' separates the parts of evt's keys)"
      )
    }
    let bytes = Array(namespace.utf8)
    if let open = bytes.firstIndex(of: UInt8(ascii: "{")), open + 1 < bytes.count, bytes[open + 1] == UInt8(ascii: "}") {
      throw BusError(
        .invalidArgument,
        "invalid namespace \(JSON.quoted(namespace)): '{}' is an empty Redis Cluster hash tag (a type's keys would not share a slot)"
      )
    }
    self.namespace = namespace
  }

  /// `NS:{<type>}:stream`: the events of one type, field `event` = the envelope.
  public func stream(_ type: String) -> String { "\(namespace):{\(type)}:stream" }
  /// `NS:types`: every type ever published.
  public var types: String { "\(namespace):types" }
  /// `NS:{<type>}:dlq:<group>`: the dead-lettered deliveries of one group from one type.
  public func deadLetters(_ group: String, _ type: String) -> String { "\(namespace):{\(type)}:dlq:\(group)" }
  /// `NS:{<type>}:replay:<group>`: events of one type replayed from the dead letters for
  /// that group only.
  public func replay(_ group: String, _ type: String) -> String { "\(namespace):{\(type)}:replay:\(group)" }
  /// `NS:{<type>}:done:<group>:<event id>`: the idempotency marker of an event completed by a
  /// group (ids are unique per type only, so the type is part of the key).
  public func done(_ group: String, _ type: String, _ eventID: String) -> String { "\(namespace):{\(type)}:done:\(group):\(eventID)" }
  /// `NS:{<type>}:schemas`: the registered JSON Schemas of one type (see ``SchemaRegistry``).
  public func schemas(_ type: String) -> String { "\(namespace):{\(type)}:schemas" }
  /// `NS:schema-types`: the types that have a registered schema.
  public var schemaTypes: String { "\(namespace):schema-types" }
  /// `NS:{<type>}:published:<event id>`: an event with an id derived from its cause was
  /// written (``EventWriter/once(_:)``): writing it again does nothing.
  public func published(_ type: String, _ eventID: String) -> String { "\(namespace):{\(type)}:published:\(eventID)" }
  /// `NS:{<type>}:stats:<group>:<minute>`: what the group's workers handled of the type in
  /// one minute (Unix time / 60), see ``ProcessingStats``.
  public func processingStats(_ group: String, _ type: String, minute: Int) -> String {
    "\(namespace):{\(type)}:stats:\(group):\(minute)"
  }

  /// The type whose hash tag a key of this namespace carries (`NS:{<type>}:…`), or `nil`:
  /// for keys found in Redis (by SCAN, or named in a stored field). Keys evt makes itself
  /// carry their type with them (``StreamKey``).
  public func type(ofKey key: String) -> String? {
    let prefix = "\(namespace):{"
    guard key.hasPrefix(prefix) else { return nil }
    let rest = key.utf8.dropFirst(prefix.utf8.count)
    guard let close = rest.firstIndex(of: UInt8(ascii: "}")) else { return nil }
    return String(decoding: rest[..<close], as: UTF8.self)
  }

  /// A key of this namespace taken apart: its type, what it is for that type (`stream`,
  /// `dlq`, `replay`, …) and what follows (the group), or `nil`: `NS:{t}:dlq:g` is
  /// `("t", "dlq", "g")`.
  public func parts(of key: String) -> (type: String, kind: String, rest: String)? {
    guard let type = type(ofKey: key) else { return nil }
    let after = key.utf8.dropFirst("\(namespace):{\(type)}:".utf8.count)
    let text = String(decoding: after, as: UTF8.self)
    guard let colon = text.firstIndex(of: ":") else { return (type, text, "") }
    return (type, String(text[..<colon]), String(text[text.index(after: colon)...]))
  }

  /// The keys of the layout before hash tags, for `evt migrate`.
  public struct Legacy: Sendable {
    public let namespace: String
    /// `NS:stream:<type>`.
    public func stream(_ type: String) -> String { "\(namespace):stream:\(type)" }
    /// `NS:dlq:<group>`: every type's dead letters of a group.
    public func deadLetters(_ group: String) -> String { "\(namespace):dlq:\(group)" }
    /// `NS:replay:<group>`.
    public func replay(_ group: String) -> String { "\(namespace):replay:\(group)" }
    /// `NS:done:` + `<group>:<type>:<event id>`.
    public var donePrefix: String { "\(namespace):done:" }
  }

  public var legacy: Legacy { Legacy(namespace: namespace) }
}
