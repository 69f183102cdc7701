import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// `--tls-ca-file`, `--tls-cert-file`, `--tls-key-file`, `--tls-server-name`, `--tls-insecure`
/// (or the same as `EVT_TLS_*` variables), for `rediss://` URLs.
struct TLSArguments: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "PEM file of the CAs that sign the server's certificate (env: EVT_TLS_CA_FILE; default: the system's).", valueName: "path"))
  var tlsCAFile: String?

  @Option(help: ArgumentHelp("PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).", valueName: "path"))
  var tlsCertFile: String?

  @Option(help: ArgumentHelp("PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).", valueName: "path"))
  var tlsKeyFile: String?

  @Option(
    help: ArgumentHelp("Name the server's certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL's host).", valueName: "name"))
  var tlsServerName: String?

  @Flag(help: "Do not verify the server's certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).")
  var tlsInsecure = false

  /// The first TLS option given on the command line, for the error when the URL is not rediss://.
  var givenFlag: String? {
    if tlsCAFile != nil { return "--tls-ca-file" }
    if tlsCertFile != nil { return "--tls-cert-file" }
    if tlsKeyFile != nil { return "--tls-key-file" }
    if tlsServerName != nil { return "--tls-server-name" }
    return tlsInsecure ? "--tls-insecure" : nil
  }

  /// The options from the command line, else the environment, else `context` (its client
  /// certificate and key only with `credentials`: for its own URL); each file must be readable.
  func options(context: Context? = nil, credentials: Bool = false) throws(BusError) -> TLSOptions {
    func file(_ value: String?, _ flag: String, _ variable: String, _ key: String) throws(BusError) -> String? {
      var given = value
      if given == nil { given = try environment(variable) }
      if given == nil, key == "tls_ca_file" || credentials { given = context?[key] }
      guard let path = given else { return nil }
      guard access(path, R_OK) == 0 else {
        throw BusError(.invalidArgument, "cannot read \(flag) \(Printable.escaped(path)): \(String(cString: strerror(errno)))")
      }
      return path
    }
    var options = TLSOptions(
      caFile: try file(tlsCAFile, "--tls-ca-file", "EVT_TLS_CA_FILE", "tls_ca_file"),
      certFile: try file(tlsCertFile, "--tls-cert-file", "EVT_TLS_CERT_FILE", "tls_cert_file"),
      keyFile: try file(tlsKeyFile, "--tls-key-file", "EVT_TLS_KEY_FILE", "tls_key_file"))
    if (options.certFile == nil) != (options.keyFile == nil) {
      throw BusError(.invalidArgument, "--tls-cert-file and --tls-key-file go together (a client certificate and its key)")
    }
    var serverName = tlsServerName
    if serverName == nil { serverName = try environment("EVT_TLS_SERVER_NAME") }
    if serverName == nil { serverName = context?["tls_server_name"] }
    if let name = serverName {
      guard !name.isEmpty, name.utf8.count <= 253, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:".contains($0)) })
      else {
        throw BusError(.invalidArgument, "--tls-server-name \(Printable.escaped(name)) is not a host name")
      }
      options.serverName = name
    }
    if tlsInsecure {
      options.insecure = true
    } else if let value = try environment("EVT_TLS_INSECURE") {
      switch value.lowercased() {
      case "1", "true", "yes": options.insecure = true
      case "0", "false", "no": options.insecure = false
      default: throw BusError(.invalidArgument, "EVT_TLS_INSECURE=\(Printable.escaped(value)) is not 1 or 0")
      }
    } else if let insecure = context?.tlsInsecure {
      options.insecure = insecure
    }
    if options.insecure {
      Self.warnInsecure()
    }
    return options
  }

  /// Said once per process, on standard error, whenever verification is off.
  private static let warned = Locked(false)
  private static func warnInsecure() {
    guard
      warned.withLock({ w in
        defer { w = true }; return !w
      })
    else { return }
    Warnings.say("--tls-insecure: the server's certificate is not verified; anyone in between can read and change the traffic")
  }
}
