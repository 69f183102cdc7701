import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Sends mail. Implementations are safe to call from several threads at once.
package protocol Mailer: Sendable {
  /// Sends one message; returns once the message is accepted (by the SMTP server, or written
  /// and synced to disk). Sending the same `Message-ID` twice may deliver it twice.
  func send(_ mail: Mail) throws(MailError)
  /// Where mail goes, for logs (`outbox /var/mail/out`, `smtp://mail:25`).
  var destination: String { get }
}
