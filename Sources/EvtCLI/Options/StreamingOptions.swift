import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// `--line-buffered`, for the commands that stream events (`tail`, `subscribe`).
struct StreamingOptions: ParsableArguments {
  @Flag(help: "Write each event as soon as it is printed instead of a batch at a time (the default on a terminal).")
  var lineBuffered = false

  /// Whether output is written line by line: asked for, or standard output is a terminal.
  var writesEachLine: Bool { lineBuffered || Terminal.isTerminal(1) }
}

/// An environment variable's value; `nil` when unset or empty.
/// - Throws: a usage error when the value is not valid UTF-8.
func environment(_ name: String) throws(BusError) -> String? {
  guard let p = getenv(name) else { return nil }
  let length = strlen(p)
  guard length > 0 else { return nil }
  let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: length)
  guard let s = String(validating: bytes, as: UTF8.self) else { throw BusError(.invalidArgument, "\(name) is not valid UTF-8") }
  return s
}
