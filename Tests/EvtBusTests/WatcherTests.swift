import EvtBus
import EvtRedis
import EvtTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Reading streams without a group")
struct WatcherTests {
  @Test("the last N events of several types come merged in time order (millisecond resolution)")
  func lastMerged() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      var all: [Envelope] = []
      for i in 0..<30 {
        all += try publish(publisher, ["user.created", "order.placed", "user.deleted"][i % 3], i..<i + 1)
        usleep(2_000)  // across streams, order is only known to the millisecond
      }
      let watcher = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection([]))
      #expect(try watcher.last(10).compactMap(\.event) == all.suffix(10).map(\.raw))
      let users = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection(["user.*"]))
      #expect(try users.last(100).compactMap(\.event) == all.filter { $0.type.hasPrefix("user.") }.map(\.raw))
    }
  }

  @Test("history since a stream id pages through everything after it")
  func history() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      try publish(publisher, "a.one", 0..<5)
      let cut = StreamID(milliseconds: UInt64(EventTime.now().milliseconds + 5))
      usleep(10_000)
      let later = try publish(publisher, "a.one", 5..<2500) + (try publish(publisher, "a.two", 0..<10))
      let watcher = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection([]))
      var seen: [[UInt8]] = []
      try watcher.history(since: cut, pageSize: 100) { e in
        seen.append(e.event!)
        return true
      }
      #expect(Set(seen) == Set(later.map(\.raw)))
      #expect(seen.count == later.count)
    }
  }

  @Test("following picks up new events, including types first published after it started")
  func follow() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let publisher = Publisher(connection: try server.connect(), keys: keys)
      try publish(publisher, "a.old", 0..<3)
      let watcher = StreamWatcher(connection: try server.connect(), keys: keys, selection: try TypeSelection(["a.*"]))
      try watcher.startAtEnd()
      #expect(try watcher.poll(blockMilliseconds: 0).isEmpty)
      let fresh = try publish(publisher, "a.new", 0..<2) + (try publish(publisher, "a.old", 3..<4))
      let got = try watcher.poll(blockMilliseconds: 100)
      #expect(Set(got.compactMap(\.event)) == Set(fresh.map(\.raw)))
      #expect(try watcher.poll(blockMilliseconds: 0).isEmpty)
    }
  }
}
