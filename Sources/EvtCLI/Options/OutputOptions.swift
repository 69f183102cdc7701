import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// `--json` / `--pretty`: JSON lines by default when standard output is not a terminal.
struct OutputOptions: ParsableArguments {
  @Flag(help: "Print JSON lines — events exactly as stored (the default when output is not a terminal).")
  var json = false

  @Flag(help: "Print readable lines, coloured on a terminal (the default on a terminal).")
  var pretty = false

  func validate() throws {
    if json && pretty { throw ValidationError("--json and --pretty cannot be used together") }
  }

  var format: EventFormat {
    if json { return .json }
    let color = Terminal.isTerminal(1) && (getenv("NO_COLOR").map { $0.pointee == 0 } ?? true)
    if pretty { return .readable(color: color) }
    return Terminal.isTerminal(1) ? .readable(color: color) : .json
  }
}
