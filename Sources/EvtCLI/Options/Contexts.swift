import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// A saved set of connection settings (`evt context save`), one TOML file per context in
/// `$XDG_CONFIG_HOME/evt/contexts/NAME.toml` (default `~/.config/evt/`), the folders `0700` and
/// the files `0600`. Every key is optional:
///
///     url = "rediss://redis.prod.internal:6380"
///     namespace = "shop"
///     connect_timeout = "5s"
///     command_timeout = "10s"
///     password_file = "/home/ada/.config/evt/prod.password"   # or password_env = "PROD_REDIS_PASSWORD"
///     tls_ca_file = "/etc/ssl/prod-ca.pem"
///     tls_cert_file = "/home/ada/prod.crt"
///     tls_key_file = "/home/ada/prod.key"
///     tls_server_name = "redis.prod.internal"
///     tls_insecure = false
///
/// A password is kept as a reference (a file, or the name of an environment variable); only
/// `save --store-password` writes it into the file (`password`). A command's flag beats its
/// environment variable, which beats the context, which beats the default.
struct Context: Sendable, Equatable {
  /// Every key a context file may hold, with its TOML type.
  static let keys: [(name: String, type: String)] = [
    ("url", "string"), ("namespace", "string"), ("connect_timeout", "string"), ("command_timeout", "string"),
    ("password_file", "string"), ("password_env", "string"), ("password", "string"), ("tls_ca_file", "string"),
    ("tls_cert_file", "string"), ("tls_key_file", "string"), ("tls_server_name", "string"), ("tls_insecure", "boolean"),
  ]

  var name: String
  var strings: [String: String] = [:]
  var tlsInsecure: Bool?

  subscript(_ key: String) -> String? { strings[key] }

  /// The file's text (keys in the order of ``keys``; strings escaped as TOML basic strings).
  var toml: String {
    var lines = ["# evt context \(name): connection settings (evt context show \(name); evt help context)"]
    for (key, type) in Self.keys {
      if type == "boolean" {
        if let b = tlsInsecure { lines.append("\(key) = \(b)") }
      } else if let v = strings[key] {
        lines.append("\(key) = \(Self.quoted(v))")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A TOML basic string: quotes, backslashes and control characters escaped.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          let hex = String(u.value, radix: 16, uppercase: true)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}

/// Where contexts live and how they are read and written.
enum ContextStore {
  /// The largest context file read.
  static let maxSize = 64 * 1024

  /// `$XDG_CONFIG_HOME/evt` (an absolute path), else `$HOME/.config/evt`.
  static func directory() throws(BusError) -> String {
    if let xdg = try environment("XDG_CONFIG_HOME"), xdg.hasPrefix("/") { return xdg + "/evt" }
    guard let home = try environment("HOME"), home.hasPrefix("/") else {
      throw BusError(.configuration, "contexts need HOME (or XDG_CONFIG_HOME) to be an absolute path")
    }
    return home + "/.config/evt"
  }

  /// Names: 1 to 64 of letters, digits, `.`, `_` and `-`, not starting with `.` (so never
  /// `..`, `/` or a hidden file).
  static func validate(_ name: String) throws(BusError) {
    guard !name.isEmpty, name.utf8.count <= 64, !name.hasPrefix("."),
      name.utf8.allSatisfy({ $0.isASCIIAlnum || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
    else {
      throw BusError(
        .invalidArgument,
        "invalid context name \(JSON.quoted(name)): use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'")
    }
  }

  static func path(_ name: String) throws(BusError) -> String { try directory() + "/contexts/" + name + ".toml" }

  /// The context `evt context use` selected, or `nil` (one open of a small file; nothing
  /// more when none is selected).
  static func selected() throws(BusError) -> String? {
    // Without a home (a service's environment) there is no selection.
    guard let dir = try? directory() else { return nil }
    let file = dir + "/context"
    guard let bytes = try read(file, missingIsNil: true) else { return nil }
    let name = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
    try validate(name)
    return name
  }

  /// The names of the saved contexts, sorted.
  static func names() throws(BusError) -> [String] {
    guard let dir = opendir(try directory() + "/contexts") else { return [] }
    defer { closedir(dir) }
    var out: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name.hasSuffix(".toml") else { continue }
      let base = String(name.dropLast(5))
      if (try? validate(base)) != nil { out.append(base) }
    }
    return out.sorted()
  }

  /// Reads and checks context `name`.
  /// - Throws: `.configuration` naming the file (and line and key) for anything wrong.
  static func load(_ name: String) throws(BusError) -> Context {
    try validate(name)
    let file = try path(name)
    guard let bytes = try read(file, missingIsNil: true) else {
      throw BusError(.configuration, "no context \(name) (\(Printable.escaped(file)) does not exist; evt context list)")
    }
    return try parse(bytes, name: name, file: file)
  }

  /// A context from the text of its file.
  static func parse(_ bytes: [UInt8], name: String, file: String) throws(BusError) -> Context {
    let shown = Printable.escaped(file)
    guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
      throw BusError(.configuration, "\(shown): not UTF-8 text")
    }
    let pairs: [ContextTOML.Pair]
    do { pairs = try ContextTOML.parse(text) } catch {
      throw BusError(.configuration, "\(shown):\(error.line): \(error.message)")
    }
    var context = Context(name: name)
    for pair in pairs {
      let key = pair.key
      func fail(_ why: String) -> BusError { BusError(.configuration, "\(shown):\(pair.line): \(Printable.escaped(key)): \(why)") }
      guard let expected = Context.keys.first(where: { $0.name == key })?.type else {
        throw fail("unknown key (known: \(Context.keys.map(\.name).joined(separator: ", ")))")
      }
      if expected == "boolean" {
        guard case .bool(let b) = pair.value else { throw fail("must be true or false") }
        context.tlsInsecure = b
        continue
      }
      guard case .string(let s) = pair.value else { throw fail("must be a string") }
      guard !s.isEmpty, s.utf8.count <= 4096, !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
        throw fail("must be 1 to 4096 characters without control characters")
      }
      context.strings[key] = s
    }
    func fail(_ key: String, _ why: String) -> BusError {
      BusError(.configuration, "\(shown):\(pairs.first { $0.key == key }?.line ?? 0): \(Printable.escaped(key)): \(why)")
    }
    try check(context, fail: fail)
    return context
  }

  /// What each value must be (before any of it is used).
  static func check(_ c: Context, fail: (String, String) -> BusError) throws(BusError) {
    if let url = c["url"] {
      do { _ = try RedisURL(parsing: url) } catch { throw fail("url", "not a Redis URL: " + error.message) }
    }
    if let ns = c["namespace"] {
      do { _ = try Keys(namespace: ns) } catch { throw fail("namespace", error.message) }
    }
    for key in ["connect_timeout", "command_timeout"] {
      if let v = c[key] {
        guard let ms = DurationText.milliseconds(v), DurationArgument.oneMillisecondToADay.contains(ms) else {
          throw fail(key, "not a duration between 1ms and 1d (like 5s or 500ms)")
        }
      }
    }
    for key in ["password_file", "tls_ca_file", "tls_cert_file", "tls_key_file"] {
      if let v = c[key], !v.hasPrefix("/") { throw fail(key, "must be an absolute path") }
    }
    if let v = c["password_env"] {
      guard v.utf8.count <= 128, v.utf8.first.map({ !$0.isASCIIDigit }) ?? false,
        v.utf8.allSatisfy({ $0.isASCIIAlnum || $0 == UInt8(ascii: "_") })
      else { throw fail("password_env", "not the name of an environment variable") }
    }
    if [c["password_file"], c["password_env"], c["password"]].compactMap({ $0 }).count > 1 {
      throw fail("password", "give one of password_file, password_env and password")
    }
    if (c["tls_cert_file"] == nil) != (c["tls_key_file"] == nil) {
      throw fail(c["tls_cert_file"] == nil ? "tls_key_file" : "tls_cert_file", "tls_cert_file and tls_key_file go together")
    }
  }

  /// Reads a file of ours: no symbolic link, a regular file of this user, readable by nobody
  /// else (like ssh), at most ``maxSize``. `nil` for a missing file when `missingIsNil`.
  static func read(_ file: String, missingIsNil: Bool) throws(BusError) -> [UInt8]? {
    let shown = Printable.escaped(file)
    let fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else {
      if errno == ENOENT && missingIsNil { return nil }
      if errno == ELOOP { throw BusError(.configuration, "\(shown) is a symbolic link; evt reads its context files only as themselves") }
      throw BusError(.configuration, "cannot read \(shown): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw BusError(.configuration, "\(shown) is not a file") }
    guard st.st_uid == geteuid() else { throw BusError(.configuration, "\(shown) belongs to another user") }
    guard st.st_mode & 0o077 == 0 else {
      throw BusError(
        .configuration, "\(shown) can be read or written by others; it may hold secrets: chmod 600 \(shown)")
    }
    guard st.st_size <= maxSize else { throw BusError(.configuration, "\(shown) is over \(maxSize / 1024) KiB") }
    do { return try Input.readAll(fd: fd, what: file, limit: maxSize) } catch { throw BusError(.configuration, error.message) }
  }

  /// Writes `text` to `file` through a `0600` file beside it, renamed into place; the folders
  /// are made `0700`.
  static func write(_ text: String, to file: String) throws(BusError) {
    // The folders of the file, each made 0700 when missing.
    var d = ""
    for part in file.split(separator: "/").dropLast() {
      d += "/" + part
      if mkdir(d, 0o700) != 0 && errno != EEXIST {
        throw BusError(.configuration, "cannot make \(Printable.escaped(d)): \(String(cString: strerror(errno)))")
      }
    }
    let temporary = file + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard fd >= 0 else {
      throw BusError(.configuration, "cannot write \(Printable.escaped(temporary)): \(String(cString: strerror(errno)))")
    }
    let bytes = Array(text.utf8)
    let ok = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count } && fsync(fd) == 0
    close(fd)
    guard ok, rename(temporary, file) == 0 else {
      unlink(temporary)
      throw BusError(.configuration, "cannot write \(Printable.escaped(file)): \(String(cString: strerror(errno)))")
    }
  }
}

extension UInt8 {
  fileprivate var isASCIIAlnum: Bool { isASCIIDigit || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "z")) }
  fileprivate var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}

extension Context {
  /// The password this context refers to (its file's first line, or its environment
  /// variable), or the one it stores; `nil` when it has none.
  func password() throws(BusError) -> String? {
    if let file = self["password_file"] {
      do { return try Input.secret(fromFile: file, what: "context \(name): password_file") } catch {
        throw BusError(.configuration, error.message)
      }
    }
    if let variable = self["password_env"] {
      guard let value = try environment(variable) else {
        throw BusError(.configuration, "context \(name) takes its password from \(variable), which is not set")
      }
      return value
    }
    return self["password"]
  }
}
