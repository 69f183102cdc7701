import EvtBus

/// Turns an event into the mail it calls for: a welcome mail for `user.created`, an order
/// confirmation (to the order's user's stored address) for `order.placed`. Every address and
/// name is checked before it reaches a header, whatever the event's contract said.
struct MailComposer {
  let users: UserStore
  let from: Mail.Address

  struct OutgoingMail {
    var mail: Mail
    var kind: String
    var userId: String
    var orderId: String?
  }

  /// The mail an event calls for, or why there is none.
  func compose(_ event: Envelope) throws(BusError) -> Result<OutgoingMail, HandlerFailure> {
    let data = event.data
    let domain = from.email.split(separator: "@").last.map(String.init) ?? "evt.localhost"
    func mail(_ kind: String, to: Mail.Address, subject: String, body: String) -> Mail {
      Mail(
        from: from, to: to, subject: subject, body: body, messageID: Mail.messageID(eventID: event.id, kind: kind, domain: domain),
        headers: [("X-Evt-Event-Id", event.id), ("X-Evt-Correlation-Id", event.correlationID)])
    }
    // Whatever the contract said: nothing reaches a mail header or an SMTP command unchecked.
    func recipient(_ email: String, _ name: String) -> Result<Mail.Address, HandlerFailure> {
      if let why = EmailAddress.problem(email) {
        return .failure(HandlerFailure("refusing to mail \(JSON.quoted(email)): not a valid email address (\(why))", permanent: true))
      }
      do throws(BusError) {
        return .success(Mail.Address(email, name: try UserValidation.name(name)))
      } catch {
        return .failure(HandlerFailure("refusing to mail \(JSON.quoted(email)): \(error.message)", permanent: true))
      }
    }
    switch event.type {
    case UserStore.createdType:
      let userId = data["userId"]?.stringValue ?? ""
      let name = data["name"]?.stringValue ?? ""
      let email = data["email"]?.stringValue ?? ""
      let to: Mail.Address
      switch recipient(email, name) {
      case .success(let address): to = address
      case .failure(let f): return .failure(f)
      }
      let body = "Hi \(name),\n\nwelcome aboard! Your account for \(email) is ready.\n\n-- \(from.name ?? from.email)\n"
      let m = mail("welcome", to: to, subject: "Welcome, \(to.name ?? name)!", body: body)
      return .success(OutgoingMail(mail: m, kind: "welcome", userId: userId))
    case ServiceTypes.orderPlaced:
      let orderId = data["orderId"]?.stringValue ?? ""
      let userId = data["userId"]?.stringValue ?? ""
      guard let user = try users.user(id: userId) else {
        return .failure(HandlerFailure("order \(orderId): unknown user \(userId)", permanent: true))
      }
      let to: Mail.Address
      switch recipient(user.email, user.name) {
      case .success(let address): to = address
      case .failure(let f): return .failure(f)
      }
      var body = "Hi \(user.name),\n\nthank you for your order \(orderId).\n"
      if case .array(let items)? = data["items"], !items.isEmpty {
        body += "\n" + items.map { "  - \(Self.describe($0))\n" }.joined()
      }
      if case .number(let total)? = data["total"] { body += "\nTotal: \(total)\n" }
      body += "\n-- \(from.name ?? from.email)\n"
      let m = mail(
        "order_confirmation", to: to, subject: "Your order \(orderId) is confirmed", body: body)
      return .success(OutgoingMail(mail: m, kind: "order_confirmation", userId: userId, orderId: orderId))
    default:
      return .failure(HandlerFailure("the email worker does not handle \(event.type)", permanent: true))
    }
  }

  /// One order line: a string as is; an object by its name (or sku, or title) and quantity.
  static func describe(_ item: JSONValue) -> String {
    if let s = item.stringValue { return s }
    let label = ["name", "title", "sku", "id"].lazy.compactMap { item[$0]?.stringValue }.first
    guard let label else { return String(decoding: item.serialized, as: UTF8.self) }
    if let q = item["quantity"] ?? item["qty"], case .number(let n) = q { return "\(label) x \(n)" }
    return label
  }
}
