import ArgumentParser
import CBuildInfo
import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

struct Version: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "version",
    _superCommandName: "evt",
    abstract: "Print evt's version; with --json, what a bug report needs.",
    discussion: """
      --json adds the commit and time of the build (when it was built by scripts/demo, scripts/package or bench/), the Swift compiler, the system, and which libraries this machine can open: libhiredis is linked; libssl (rediss:// URLs) and libcurl (run-email-worker --smtp) are opened only when needed.

      Examples:
        evt version
        evt version --json | jq .libraries
      """
  )

  @Flag(help: "Print one JSON object.")
  var json = false

  func run() throws {
    let out = OutputBuffer()
    guard json else {
      try out.line(Array(Evt.version.utf8))
      return try out.flush()
    }
    func text(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
    var system = utsname()
    uname(&system)
    func field<T>(_ value: inout T) -> String {
      withUnsafeBytes(of: &value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    let libraries = ["libhiredis.so.0.14", "libssl.so.3", "libcurl.so.4"].map { name -> JSONValue.Member in
      .init(name, .bool(Self.canOpen(name)))
    }
    let info = JSONValue.object([
      .init("version", .string(Evt.version)), .init("commit", text(String(cString: evt_build_commit()))),
      .init("buildDate", text(String(cString: evt_build_date()))), .init("swift", .string(Self.compiler)),
      .init("system", .string("\(field(&system.sysname)) \(field(&system.release)) \(field(&system.machine))")),
      .init("libraries", .object(libraries)),
    ])
    try out.line(info.serialized)
    try out.flush()
  }

  /// Whether `dlopen` finds the library here (it is closed again).
  static func canOpen(_ name: String) -> Bool {
    guard let handle = dlopen(name, RTLD_LAZY | RTLD_LOCAL) else { return false }
    dlclose(handle)
    return true
  }

  /// The compiler evt was built with.
  static var compiler: String {
    #if compiler(>=6.4)
      return "6.4 or later"
    #elseif compiler(>=6.3.1)
      return "6.3.1"
    #elseif compiler(>=6.3)
      return "6.3"
    #else
      return "before 6.3"
    #endif
  }
}
