import ArgumentParser
import EvtBus
import EvtOps
import EvtProcess
import EvtServices
import Logging

struct RunEmailWorker: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run-email-worker",
    _superCommandName: "evt",
    abstract: "Run the email service: welcome mails and order confirmations.",
    discussion: """
      Consumes user.created and order.placed in a consumer group (email-worker by default): a welcome mail for each new user, an order confirmation to the stored address of the order's user, and an email.sent event (userId, type, recipient, orderId, messageId, processingMs) with the cause's correlation id and its id as causation id. An order for an unknown user is dead-lettered at once; replay it with 'evt replay-dlq --group email-worker' once the user exists.

      Mail goes to --outbox DIR (one RFC 5322 .eml file per message, named after its Message-ID) or through --smtp smtp://host:port (smtps:// for TLS; user and password in the URL or in EVT_SMTP_USER / EVT_SMTP_PASSWORD).

      Each event is mailed once: a done marker (NS:{<type>}:done:<group>:<event id>) is written with the acknowledgement and email.sent, and checked before sending, so redelivered and replayed events are not mailed again. Failures are retried with backoff and then dead-lettered. After --breaker-failures consecutive mailer failures the circuit opens: no new work is taken for --breaker-cool-down seconds, events wait pending (never dead-lettered for it), then one probe is let through.

      Runs until SIGINT/SIGTERM (in-flight mails finish; exit 0), or with --until-empty until nothing is left (exit 1 if an event was dead-lettered or left pending). While the SMTP server stays down the open circuit holds events back rather than dead-letter them, so --until-empty waits until it is back; --timeout D gives up after D (what is not handled stays pending; exit 75). Logs one line per mail (with its processing time) and per circuit change on standard error (--log-format json or logfmt for machines). --metrics-addr serves Prometheus metrics, /healthz and /readyz (not ready while Redis is unreachable or the circuit is open); --heartbeat-file is touched on every turn of the loop. Processing figures are also kept in Redis for 'evt stats'.

      Examples:
        evt run-email-worker --outbox ./outbox
        evt run-email-worker --smtp smtp://mail.internal:25 --from 'Shop <shop@example.com>' --concurrency 8
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Option(help: ArgumentHelp("Write mail as .eml files into this directory.", valueName: "dir"))
  var outbox: String?

  @Option(help: ArgumentHelp("Send mail through this SMTP server: smtp[s]://[user:password@]host[:port].", valueName: "url"))
  var smtp: String?

  @Option(
    help: ArgumentHelp(
      "Read the SMTP password from this file (first line), so it is not visible to ps (env: EVT_SMTP_PASSWORD).", valueName: "path"))
  var smtpPasswordFile: String?

  @Flag(help: "With --smtp: refuse to send unless STARTTLS succeeds.")
  var smtpRequireTls = false

  @Option(
    help: ArgumentHelp("Sender address, like 'Shop <shop@example.com>' (default: evt <noreply@evt.localhost>).", valueName: "address"))
  var from: String?

  @Option(name: .shortAndLong, help: ArgumentHelp("Consumer group.", valueName: "group"))
  var group = EmailWorkerOptions.defaultGroup

  @Option(help: ArgumentHelp("Consumer name prefix within the group (default: HOST-PID).", valueName: "name"))
  var consumer: String?

  @Option(parsing: .unconditional, help: ArgumentHelp("Mails handled at once in this process.", valueName: "n"))
  var concurrency = 1

  @OptionGroup(title: "Retries, dead letters and crash recovery") var recovery: GroupRecoveryOptions

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Consecutive mailer failures that open the circuit; at most --max-attempts.", valueName: "n"))
  var breakerFailures = EmailWorkerOptions.defaultBreakerThreshold

  @Option(parsing: .unconditional, help: ArgumentHelp("How long the open circuit waits before a probe.", valueName: "duration"))
  var breakerCoolDown = DurationArgument(milliseconds: Int64(EmailWorkerOptions.defaultBreakerCoolDown * 1000))

  @Flag(help: "With --until-empty: wait while other consumers still hold events, instead of ending.")
  var waitPending = false

  @Flag(help: "Exit once every available event has been handled.")
  var untilEmpty = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --until-empty: give up after this long, leaving what is not handled pending (exit 75).", valueName: "duration"))
  var timeout: DurationArgument?

  @Flag(name: .shortAndLong, help: "Log only circuit changes, dead letters and errors, not every mail.")
  var quiet = false

  @OptionGroup(title: "Logs, metrics and health") var operations: OperationsOptions

  func validate() throws {
    if (outbox == nil) == (smtp == nil) { throw ValidationError("give exactly one of --outbox DIR and --smtp URL") }
    if smtpRequireTls && smtp == nil { throw ValidationError("--smtp-require-tls needs --smtp") }
    try breakerCoolDown.check("--breaker-cool-down", DurationArgument.oneMillisecondToADay)
    if let from, Mail.Address(parsing: from) == nil {
      throw ValidationError("--from '\(Printable.escaped(from))' is not an address like 'Shop <shop@example.com>'")
    }
    if smtpPasswordFile != nil && smtp == nil { throw ValidationError("--smtp-password-file needs --smtp") }
    if waitPending && !untilEmpty { throw ValidationError("--wait-pending needs --until-empty") }
    try timeout?.check("--timeout", DurationArgument.oneMillisecondToADay)
    if timeout != nil && !untilEmpty { throw ValidationError("--timeout needs --until-empty") }
    // The worker's own rules (group name, concurrency, breaker threshold ≤ attempts).
    do { try options.validate() } catch { throw ValidationError(error.message) }
  }

  /// The worker's options from the command line (the library holds the defaults and rules).
  var options: EmailWorkerOptions {
    var options = EmailWorkerOptions()
    options.group = group
    if let consumer { options.consumerName = consumer }
    options.concurrency = concurrency
    if let from, let address = Mail.Address(parsing: from) { options.from = address }
    options.retry = recovery.retry
    options.maxDeliveries = recovery.maxDeliveries
    options.claimIdle = recovery.claimIdle.seconds
    options.breakerThreshold = breakerFailures
    options.breakerCoolDown = breakerCoolDown.seconds
    options.untilEmpty = untilEmpty
    options.waitPending = waitPending
    options.logEachMail = !quiet
    options.metricsAddress = operations.metricsAddr
    options.heartbeatFile = operations.heartbeatFile
    return options
  }

  func run() throws {
    let front = try ConsumerFrontEnd("evt.email-worker", connection: connection, operations: operations)
    let mailer = try makeMailer()
    let worker = try EmailWorker(
      keys: front.keys, mailer: mailer, options: options, connect: try connection.connector(), logger: front.logger)
    let giveUpAt = timeout.map { EventTime.now().milliseconds + $0.milliseconds }
    let gaveUp = Locked(false)
    let outcome = try front.run(
      worker.group,
      announce: "email worker: group \(group), \(concurrency) handler\(concurrency == 1 ? "" : "s"), mail to \(mailer.destination)"
    ) {
      if Shutdown.isRequested { return true }
      guard let giveUpAt, EventTime.now().milliseconds >= giveUpAt else { return false }
      gaveUp.withLock { $0 = true }
      return true
    }
    try report(outcome, worker, log: worker.group.logger, gaveUp: gaveUp.withLock { $0 })
  }

  private func makeMailer() throws -> any Mailer {
    let user = try environment("EVT_SMTP_USER")
    var password = try environment("EVT_SMTP_PASSWORD")
    if let smtpPasswordFile { password = try Input.secret(fromFile: smtpPasswordFile, what: "--smtp-password-file") }
    do throws(MailError) {
      if let outbox { return try OutboxMailer(directory: outbox) }
      return try SMTPMailer(url: smtp!, username: user, password: password, requireTLS: smtpRequireTls)
    } catch {
      throw BusError(.invalidArgument, error.message)
    }
  }

  /// Logs what the worker did, and exits with the code that tells scripts.
  private func report(_ outcome: SubscriptionOutcome, _ worker: EmailWorker, log: Logger, gaveUp: Bool) throws {
    var summary = "email worker stopped: \(outcome.handled) handled"
    if outcome.deadLettered > 0 { summary += ", \(outcome.deadLettered) dead-lettered (see evt replay-dlq --list)" }
    if outcome.failed > 0 { summary += ", \(outcome.failed) left pending" }
    if outcome.givenBack > 0 { summary += ", \(outcome.givenBack) fetched but given back to the group" }
    if !outcome.pendingElsewhere.isEmpty { summary += "; " + PendingElsewhere.describe(outcome.pendingElsewhere) }
    if let t = worker.timings.summary {
      summary +=
        "; \(t.count) mail\(t.count == 1 ? "" : "s") sent, processing time mean \(t.meanMilliseconds) ms, p50 \(t.p50Milliseconds) ms, p95 \(t.p95Milliseconds) ms, p99 \(t.p99Milliseconds) ms, max \(t.maxMilliseconds) ms"
    }
    log.notice("\(summary)")
    if outcome.end != .finished && gaveUp {
      Terminal.error("gave up after --timeout \(timeout!) with events not handled; they stay pending for the group")
      throw CommandExit(code: EvtExit.timeout)
    }
    // Like subscribe: a drain that could not handle everything is a failure for scripts.
    if outcome.end == .finished && (outcome.deadLettered > 0 || outcome.failed > 0 || !outcome.pendingElsewhere.isEmpty) {
      throw CommandExit(code: EvtExit.failure)
    }
  }
}
