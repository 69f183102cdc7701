import EvtBus
import EvtRedis
import EvtTestSupport
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Addresses")
struct AddressTests {
  @Test("sender addresses parse with or without a display name")
  func parse() {
    #expect(Mail.Address(parsing: "Shop <shop@example.com>") == Mail.Address("shop@example.com", name: "Shop"))
    #expect(Mail.Address(parsing: "\"Shop, Inc.\" <shop@example.com>") == Mail.Address("shop@example.com", name: "Shop, Inc."))
    #expect(Mail.Address(parsing: " shop@example.com ") == Mail.Address("shop@example.com"))
    #expect(Mail.Address(parsing: "<shop@example.com>") == Mail.Address("shop@example.com"))
    #expect(Mail.Address(parsing: "Shop <nobody>") == nil)
    #expect(Mail.Address(parsing: "nobody") == nil)
  }
}
