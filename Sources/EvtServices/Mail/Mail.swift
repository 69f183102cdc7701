import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// An email message, rendered as RFC 5322 text (UTF-8, 8bit, CRLF line ends).
package struct Mail: Sendable, Equatable {
  package var from: Address
  package var to: Address
  package var subject: String
  /// Plain text; lines end in `\n` here and are sent as CRLF.
  package var body: String
  /// Without angle brackets: `local@domain`.
  package var messageID: String
  package var date: String
  /// Extra headers (`X-Evt-Event-Id`, …).
  package var headers: [(name: String, value: String)]

  package static func == (a: Mail, b: Mail) -> Bool { a.rendered == b.rendered }

  package struct Address: Sendable, Equatable {
    package var name: String?
    package var email: String
    package init(_ email: String, name: String? = nil) {
      self.email = email
      self.name = name
    }

    /// Parses `Name <local@domain>` (the name optionally in double quotes) or a bare address;
    /// `nil` unless the address is valid (see ``UserValidation/email(_:)``).
    package init?(parsing text: String) {
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

  package init(
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
  package var rendered: [UInt8] {
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
