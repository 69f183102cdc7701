import EvtBus
import EvtProcess
import EvtRedis
import EvtTestSupport
import Testing

@Suite("Running handler commands")
struct ExecHandlerTests {
  @Test("an exec handler gets the envelope on stdin and EVT_* variables; a failure stays pending")
  func exec() throws {
    try withRedis { server in
      let keys = try Keys(namespace: uniqueNamespace())
      let sent = try publish(Publisher(connection: try server.connect(), keys: keys), "a.b", 0..<3)
      let out = server.directory + "/out"
      let command = #"cat >> \#(out); echo " $EVT_ID $EVT_TYPE $EVT_DELIVERY" >> \#(out); [ "$EVT_ID" != "\#(sent[1].id)" ]"#
      var reports: [String] = []
      let handler = ExecHandler(command: command) { message, _ in reports.append(message) }
      let consumer = try GroupConsumer(
        connection: try server.connect(), keys: keys, group: "g", consumer: "c", selection: try TypeSelection(["a.b"]))
      let outcome = try Subscription.run(group: consumer, limits: SubscriptionLimits(untilEmpty: true, batchSize: 1), handler: handler) {
        false
      }
      #expect(outcome == SubscriptionOutcome(end: .finished, handled: 2, failed: 1))
      let text = try readFile(out)
      for e in sent { #expect(text.contains(e.rawString + "\n \(e.id) a.b 1")) }
      #expect(reports.count == 1 && reports[0].contains(sent[1].id))
      #expect(try pendingCount(try server.connect(), keys.stream("a.b"), "g") == 1)
    }
  }
}
