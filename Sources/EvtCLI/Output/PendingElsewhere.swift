import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// Says which consumers still hold events when a drain ends.
enum PendingElsewhere {
  static func describe(_ counts: [GroupConsumer.PendingElsewhere]) -> String {
    let total = counts.reduce(0) { $0 + $1.count }
    let who = counts.prefix(5).map { "\($0.consumer): \($0.count)" }.joined(separator: ", ")
    return
      "\(total) event\(total == 1 ? " is" : "s are") still pending on other consumers (\(who)\(counts.count > 5 ? ", …" : "")); they are reclaimed after --claim-idle (or use --wait-pending)"
  }
}
