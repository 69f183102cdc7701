import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Writes each message as `<Message-ID>.eml` into a directory: the message is written to a
/// temporary file, synced, and renamed into place, so the outbox never holds half a message.
/// Sending the same message again replaces its file.
package struct OutboxMailer: Mailer {
  package let directory: String

  /// - Throws: ``MailError`` when the directory does not exist and cannot be created.
  package init(directory: String) throws(MailError) {
    self.directory = directory
    if mkdir(directory, 0o755) != 0 && errno != EEXIST {
      throw MailError("cannot create the outbox \(directory): \(String(cString: strerror(errno)))")
    }
    var st = stat()
    guard stat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
      throw MailError("the outbox \(directory) is not a directory")
    }
  }

  package var destination: String { "outbox \(directory)" }

  /// The file name of a message: its Message-ID with every byte other than ASCII letters,
  /// digits and `-_.@+=` percent-encoded (so two Message-IDs never share a file), or — when
  /// that is too long for a file name — a prefix and the SHA-256 of the Message-ID.
  package static func fileName(_ messageID: String) -> String {
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

  package func send(_ mail: Mail) throws(MailError) {
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
  package static func messageID(eventID: String, kind: String, domain: String) -> String {
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
