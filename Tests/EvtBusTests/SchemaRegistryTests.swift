import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Schema registry")
struct SchemaRegistryTests {
  func schema(_ text: String) throws -> JSONSchema { try JSONSchema.compile(Array(text.utf8)) }

  @Test("versions count from 1 on the type's slot; the latest is what a publisher stamps; a stale registration is refused")
  func versions() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let registry = SchemaRegistry(connection: try server.connect(), keys: keys)
      #expect(try registry.latest("invoice.paid") == nil)
      #expect(try registry.types().isEmpty)
      let v1 = try schema(#"{"type":"object","required":["id"]}"#)
      #expect(try registry.register("invoice.paid", v1, after: nil) == 1)
      let v2 = try schema(#"{"type":"object","required":["id"],"properties":{"note":{"type":"string"}}}"#)
      #expect(try registry.register("invoice.paid", v2, after: 1) == 2)
      // Someone who checked against version 1 only is told to look again.
      #expect(throws: BusError.self) { try registry.register("invoice.paid", v2, after: 1) }
      #expect(try registry.versions("invoice.paid") == [1, 2])
      #expect(try registry.latest("invoice.paid")?.version == 2)
      #expect(try registry.version("invoice.paid", 1)?.schema.source == v1.source)
      #expect(try registry.version("invoice.paid", 3) == nil)
      #expect(try registry.types() == ["invoice.paid"])
      #expect(try registry.compatibility("invoice.paid") == .backward)
      try registry.setCompatibility(.full, for: "invoice.paid")
      #expect(try registry.compatibility("invoice.paid") == .full)
      // On the type's slot.
      #expect(HashSlot.of(keys.schemas("invoice.paid")) == HashSlot.of(keys.stream("invoice.paid")))
    }
  }

  @Test("what Redis holds that is not a schema is reported, not used")
  func hostile() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let c = try server.connect()
      _ = try c.command(["HSET", keys.schemas("a.b"), "latest", "1", "v1", #"{"$id":"x"}"#])
      #expect(throws: BusError.self) { try SchemaRegistry(connection: c, keys: keys).latest("a.b") }
      _ = try c.command(["HSET", keys.schemas("a.c"), "latest", "many"])
      #expect(throws: BusError.self) { try SchemaRegistry(connection: c, keys: keys).latest("a.c") }
    }
  }
}
