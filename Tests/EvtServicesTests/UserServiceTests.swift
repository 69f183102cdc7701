import EvtBus
import EvtRedis
import EvtTestSupport
import Synchronization
import Testing

@testable import EvtServices

#if canImport(Glibc)
  import Glibc
#endif

@Suite("User service")
struct UserServiceTests {
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

  @Test("create writes user, index and event together; a taken address or id writes nothing")
  func create() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      let store = UserStore(connection: c, keys: keys)
      let (user, event) = try store.create(name: "Ada", email: "Ada@Example.com", headers: [("correlationId", "k")])
      #expect(event.type == "user.created" && event.header("correlationId") == "k" && event.header("source") == "evt create-user")
      #expect(ServiceTypes.contracts.violation(of: event) == nil)
      #expect(try store.user(id: user.id) == user)
      #expect(try store.user(email: "ADA@example.com") == user)
      #expect(try store.find(user.id) == user && store.find("nobody@example.com") == nil)
      let stored = try c.command(["XRANGE", keys.stream("user.created"), "-", "+"]).array ?? []
      #expect(stored.count == 1)
      let keysBefore = try c.command(["DBSIZE"]).int
      do {
        _ = try store.create(name: "Other", email: "ada@EXAMPLE.com")
        Issue.record("a duplicate address was accepted")
      } catch {
        #expect((error as? BusError)?.kind == .conflict)
      }
      do {
        _ = try store.create(name: "Other", email: "other@example.com", id: user.id)
        Issue.record("a duplicate id was accepted")
      } catch {
        #expect((error as? BusError)?.kind == .conflict)
      }
      #expect(try c.command(["DBSIZE"]).int == keysBefore)
      #expect(try c.command(["XLEN", keys.stream("user.created")]).int == 1)
    }
  }
}
