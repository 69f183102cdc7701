import EvtBus

/// The event types of the services evt ships, and their contracts (the bus keeps only
/// `event.failed`'s). Type names are spelled here and nowhere else.
package enum ServiceTypes {
  /// A user was created (`create-user`): data `userId`, `email`, `name`.
  package static let userCreated = "user.created"
  /// An order was placed: data `orderId`, `userId`, optional `items`, `total`.
  package static let orderPlaced = "order.placed"
  /// The email worker sent a mail: data `userId`, `type`, `recipient`, `orderId`?, `messageId`.
  package static let emailSent = "email.sent"

  /// The bus's contracts and the services': what `publish` and consumer groups enforce, and
  /// what the schema registry registers as each type's first version. Text that reaches a
  /// terminal, a log or a mail must be printable (``EventContracts/printablePattern``).
  package static let contracts = EventContracts.bus.adding(
    EventContracts([
      (
        userCreated,
        #"""
        {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"A user was created",
         "type":"object","required":["userId","email","name"],
         "properties":{"userId":{"type":"string","maxLength":200,"pattern":\#(printable)},
          "email":{"type":"string","maxLength":254,"format":"email"},
          "name":{"type":"string","maxLength":800,"pattern":\#(printable)}}}
        """#
      ),
      (
        orderPlaced,
        #"""
        {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"An order was placed",
         "type":"object","required":["orderId","userId"],
         "properties":{"orderId":{"type":"string","maxLength":200,"pattern":\#(printable)},
          "userId":{"type":"string","maxLength":200,"pattern":\#(printable)},
          "items":{"type":"array"},"total":{"type":"number"}}}
        """#
      ),
      (
        emailSent,
        #"""
        {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"The email worker sent a mail",
         "type":"object","required":["userId","type","recipient","messageId"],
         "properties":{"userId":{"type":"string"},"type":{"enum":["welcome","order_confirmation"]},
          "recipient":{"type":"string","format":"email"},"orderId":{"type":"string"},"messageId":{"type":"string"}}}
        """#
      ),
    ]))

  /// ``EventContracts/printablePattern`` as a JSON string.
  private static var printable: String { JSON.quoted(EventContracts.printablePattern) }
}

extension Keys {
  /// `NS:{users}:user:<id>`: one user of the user service (a hash).
  package func user(_ id: String) -> String { "\(namespace):{users}:user:\(id)" }
  /// `NS:{users}:user-email:<email>`: the unique-email index (lower-cased address → user id).
  package func userEmail(_ email: String) -> String { "\(namespace):{users}:user-email:\(email)" }
  /// `NS:{users}:outbox`: `user.created` events written with their user, not yet published.
  package var userOutbox: String { "\(namespace):{users}:outbox" }
}
