#!/usr/bin/env bats
load helpers

# The user service and the email service, driven as users run them.

pending() { rcli XPENDING "$(stream_key $1)" "$2" | head -n 1; }
dlq_len() { dlq_count ${1:-email-worker}; }
sent_len() { rcli XLEN "$(stream_key email.sent)"; }
outbox_count() { find "$1" -name '*.eml' | wc -l; }

@test "create-user stores the user and publishes user.created; get-user reads it back by id or address" {
  run_evt create-user --name '  Ada Lovelace ' --email Ada@Example.com
  [ "$status" = 0 ]
  [[ "$out" =~ ^\{\"id\":\"([0-9a-f-]{36})\",\"name\":\"Ada\ Lovelace\",\"email\":\"Ada@Example.com\",\"createdAt\":\"20[0-9-]+T[0-9:.]+Z\"\}$ ]]
  id=${BASH_REMATCH[1]}
  [ "$(rcli HGET "$EVT_NAMESPACE:{users}:user:$id" email)" = Ada@Example.com ]
  [ "$(rcli GET "$EVT_NAMESPACE:{users}:user-email:ada@example.com")" = "$id" ]
  evt tail --json user.created | grep -q "\"data\":{\"userId\":\"$id\",\"email\":\"Ada@Example.com\",\"name\":\"Ada Lovelace\"}"
  [ "$(evt get-user "$id")" = "$out" ]
  [ "$(evt get-user ADA@example.COM)" = "$out" ]
  run_evt get-user nobody@example.com
  [ "$status" = 66 ]
  assert_one_error_line "$err"
  evt create-user --data '{"name":"Alan","email":"alan@example.com"}' | grep -q '"name":"Alan"'
}

@test "an invalid email or an empty name: non-zero exit, one line, no key and no event written" {
  for email in not-an-email 'a b@example.com' 'ada@' '@example.com' 'ada@example' 'ada..l@example.com' 'ada@-x.com'; do
    run_evt create-user --name Ada --email "$email"
    [ "$status" = 65 ] || { echo "$email: $status"; return 1; }
    assert_one_error_line "$err"
  done
  run_evt create-user --name '   ' --email ada@example.com
  [ "$status" = 65 ]
  [ "$err" = "evt: error: the name is empty" ]
  run_evt create-user --name "$(printf 'x%.0s' $(seq 1 201))" --email ada@example.com
  [ "$status" = 65 ]
  run_evt create-user --data '{"name":"Ada"}'
  [ "$status" = 65 ]
  run_evt create-user --name Ada
  [ "$status" = 64 ]
  assert_nothing_written
}

@test "a duplicate email in other letter case is refused with exit 73 and nothing is written" {
  evt create-user --name Ada --email ada@example.com >/dev/null
  before=$(db_size)
  run_evt create-user --name 'Ada Again' --email ADA@EXAMPLE.COM
  [ "$status" = 73 ]
  assert_one_error_line "$err"
  [[ "$err" == *'already exists'* ]]
  [ "$(db_size)" = "$before" ]
  [ "$(rcli XLEN "$(stream_key user.created)")" = 1 ]
  [ "$(rcli_each KEYS "$EVT_NAMESPACE:{users}:user:*" | grep -c .)" = 1 ]
}

@test "10 concurrent create-user runs with one address: exactly one user, one event" {
  pids=()
  for i in $(seq 1 10); do
    "$EVT_BIN" create-user --name "N $i" --email race@example.com >/dev/null 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  [ "$(rcli XLEN "$(stream_key user.created)")" = 1 ]
  [ "$(rcli_each KEYS "$EVT_NAMESPACE:{users}:user:*" | grep -c .)" = 1 ]
}

@test "the worker mails a welcome to the outbox and publishes email.sent with correlation and causation" {
  evt create-user --name 'Grace Hopper' --email grace@example.com --correlation-id signup-9 >/dev/null
  event=$(evt tail --json user.created | sed 's/^{"id":"\([^"]*\)".*/\1/')
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$status" = 0 ]
  [[ "$err" == *"sent welcome mail to grace@example.com for user.created $event in "*" ms"* ]]
  [ "$(outbox_count "$BATS_TEST_TMPDIR/out")" = 1 ]
  mail=$(find "$BATS_TEST_TMPDIR/out" -name '*.eml')
  grep -q $'^To: Grace Hopper <grace@example.com>\r$' "$mail"
  grep -q "^Message-ID: <$event.welcome@evt.localhost>"$'\r$' "$mail"
  grep -q '^Date: [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] 20[0-9][0-9] ' "$mail"
  grep -q $'^Subject: Welcome, Grace Hopper!\r$' "$mail"
  sent=$(evt tail --json email.sent)
  [[ "$sent" == *'"type":"welcome","recipient":"grace@example.com","messageId":"<'"$event"'.welcome@evt.localhost>","processingMs":'* ]]
  [[ "$sent" == *'"correlationId":"signup-9","causationId":"'"$event"'"'* ]]
  [ "$(pending user.created email-worker)" = 0 ]
  [ -n "$(rcli GET "$EVT_NAMESPACE:{user.created}:done:email-worker:$event")" ]
  [ "$(rcli TTL "$EVT_NAMESPACE:{user.created}:done:email-worker:$event")" -gt 0 ]
}

@test "order.placed for an unknown user: dead-lettered naming the user; after create-user and replay-dlq the confirmation is sent" {
  uid=$(cat /proc/sys/kernel/random/uuid)
  evt publish order.placed --data "{\"orderId\":\"o-77\",\"userId\":\"$uid\",\"items\":[{\"name\":\"Tea\",\"quantity\":2}],\"total\":9.5}" >/dev/null
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$status" = 1 ]
  [ "$(dlq_len)" = 1 ]
  evt replay-dlq --list --json | grep -q "\"error\":\"order o-77: unknown user $uid\""
  [ "$(outbox_count "$BATS_TEST_TMPDIR/out")" = 0 ]

  evt create-user --id "$uid" --name 'Ada' --email ada@example.com >/dev/null
  evt replay-dlq --group email-worker 2>/dev/null
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$status" = 0 ]
  [ "$(dlq_len)" = 0 ]
  confirmation=$(grep -l 'Subject: Your order o-77 is confirmed' "$BATS_TEST_TMPDIR"/out/*.eml)
  grep -q $'^To: Ada <ada@example.com>\r$' "$confirmation"
  grep -q 'Tea x 2' "$confirmation"
  grep -q 'Total: 9.5' "$confirmation"
  evt tail --json email.sent | grep -q '"type":"order_confirmation","recipient":"ada@example.com","orderId":"o-77"'
  # A second replay or redelivery of the same order sends nothing more.
  evt publish --ndjson < <(evt tail --json order.placed) 2>/dev/null
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$(grep -l 'o-77' "$BATS_TEST_TMPDIR"/out/*.eml | wc -l)" = 1 ]
  [[ "$err" == *"was already done"* ]]
}

@test "contracts are checked again on consume: an order.placed without userId written behind evt's back is dead-lettered" {
  rcli SADD "$EVT_NAMESPACE:types" order.placed >/dev/null
  rcli XADD "$(stream_key order.placed)" '*' event '{"id":"x1","type":"order.placed","version":"1.0","timestamp":"2026-11-27T10:00:00.000Z","data":{"orderId":"1"}}' >/dev/null
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$status" = 1 ]
  evt replay-dlq --list --json | grep -q 'breaks its contract: order.placed: data: the required property \\"userId\\" is missing'
}

@test "1,000 users while a --concurrency 4 worker is killed -9 twice and restarted: exactly 1,000 mails and email.sent, nothing pending, no dead letters" {
  out="$BATS_TEST_TMPDIR/out"
  log="$BATS_TEST_TMPDIR/log"
  start_worker() {
    "$EVT_BIN" run-email-worker --outbox "$out" --concurrency 4 --claim-idle 1 2>> "$log" &
    worker=$!
  }
  start_worker
  for i in $(seq 1 1000); do
    evt create-user --name "User $i" --email "user$i@example.com" >/dev/null
    if [ "$i" = 300 ] || [ "$i" = 650 ]; then
      wait_for "[ \$(sent_len) -ge $((i - 250)) ]" 60
      kill -9 "$worker"
      wait "$worker" || true
      start_worker
    fi
  done
  wait_for "[ \$(sent_len) -ge 1000 ]" 120
  sleep 2  # anything still in flight would show up now
  kill -TERM "$worker"
  wait "$worker"
  [ "$(sent_len)" = 1000 ]
  [ "$(outbox_count "$out")" = 1000 ]
  # One mail per user, one email.sent per user.
  [ "$(grep -h '^To: ' "$out"/*.eml | sort -u | wc -l)" = 1000 ]
  [ "$(evt tail --json -n 2000 email.sent | grep -o '"recipient":"[^"]*"' | sort -u | wc -l)" = 1000 ]
  [ "$(grep -c ' sent welcome mail to ' "$log")" = 1000 ]
  ! grep -q 'completed it meanwhile' "$log"
  [ "$(pending user.created email-worker)" = 0 ]
  [ "$(dlq_count email-worker)" = 0 ]
}

@test "SMTP server stopped for a while: the circuit opens, nothing is dead-lettered, every mail is sent exactly once when it is back" {
  # Two worker processes of 16 handlers each, more handlers than events: the idle ones keep
  # reading when the cool-down ends. The outage lasts many times --claim-idle and
  # --max-deliveries is low: events held while the circuit is open must not be taken for
  # abandoned (and redelivered into the dead letters) by the other handlers.
  log="$BATS_TEST_TMPDIR/log"
  start_smtp() {
    start_sink  # on the same port when it is started again
    smtp=$SINK_PID port=$SMTP_PORT inbox=$INBOX
  }
  start_smtp
  for w in 1 2; do
    "$EVT_BIN" run-email-worker --smtp "smtp://127.0.0.1:$port" --from 'Shop <shop@example.com>' --concurrency 16 \
      --breaker-failures 3 --breaker-cool-down 1 --backoff-base 0.05 --claim-idle 0.5 --max-deliveries 2 2>> "$log" &
    workers+=($!)
  done
  for i in $(seq 1 5); do evt create-user --name "U$i" --email "u$i@example.com" >/dev/null; done
  wait_for "[ \$(ls '$inbox' | wc -l) -ge 5 ]" 30

  kill -TERM "$smtp"
  wait "$smtp" || true
  for i in $(seq 6 25); do evt create-user --name "U$i" --email "u$i@example.com" >/dev/null; done
  wait_for "grep -q 'circuit open after 3 consecutive failures' '$log'" 30
  wait_for "grep -q 'circuit open again' '$log'" 30  # a probe failed while the server was still down
  sleep 3  # six claim-idle periods
  [ "$(dlq_count email-worker)" = 0 ]
  [ "$(ls "$inbox" | wc -l)" = 5 ]

  start_smtp
  wait_for "[ \$(sent_len) -ge 25 ]" 60
  grep -q 'circuit closed' "$log"
  sleep 1
  kill -TERM "${workers[@]}"
  for w in "${workers[@]}"; do wait "$w"; done
  kill -TERM "$smtp"
  wait "$smtp" || true
  [ "$(ls "$inbox" | wc -l)" = 25 ]
  [ "$(grep -h '^Message-ID: ' "$inbox"/*.eml | sort -u | wc -l)" = 25 ]
  [ "$(grep -h '^X-Envelope-To: ' "$inbox"/*.eml | sort -u | wc -l)" = 25 ]
  grep -q '^From: Shop <shop@example.com>' "$inbox/000001.eml"
  [ "$(dlq_count email-worker)" = 0 ]
  [ "$(pending user.created email-worker)" = 0 ]
  ! grep -q 'took the event over\|dead-lettered' "$log"
}

@test "SMTP with authentication: the right password sends; a wrong one keeps the mail pending, never dead-lettered" {
  start_sink 'mailer:s3cret'
  smtp=$SINK_PID port=$SMTP_PORT inbox=$INBOX
  evt create-user --name Ada --email ada@example.com >/dev/null

  # A wrong password: the circuit opens, the event stays pending, nothing is dead-lettered.
  EVT_SMTP_USER=mailer EVT_SMTP_PASSWORD=wrong "$EVT_BIN" run-email-worker --smtp "smtp://127.0.0.1:$port" \
    --breaker-failures 2 --breaker-cool-down 30 --backoff-base 0.01 2> "$BATS_TEST_TMPDIR/log" &
  worker=$!
  wait_for "grep -q 'circuit open after 2 consecutive failures' '$BATS_TEST_TMPDIR/log'" 30
  kill -TERM "$worker"
  wait "$worker"
  [ "$(ls "$inbox" | wc -l)" = 0 ]
  [ "$(dlq_count email-worker)" = 0 ]
  ! grep -q 's3cret\|wrong' "$BATS_TEST_TMPDIR/log"

  # The right one, in the URL this time.
  run_evt run-email-worker --smtp "smtp://mailer:s3cret@127.0.0.1:$port" --claim-idle 0.1 --until-empty
  [ "$status" = 0 ]
  [[ "$err" != *s3cret* ]]
  [ "$(ls "$inbox" | wc -l)" = 1 ]
  grep -q '^X-Envelope-To: ada@example.com' "$inbox/000001.eml"
  [ "$(sent_len)" = 1 ]
  kill -TERM "$smtp"
  wait "$smtp" || true
}

@test "bad worker options are refused before anything runs" {
  run_evt run-email-worker
  [ "$status" = 64 ]
  run_evt run-email-worker --outbox x --smtp smtp://h:25
  [ "$status" = 64 ]
  run_evt run-email-worker --smtp http://h
  [ "$status" = 64 ]
  assert_one_error_line "$err"
  run_evt run-email-worker --outbox x --from 'nobody'
  [ "$status" = 64 ]
  run_evt run-email-worker --outbox x --breaker-failures 9 --max-attempts 3
  [ "$status" = 64 ]
  assert_nothing_written
}

@test "evt schema shows the contracts that publish enforces" {
  [ "$(evt schema contracts --json | wc -l)" = 4 ]
  evt schema contracts --json | jq -s -e 'map(select(.type == "order.placed"))[0].schema.required == ["orderId","userId"]' > /dev/null
  evt schema contracts --json email.sent | jq -e '.schema.properties.type.enum == ["welcome","order_confirmation"]' > /dev/null
  run_evt schema contracts user.deleted
  [ "$status" = 66 ]
  assert_one_error_line "$err"
  # The same schema is what the registry holds once the type is used.
  evt publish order.placed --data '{"orderId":"o1","userId":"u1"}' | grep -q '"version":"1"'
  [ "$(evt schema show order.placed --json)" = "$(evt schema contracts --json order.placed | jq -c .schema)" ]
}

@test "only the SMTP mailer loads libcurl: the evt binary does not link it" {
  ! ldd "$EVT_BIN" | grep -q libcurl
  # Commands that send no mail never open it.
  LD_DEBUG=files evt publish a.b --data 1 -q 2> "$BATS_TEST_TMPDIR/ld" >/dev/null
  ! grep -q 'libcurl' "$BATS_TEST_TMPDIR/ld"
}
