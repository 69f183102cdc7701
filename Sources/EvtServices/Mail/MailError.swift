import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Why a mail was not sent.
package struct MailError: Error, Sendable, Equatable {
  package var message: String
  /// The message itself was refused (an SMTP 5xx reply to it): sending it again cannot help.
  /// Otherwise the mailer is unreachable or failing, and a later try may succeed.
  package var permanent: Bool
  /// The failure belongs to this message only (a 4xx reply to its recipient or sender, like
  /// a full mailbox): the mailer itself works, so it counts against the message's attempts,
  /// not towards opening the circuit for every message.
  package var messageOnly: Bool

  package init(_ message: String, permanent: Bool = false, messageOnly: Bool = false) {
    self.message = message
    self.permanent = permanent
    self.messageOnly = messageOnly
  }
}
