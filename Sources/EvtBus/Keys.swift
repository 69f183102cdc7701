/// The Redis key layout of one namespace (see the README's "Data in Redis").
///
/// The layout is unambiguous: a key's first `:` ends the namespace (namespaces have none),
/// the next part says what the key is (`stream`, `types`, `dlq`, …), and what follows has no
/// `:` either (types and group names cannot hold one) — except the last part of a done
/// marker, the event id. So no key of one namespace, type or group can be read as a key of
/// another.
///
/// For Redis Cluster, choose a namespace that is a hash tag, like `{evt}`: every key of the
/// namespace then lives in one slot, so the multi-key transactions stay valid.
public struct Keys: Sendable, Equatable {
  public let namespace: String

  /// - Throws: ``BusError`` `.invalidArgument` when the namespace is empty or has characters outside
  ///   letters, digits and `_ - . { }` (no `:`, which separates the parts of a key).
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
    self.namespace = namespace
  }

  /// `NS:stream:<type>`: the events of one type, field `event` = the envelope.
  public func stream(_ type: String) -> String { "\(namespace):stream:\(type)" }
  /// `NS:types`: every type ever published.
  public var types: String { "\(namespace):types" }
  /// `NS:dlq:<group>`: the dead-lettered deliveries of one group.
  public func deadLetters(_ group: String) -> String { "\(namespace):dlq:\(group)" }
  /// `NS:replay:<group>`: events replayed from the dead letters for that group only.
  public func replay(_ group: String) -> String { "\(namespace):replay:\(group)" }

  /// `NS:done:<group>:<type>:<event id>`: the idempotency marker of an event completed by a
  /// group. Ids are unique per type only, so the type is part of the marker.
  public func done(_ group: String, _ type: String, _ eventID: String) -> String { "\(namespace):done:\(group):\(type):\(eventID)" }

  /// The type of a stream key of this namespace, or `nil`.
  public func type(ofStream key: String) -> String? {
    let prefix = "\(namespace):stream:"
    return key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : nil
  }

}
