import EvtBus
import Testing

@testable import EvtServices

@Suite("User validation")
struct UserValidationTests {
  @Test("valid and invalid addresses and names")
  func validation() throws {
    for good in ["a@b.co", "Ada.Lovelace+evt@mail.example.com", "x_y-z@a-b.example", "o'hara@example.ie"] {
      #expect(throws: Never.self, "\(good)") { _ = try UserValidation.email(good) }
    }
    for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@@b.co", "a@b..co", ".a@b.co", "a.@b.co", "a@-b.co", "a@b.123", "\"a\"@b.co"] {
      #expect(throws: BusError.self, "\(bad)") { _ = try UserValidation.email(bad) }
    }
    #expect(try UserValidation.email("  ada@example.com\n") == "ada@example.com")
    #expect(try UserValidation.name("  Ada  ") == "Ada")
    #expect(try UserValidation.name("Zoë Ñandú") == "Zoë Ñandú")
    for bad in ["", "   ", String(repeating: "x", count: 201), "a\u{7}b"] {
      #expect(throws: BusError.self) { _ = try UserValidation.name(bad) }
    }
    #expect(UserValidation.indexKey(" Ada@Example.COM ") == "ada@example.com")
  }
}
