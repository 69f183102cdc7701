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

  /// The bus's contracts and the services': what `publish` and consumer groups enforce.
  package static let contracts = EventContracts.bus.adding([
    EventSchema(
      type: userCreated,
      fields: [
        .string("userId", format: .text, maxBytes: 200), .string("email", format: .email, maxBytes: 254),
        .string("name", format: .text, maxBytes: 800),
      ]),
    EventSchema(
      type: orderPlaced,
      fields: [
        .string("orderId", format: .text, maxBytes: 200), .string("userId", format: .text, maxBytes: 200),
        EventSchema.Field("items", [.array], required: false), EventSchema.Field("total", [.number], required: false),
      ]),
    EventSchema(
      type: emailSent,
      fields: [
        .string("userId"), .string("type", allowed: ["welcome", "order_confirmation"]), .string("recipient", format: .email),
        .string("orderId", required: false), .string("messageId"),
      ]),
  ])
}

extension Keys {
  /// `NS:{users}:user:<id>`: one user of the user service (a hash).
  package func user(_ id: String) -> String { "\(namespace):{users}:user:\(id)" }
  /// `NS:{users}:user-email:<email>`: the unique-email index (lower-cased address → user id).
  package func userEmail(_ email: String) -> String { "\(namespace):{users}:user-email:\(email)" }
  /// `NS:{users}:outbox`: `user.created` events written with their user, not yet published.
  package var userOutbox: String { "\(namespace):{users}:outbox" }
}
