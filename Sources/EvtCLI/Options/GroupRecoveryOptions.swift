import ArgumentParser
import EvtBus
import EvtRedis

#if canImport(Glibc)
  import Glibc
#endif

/// How a consumer group retries, dead-letters and recovers (`subscribe --group`,
/// `run-email-worker`).
struct GroupRecoveryOptions: ParsableArguments {
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Attempts per event, the first included, before it is dead-lettered.", valueName: "n"))
  var maxAttempts: Int = RetryPolicy.defaultMaxAttempts

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Wait before the first retry, like 500ms; doubles each time, with jitter.", valueName: "duration"))
  var backoffBase = DurationArgument(milliseconds: Int64(RetryPolicy.defaultBackoffBase * 1000))

  @Option(parsing: .unconditional, help: ArgumentHelp("Longest wait between retries.", valueName: "duration"))
  var backoffMax = DurationArgument(milliseconds: Int64(RetryPolicy.defaultBackoffMax * 1000))

  @Option(parsing: .unconditional, help: ArgumentHelp("Claim events another consumer left pending this long.", valueName: "duration"))
  var claimIdle = DurationArgument(milliseconds: Int64(GroupConsumer.defaultClaimIdleMilliseconds))

  @Option(
    parsing: .unconditional, help: ArgumentHelp("Dead-letter an event delivered more than N times: a poison message.", valueName: "n"))
  var maxDeliveries: Int = GroupConsumer.defaultMaxDeliveries

  func validate() throws {
    if !(1...1_000_000).contains(maxAttempts) { throw ValidationError("--max-attempts must be between 1 and 1000000") }
    if !(1...1_000_000).contains(maxDeliveries) { throw ValidationError("--max-deliveries must be between 1 and 1000000") }
    try claimIdle.check("--claim-idle", DurationArgument.oneMillisecondToThirtyDays)
    try backoffBase.check("--backoff-base", DurationArgument.zeroToADay)
    try backoffMax.check("--backoff-max", DurationArgument.zeroToADay)
  }

  var retry: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts, backoffBase: backoffBase.seconds, backoffMax: backoffMax.seconds) }
  var claimIdleMilliseconds: Int { Int(claimIdle.milliseconds) }
}
