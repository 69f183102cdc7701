import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// An email message, rendered as RFC 5322 text (UTF-8, 8bit, CRLF line ends).
public struct Mail: Sendable, Equatable {
  public var from: Address
  public var to: Address
  public var subject: String
  /// Plain text; lines end in `\n` here and are sent as CRLF.
  public var body: String
  /// Without angle brackets: `local@domain`.
  public var messageID: String
  public var date: String
  /// Extra headers (`X-Evt-Event-Id`, …).
  public var headers: [(name: String, value: String)]

  public static func == (a: Mail, b: Mail) -> Bool { a.rendered == b.rendered }

  public struct Address: Sendable, Equatable {
    public var name: String?
    public var email: String
    public init(_ email: String, name: String? = nil) {
      self.email = email
      self.name = name
    }

    /// Parses `Name <local@domain>` (the name optionally in double quotes) or a bare address;
    /// `nil` unless the address is valid (see ``UserValidation/email(_:)``).
    public init?(parsing text: String) {
      var name: String?
      var email = text
      if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
        email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        let n = UserValidation.trimmed(String(text[..<open])).replacing("\"", with: "")
        name = n.isEmpty ? nil : n
      }
      guard let valid = try? UserValidation.email(email) else { return nil }
      self.init(valid, name: name)
    }

    /// `Ada Lovelace <ada@example.com>`, the name quoted or encoded when it must be.
    var header: String {
      guard let name, !name.isEmpty else { return email }
      return "\(Mail.encodedPhrase(name)) <\(email)>"
    }
  }

  public init(
    from: Address, to: Address, subject: String, body: String, messageID: String, date: String = EventTime.now().rfc5322,
    headers: [(name: String, value: String)] = []
  ) {
    self.from = from
    self.to = to
    self.subject = subject
    self.body = body
    self.messageID = messageID
    self.date = date
    self.headers = headers
  }

  /// The message as sent and as stored in an `.eml` file.
  public var rendered: [UInt8] {
    var lines = [
      "Date: \(date)", "From: \(from.header)", "To: \(to.header)", "Subject: \(Mail.encodedText(subject))",
      "Message-ID: <\(messageID)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
    ]
    lines += headers.map { "\($0.name): \(Mail.encodedText($0.value))" }
    lines.append("")
    lines += body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
  }

  /// Header text: as is when it is printable ASCII, else an RFC 2047 encoded word.
  static func encodedText(_ s: String) -> String {
    if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
    return "=?UTF-8?B?\(base64(Array(s.utf8)))?="
  }

  /// A display name: plain when it is only letters, digits and spaces; quoted when it is other
  /// printable ASCII; an encoded word otherwise.
  static func encodedPhrase(_ s: String) -> String {
    let bytes = s.utf8
    guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return encodedText(s) }
    if bytes.allSatisfy({ b in b == 0x20 || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }) {
      return s
    }
    var out = "\""
    for c in s {
      if c == "\"" || c == "\\" { out.append("\\") }
      out.append(c)
    }
    return out + "\""
  }

  static func base64(_ bytes: [UInt8]) -> String {
    let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
      let n = min(3, bytes.count - i)
      let b0 = bytes[i]
      let b1 = n > 1 ? bytes[i + 1] : 0
      let b2 = n > 2 ? bytes[i + 2] : 0
      out.append(table[Int(b0 >> 2)])
      out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
      out.append(n > 1 ? table[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
      out.append(n > 2 ? table[Int(b2 & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}

/// Why a mail was not sent.
public struct MailError: Error, Sendable, Equatable {
  public var message: String
  /// The message itself was refused (an SMTP 5xx reply to it): sending it again cannot help.
  /// Otherwise the mailer is unreachable or failing, and a later try may succeed.
  public var permanent: Bool
  /// The failure belongs to this message only (a 4xx reply to its recipient or sender, like
  /// a full mailbox): the mailer itself works, so it counts against the message's attempts,
  /// not towards opening the circuit for every message.
  public var messageOnly: Bool

  public init(_ message: String, permanent: Bool = false, messageOnly: Bool = false) {
    self.message = message
    self.permanent = permanent
    self.messageOnly = messageOnly
  }
}

/// Sends mail. Implementations are safe to call from several threads at once.
public protocol Mailer: Sendable {
  /// Sends one message; returns once the message is accepted (by the SMTP server, or written
  /// and synced to disk). Sending the same `Message-ID` twice may deliver it twice.
  func send(_ mail: Mail) throws(MailError)
  /// Where mail goes, for logs (`outbox /var/mail/out`, `smtp://mail:25`).
  var destination: String { get }
}

/// Writes each message as `<Message-ID>.eml` into a directory: the message is written to a
/// temporary file, synced, and renamed into place, so the outbox never holds half a message.
/// Sending the same message again replaces its file.
public struct OutboxMailer: Mailer {
  public let directory: String

  /// - Throws: ``MailError`` when the directory does not exist and cannot be created.
  public init(directory: String) throws(MailError) {
    self.directory = directory
    if mkdir(directory, 0o755) != 0 && errno != EEXIST {
      throw MailError("cannot create the outbox \(directory): \(String(cString: strerror(errno)))")
    }
    var st = stat()
    guard stat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
      throw MailError("the outbox \(directory) is not a directory")
    }
  }

  public var destination: String { "outbox \(directory)" }

  /// The file name of a message: its Message-ID with every byte other than ASCII letters,
  /// digits and `-_.@+=` percent-encoded (so two Message-IDs never share a file), or — when
  /// that is too long for a file name — a prefix and the SHA-256 of the Message-ID.
  public static func fileName(_ messageID: String) -> String {
    var name = ""
    for b in messageID.utf8 {
      if EmailAddress.isAlnum(b) || "-_.@+=".utf8.contains(b) {
        name.unicodeScalars.append(Unicode.Scalar(b))
      } else {
        name += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    if name.utf8.count <= 200 { return name + ".eml" }
    return String(name.prefix(100)).replacing("%", with: "_") + "~" + SHA256.hex(Array(messageID.utf8)) + ".eml"
  }

  public func send(_ mail: Mail) throws(MailError) {
    let name = Self.fileName(mail.messageID)
    let final = "\(directory)/\(name)"
    let temporary = "\(directory)/.\(getpid()).\(SHA256.hex(Array(mail.messageID.utf8)).prefix(16)).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw MailError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
    let bytes = mail.rendered
    var written = 0
    var failure: Int32 = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
      if n < 0 {
        if errno == EINTR { continue }
        failure = errno
        break
      }
      written += n
    }
    if failure == 0 && fsync(fd) != 0 { failure = errno }
    close(fd)
    if failure == 0 && rename(temporary, final) != 0 { failure = errno }
    if failure != 0 {
      unlink(temporary)
      throw MailError("cannot write \(final): \(String(cString: strerror(failure)))")
    }
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}

extension Mail {
  /// The Message-ID of the mail an event calls for: `<event id>.<kind>@<domain>`, the event
  /// id's bytes outside RFC 5322's `atext` (and `%`) percent-encoded, so every id gives a
  /// valid Message-ID and two ids never give the same one.
  public static func messageID(eventID: String, kind: String, domain: String) -> String {
    var left = ""
    let atext = Set("!#$&'*+-/=?^_`{|}~".utf8)
    for b in eventID.utf8 {
      if EmailAddress.isAlnum(b) || atext.contains(b) || b == UInt8(ascii: ".") {
        left.unicodeScalars.append(Unicode.Scalar(b))
      } else {
        left += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    // Dots may only separate words in a dot-atom.
    left = left.split(separator: ".", omittingEmptySubsequences: false).map { $0.isEmpty ? "%2E" : String($0) }
      .joined(separator: ".")
    return "\(left).\(kind)@\(domain)"
  }
}
