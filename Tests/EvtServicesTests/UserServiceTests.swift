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
