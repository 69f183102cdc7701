import ArgumentParser
import EvtBench
import EvtBus
import EvtProcess

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    _superCommandName: "evt",
    abstract: "Measure publish and consume rates and end-to-end latency against this Redis.",
    discussion: """
      Publishers and subscribers run on threads of their own, each with its own connection, in a private namespace (<namespace>-bench-<pid>-<n>) that is deleted afterwards, also when SIGINT, SIGTERM or SIGHUP stops the run (only SIGKILL, or a second signal during that clean-up, leaves it). Latency is measured from the envelope's timestamp (taken with microseconds just before the XADD) to the subscriber's handler holding the decoded event, in an HdrHistogram. On a terminal a progress line runs and the result is a table; otherwise (or with --json) it is one JSON object.

      Exit codes: 0 when every event arrived, 1 when some did not arrive within 10 seconds after the last publish, 130 when a signal stopped the run.

      Examples:
        evt bench --rate 2000 --count 20000 --group
        evt bench --publishers 2 --subscribers 4 --group --pipeline 64 --size 1k --json
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Option(parsing: .unconditional, help: ArgumentHelp("Publishing threads (1 to 64).", valueName: "n"))
  var publishers = 1

  @Option(parsing: .unconditional, help: ArgumentHelp("Subscribing threads (0 to 64).", valueName: "n"))
  var subscribers = 1

  @Flag(help: "Subscribers share one consumer group (each event to one of them); otherwise each follows the stream live.")
  var group = false

  @Option(parsing: .unconditional, help: ArgumentHelp("Bytes of data per event, like 128 or 1k (up to 1m).", valueName: "size"))
  var size = "128"

  @Option(parsing: .unconditional, help: ArgumentHelp("Events to publish in all (1 to 100000000).", valueName: "n"))
  var count = 10_000

  @Option(
    parsing: .unconditional, help: ArgumentHelp("Events per second over all publishers (default: as fast as they go).", valueName: "n"))
  var rate: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("XADDs each publisher keeps in flight (1 to 10000; 1: a round trip per event).", valueName: "n"))
  var pipeline = 1

  @Flag(help: "Print the result as one JSON object (the default when output is not a terminal).")
  var json = false

  func validate() throws {
    if !(1...64).contains(publishers) { throw ValidationError("--publishers must be between 1 and 64") }
    if !(0...64).contains(subscribers) { throw ValidationError("--subscribers must be between 0 and 64") }
    if !(1...100_000_000).contains(count) { throw ValidationError("--count must be between 1 and 100000000") }
    if let rate, !(1...10_000_000).contains(rate) { throw ValidationError("--rate must be between 1 and 10000000") }
    if !(1...10_000).contains(pipeline) { throw ValidationError("--pipeline must be between 1 and 10000") }
    guard let bytes = Input.size(size), bytes <= 1 << 20 else {
      throw ValidationError("--size '\(size)' is not a size from 1 byte to 1m, like 128, 1k or 64k")
    }
    _ = bytes
  }

  func run() throws {
    try connection.check()
    var config = BenchConfig()
    config.publishers = publishers
    config.subscribers = subscribers
    config.group = group
    config.size = Input.size(size)!
    config.count = count
    config.rate = rate.map(Double.init)
    config.pipeline = pipeline
    let bench = try EvtBench.Bench(config: config, namespace: try connection.keys().namespace, connect: try connection.connector())
    let meter = Terminal.isTerminal(2) ? ProgressLine() : nil
    // SIGINT, SIGTERM and SIGHUP stop the run and remove its namespace (a second one stops at
    // once, leaving it).
    Shutdown.install()
    let report = try bench.run(shouldStop: { Shutdown.isRequested }) { p in
      meter?.show("\(Int(p.seconds))s: \(p.published) published, \(p.received) received")
    }
    meter?.end()
    if report.interrupted {
      Terminal.note(
        "interrupted after \(report.published) published, \(report.received) received; the private namespace \(bench.keys.namespace) was removed"
      )
      throw CommandExit(code: EvtExit.interrupted)
    }
    let out = OutputBuffer()
    if json || !Terminal.isTerminal(1) {
      try out.line(report.json)
    } else {
      for line in report.table { try out.line(Array(line.utf8)) }
    }
    try out.flush()
    if report.received < report.expected {
      Terminal.error("\(report.expected - report.received) of \(report.expected) events did not arrive")
      throw CommandExit(code: 1)
    }
  }
}
