import CHiredis

/// One reply of the server (RESP2), converted from hiredis's `redisReply` once and owned by
/// Swift: the C object is freed as soon as it has been converted.
public enum RedisReply: Sendable, Equatable {
  case null
  case status(String)
  case error(String)
  case integer(Int)
  /// A bulk string: binary-safe bytes.
  case bulk([UInt8])
  case array([RedisReply])

  /// Converts a hiredis reply tree. Does not free it.
  init(_ reply: UnsafePointer<redisReply>) {
    let r = reply.pointee
    switch r.type {
    case REDIS_REPLY_STRING:
      self = .bulk(Self.bytes(r.str, r.len))
    case REDIS_REPLY_STATUS:
      self = .status(String(decoding: Self.bytes(r.str, r.len), as: UTF8.self))
    case REDIS_REPLY_ERROR:
      self = .error(String(decoding: Self.bytes(r.str, r.len), as: UTF8.self))
    case REDIS_REPLY_INTEGER:
      self = .integer(Int(r.integer))
    case REDIS_REPLY_ARRAY:
      var items: [RedisReply] = []
      items.reserveCapacity(r.elements)
      for i in 0..<r.elements {
        if let child = r.element[i] { items.append(RedisReply(child)) } else { items.append(.null) }
      }
      self = .array(items)
    default:
      self = .null
    }
  }

  private static func bytes(_ str: UnsafeMutablePointer<CChar>?, _ len: Int) -> [UInt8] {
    guard let str, len > 0 else { return [] }
    return str.withMemoryRebound(to: UInt8.self, capacity: len) {
      Array(UnsafeBufferPointer(start: $0, count: len))
    }
  }

  // MARK: - Typed accessors

  /// Bulk or status text as a String (lossy for non-UTF-8 bytes); `nil` for other replies.
  public var string: String? {
    switch self {
    case .bulk(let b): return String(decoding: b, as: UTF8.self)
    case .status(let s): return s
    default: return nil
    }
  }

  public var bytes: [UInt8]? {
    if case .bulk(let b) = self { return b }
    return nil
  }

  public var int: Int? {
    switch self {
    case .integer(let i): return i
    case .bulk: return string.flatMap { Int($0) }
    default: return nil
    }
  }

  /// Elements of an array reply; `nil` for a null reply or anything else.
  public var array: [RedisReply]? {
    if case .array(let a) = self { return a }
    return nil
  }

  public var isNull: Bool { self == .null }

  /// The error text when this is an error reply.
  public var errorMessage: String? {
    if case .error(let e) = self { return e }
    return nil
  }
}

extension RedisReply {
  /// Decodes raw RESP2 bytes with hiredis's own reader: the same conversion a live
  /// connection uses. Returns the replies found; throws on a protocol error.
  public static func decode(_ resp: [UInt8]) throws(RedisError) -> [RedisReply] {
    guard let reader = redisReaderCreate() else { throw RedisError(.protocolError, "out of memory") }
    defer { redisReaderFree(reader) }
    let fed = resp.withUnsafeBufferPointer { buf in
      buf.withMemoryRebound(to: CChar.self) { redisReaderFeed(reader, $0.baseAddress, buf.count) }
    }
    guard fed == REDIS_OK else { throw RedisError(.protocolError, "cannot feed reply reader") }
    var replies: [RedisReply] = []
    while true {
      var raw: UnsafeMutableRawPointer?
      guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
        let text = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        throw RedisError(.protocolError, "malformed reply: \(text)")
      }
      guard let raw else { return replies }
      replies.append(RedisReply(raw.assumingMemoryBound(to: redisReply.self)))
      freeReplyObject(raw)
    }
  }
}

extension RawReply {
  /// Parses the first reply in raw RESP2 bytes with hiredis's own reader (as a live connection
  /// does) and lends it to `body` in place: for decoders tested without a server.
  /// - Throws: `.protocolError` when the bytes hold no complete reply.
  package static func lending<R, E: Error>(_ resp: [UInt8], to body: (RawReply) throws(E) -> R) throws(RedisError) -> Result<R, E> {
    guard let reader = redisReaderCreate() else { throw RedisError(.protocolError, "out of memory") }
    defer { redisReaderFree(reader) }
    let fed = resp.withUnsafeBufferPointer { buf in
      buf.withMemoryRebound(to: CChar.self) { redisReaderFeed(reader, $0.baseAddress, buf.count) }
    }
    var raw: UnsafeMutableRawPointer?
    guard fed == REDIS_OK, redisReaderGetReply(reader, &raw) == REDIS_OK, let raw else {
      throw RedisError(.protocolError, "no complete reply in \(resp.count) bytes")
    }
    return lend(raw, to: body)
  }
}

/// A reply as hiredis parsed it, read in place: no copy of its strings, no Swift array per
/// element. Valid only inside the closure it is lent to (``RedisConnection/withReply(_:_:)``);
/// take what must outlive it as values (``bytes``, ``reply``).
package struct RawReply {
  let pointer: UnsafePointer<redisReply>

  /// Lends the reply object `raw` (from hiredis's reader) to `body`, then frees it.
  static func lend<R, E: Error>(_ raw: UnsafeMutableRawPointer, to body: (RawReply) throws(E) -> R) -> Result<R, E> {
    defer { freeReplyObject(raw) }
    do throws(E) { return .success(try body(RawReply(pointer: raw.assumingMemoryBound(to: redisReply.self)))) } catch {
      return .failure(error)
    }
  }

  package enum Kind { case null, status, error, integer, string, array }

  package var kind: Kind {
    switch pointer.pointee.type {
    case REDIS_REPLY_STRING: return .string
    case REDIS_REPLY_STATUS: return .status
    case REDIS_REPLY_ERROR: return .error
    case REDIS_REPLY_INTEGER: return .integer
    case REDIS_REPLY_ARRAY: return .array
    default: return .null
    }
  }

  package var isNull: Bool { kind == .null }
  package var isString: Bool { kind == .string }

  /// The bytes of a string, status or error reply (empty for others).
  package var bytes: UnsafeBufferPointer<UInt8> {
    let r = pointer.pointee
    guard let str = r.str, r.len > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: UnsafeRawPointer(str).assumingMemoryBound(to: UInt8.self), count: r.len)
  }

  /// The number of elements of an array reply (0 for others).
  package var count: Int { kind == .array ? pointer.pointee.elements : 0 }

  /// Element `i` of an array reply (a null element for a missing one).
  package subscript(i: Int) -> RawReply? {
    guard kind == .array, i >= 0, i < pointer.pointee.elements, let child = pointer.pointee.element[i] else { return nil }
    return RawReply(pointer: UnsafePointer(child))
  }

  package var integer: Int? { kind == .integer ? Int(pointer.pointee.integer) : nil }

  /// The error text when this is an error reply.
  package var errorMessage: String? { kind == .error ? String(decoding: bytes, as: UTF8.self) : nil }

  /// The reply converted to an owned ``RedisReply`` (copies everything).
  package var reply: RedisReply { RedisReply(pointer) }
}
