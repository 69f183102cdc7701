/// Why an event was refused. The message is one line, fit for `evt: error: …`.
public struct EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
