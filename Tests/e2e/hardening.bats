#!/usr/bin/env bats
# Hostile input and unlucky operators (issue 8): one test per defect found from the outside,
# each named after its item. Each fails on b76b906.
load helpers

xlen() { rcli XLEN "$(stream_key $1)"; }
# 50,000 NDJSON drafts of a.b numbered by data.i, trickling out over about a second.
trickle() {
  "$PY" -c '
import sys, time
for i in range(50000):
    print("{\"type\":\"a.b\",\"data\":{\"i\":%d}}" % i)
    if i % 500 == 0:
        sys.stdout.flush(); time.sleep(0.01)'
}
user() { evt publish user.created --data "{\"userId\":\"$1\",\"email\":\"$2\",\"name\":\"$3\"}" -q >/dev/null; }

@test "item 1: a group never consumes its own event.failed, and a failed event.failed is announced by reference" {
  evt publish a.b --data '{"x":1}' -q >/dev/null
  run_evt subscribe --group g --until-empty --exec 'exit 65' '*'
  [ "$status" -eq 1 ]
  [ "$(xlen event.failed)" = 1 ]
  [ "$(dlq_count g)" = 1 ]
  # Run again: its own announcement is acknowledged unhandled, nothing new is dead-lettered.
  run_evt subscribe --group g --until-empty --exec 'exit 65' '*'
  [ "$status" -eq 0 ]
  [ "$(xlen event.failed)" = 1 ]
  [ "$(dlq_count g)" = 1 ]
  [ "$(rcli XPENDING "$(stream_key event.failed)" g | head -1)" = 0 ]
  # Another group that fails g's event.failed announces it by reference: no growth.
  run_evt subscribe --group other --until-empty --exec 'exit 65' event.failed
  [ "$status" -eq 1 ]
  [ "$(xlen event.failed)" = 2 ]
  second=$(evt tail --json -n 1 event.failed)
  echo "$second" | "$PY" -c 'import json,sys; e=json.load(sys.stdin)["data"]["event"]; assert e["type"]=="event.failed" and e["data"] is None, e'
  [ "${#second}" -lt 1200 ]
  run_evt subscribe --group other --until-empty --exec 'exit 65' event.failed
  [ "$status" -eq 0 ]
  [ "$(xlen event.failed)" = 2 ]
}

@test "item 2: injected mail headers and SMTP commands are refused by the contract and by the worker" {
  evil='{"userId":"u1","email":"victim@example.com>\r\nBcc: attacker@evil.com\r\nSubject: <x","name":"Bob"}'
  run_evt publish user.created --data "$evil"
  [ "$status" -eq 65 ]
  [[ "$err" == *"data/email: "*"is not a valid email"* ]]
  run_evt publish user.created --data '{"userId":"u2","email":"not-an-address","name":"Bob"}'
  [ "$status" -eq 65 ]
  run_evt publish user.created --data '{"userId":"u3","email":"a@example.com","name":"Bob\r\nBcc: attacker@evil.com"}'
  [ "$status" -eq 65 ]
  assert_nothing_written
  # Written behind evt's back: dead-lettered, never mailed; the next user is mailed normally.
  rcli XADD "$(stream_key user.created)" '*' event \
    "{\"id\":\"e1\",\"type\":\"user.created\",\"version\":\"1.0\",\"timestamp\":\"2026-11-27T10:00:00.000Z\",\"data\":$(printf '%s' "$evil")}" >/dev/null
  rcli SADD "$EVT_NAMESPACE:types" user.created >/dev/null
  user u4 good@example.com Good
  start_sink
  run_evt run-email-worker --smtp "smtp://127.0.0.1:$SMTP_PORT" --until-empty
  [ "$status" -eq 1 ]
  [ "$(ls "$INBOX" | wc -l)" = 1 ]
  ! grep -rqi 'attacker\|^Bcc' "$INBOX"
  grep -q '^X-Envelope-To: good@example.com' "$INBOX"/*.eml
  [ "$(dlq_count email-worker)" = 1 ]
  # The log quotes the bad address escaped, on one line: nothing forged.
  ! printf '%s\n' "$err" | grep -q '^Bcc'
  mkdir -p "$BATS_TEST_TMPDIR/out"
  run_evt replay-dlq --group email-worker
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  ! grep -rqi 'attacker' "$BATS_TEST_TMPDIR/out"
  kill "$SINK_PID"
}

@test "item 3: overflowing numbers and durations are usage errors (64), never a crash" {
  for v in inf 1e300 9.3e15 -1 nan 99999999999999999999; do
    run_evt subscribe x.y --timeout "$v"
    [ "$status" -eq 64 ] || { echo "--timeout $v: $status $err"; return 1; }
    assert_one_error_line "$err"
  done
  run_evt tail --since 999999999999999d
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt replay-dlq --since 99999999999999d --list
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt publish a.b --data 1 --max-size 9999999999999m
  [ "$status" -eq 64 ]
  [[ "$err" != *"-"[0-9]* ]]
  run_evt subscribe --group g x.y --claim-idle 99999999999999d
  [ "$status" -eq 64 ]
  EVT_COMMAND_TIMEOUT=1e300 run_evt publish a.b --data 1
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt tail -n 99999999999999999999
  [ "$status" -eq 64 ]
  assert_nothing_written
}

@test "item 4: publish --ndjson --retry survives a Redis restart without losing or doubling a line" {
  stop_redis
  port=$(free_port)
  dir="$BATS_TEST_TMPDIR/aof"
  mkdir -p "$dir"
  start() { redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync always --save '' \
    </dev/null >/dev/null 2>&1 & redis=$!; }
  export EVT_REDIS_URL="redis://127.0.0.1:$port"
  start
  wait_for "redis-cli -p $port ping >/dev/null 2>&1"
  # Feed evt through a pipe that trickles, kill Redis in the middle, bring it back.
  trickle | "$EVT_BIN" publish --ndjson --retry 30s 2> "$BATS_TEST_TMPDIR/err" &
  evt_pid=$!
  sleep 0.4
  kill -9 "$redis"; wait "$redis" 2>/dev/null || true
  sleep 0.5
  start
  wait "$evt_pid"
  cat "$BATS_TEST_TMPDIR/err"
  grep -q 'published 50000 events' "$BATS_TEST_TMPDIR/err"
  grep -q 'retrying' "$BATS_TEST_TMPDIR/err"
  [ "$(redis-cli -p "$port" XLEN "$(stream_key a.b)")" = 50000 ]
  distinct=$(redis-cli -p "$port" XRANGE "$(stream_key a.b)" - + | grep -o '"i":[0-9]*' | sort -u | wc -l)
  [ "$distinct" = 50000 ]

  # Without --retry: a clear account of how far it got, and where to resume.
  redis-cli -p "$port" DEL "$(stream_key a.b)" >/dev/null
  trickle | "$EVT_BIN" publish --ndjson 2> "$BATS_TEST_TMPDIR/err2" &
  evt_pid=$!
  sleep 0.4
  kill -9 "$redis"; wait "$redis" 2>/dev/null || true
  set +e; wait "$evt_pid"; code=$?; set -e
  cat "$BATS_TEST_TMPDIR/err2"
  [ "$code" -eq 69 ]
  [ "$(grep -c '^evt: error: ' "$BATS_TEST_TMPDIR/err2")" = 1 ]
  grep -q 'evt: published [0-9]* events; resume from line [0-9]*' "$BATS_TEST_TMPDIR/err2"
  # Redis down at start: --retry waits for it.
  ( sleep 1; start; wait ) &
  run_evt publish --ndjson --retry 20s <<< '{"type":"a.c","data":1}'
  [ "$status" -eq 0 ]
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
}

@test "item 5: data nested exactly 256 deep is published and read by every reader" {
  deep=$("$PY" -c 'print("[" * 256 + "]" * 256)')
  run_evt publish a.b --data "$deep" -q
  [ "$status" -eq 0 ]
  run_evt publish a.b --data "[$deep]"
  [ "$status" -eq 65 ]
  evt tail --pretty -n 1 | grep -qv 'not an envelope'
  evt tail --json -n 1 | EVT_NAMESPACE="${EVT_NAMESPACE}copy" evt publish --ndjson -q
  [ "$(rcli XLEN "${EVT_NAMESPACE}copy:{a.b}:stream")" = 1 ]
  run_evt subscribe --group g --until-empty --exec 'exit 65' a.b
  [ "$status" -eq 1 ]
  # The event.failed that embeds it is readable too (and so is its copy).
  evt tail --pretty -n 1 event.failed | grep -qv 'not an envelope'
  run_evt subscribe --group h --until-empty --exec 'true' event.failed
  [ "$status" -eq 0 ]
  [ "$(dlq_count h)" = 0 ]
  evt tail --json -n 1 event.failed | EVT_NAMESPACE="${EVT_NAMESPACE}copy" evt publish --ndjson -q
}

@test "item 6: a handler running longer than --claim-idle is not run a second time by another consumer" {
  evt publish a.b --data 1 -q >/dev/null
  evt publish a.b --data 2 -q >/dev/null
  for c in 1 2; do
    "$EVT_BIN" subscribe --group g --consumer "c$c" --claim-idle 1s --until-empty --wait-pending \
      --exec "sleep 3; echo \$EVT_ID >> '$BATS_TEST_TMPDIR/handled'" a.b &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  [ "$(wc -l < "$BATS_TEST_TMPDIR/handled")" = 2 ]
  [ "$(sort -u "$BATS_TEST_TMPDIR/handled" | wc -l)" = 2 ]
}

@test "item 6: a slow SMTP server does not make two workers send the same mail" {
  SINK_DATA_DELAY=5 start_sink
  user u1 a1@example.com A1
  for w in 1 2; do
    "$EVT_BIN" run-email-worker --smtp "smtp://127.0.0.1:$SMTP_PORT" --claim-idle 2s --until-empty 2>> "$BATS_TEST_TMPDIR/log" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  kill "$SINK_PID"
  cat "$BATS_TEST_TMPDIR/log"
  [ "$(ls "$INBOX" | wc -l)" = 1 ]
}

@test "item 7: a 450 for one recipient counts against that mail only; other mail flows, --until-empty ends" {
  SINK_DEFER_RCPT=busy@example.com start_sink
  user u1 a1@example.com A1
  user u2 busy@example.com Busy
  user u3 a3@example.com A3
  run timeout 60 "$EVT_BIN" run-email-worker --smtp "smtp://127.0.0.1:$SMTP_PORT" --until-empty --backoff-base 50ms
  kill "$SINK_PID"
  echo "$output"
  [ "$status" -eq 1 ]
  [ "$(ls "$INBOX" | wc -l)" = 2 ]
  [ "$(dlq_count email-worker)" = 1 ]
  [[ "$output" == *"Mailbox busy"* ]]
  [[ "$output" != *"circuit open"* ]]
}

@test "item 8: done markers know the type: the same id in two types is mailed twice" {
  evt create-user --id u1 --name Ada --email ada@example.com >/dev/null
  evt publish user.created --id same-id --data '{"userId":"u2","email":"bob@example.com","name":"Bob"}' -q >/dev/null
  evt publish order.placed --id same-id --data '{"orderId":"o1","userId":"u1"}' -q >/dev/null
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$status" -eq 0 ]
  # Ada's welcome, Bob's welcome and the order confirmation: three mails.
  [ "$(ls "$BATS_TEST_TMPDIR/out" | wc -l)" = 3 ]
  ls "$BATS_TEST_TMPDIR/out" | grep -q '^same-id.order_confirmation@'
  [[ "$err" != *"already done"* ]]
}

@test "item 9: outbox file names never collide" {
  evt create-user --id u1 --name Ada --email ada@example.com >/dev/null
  for id in 'a/b' 'a:b' 'a_b' 'a%2Fb' '..' "$(printf 'x%.0s' $(seq 1 200))"; do
    evt publish order.placed --id "$id" --data '{"orderId":"o","userId":"u1"}' -q >/dev/null
  done
  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/out" --until-empty
  [ "$status" -eq 0 ]
  [ "$(ls "$BATS_TEST_TMPDIR/out" | grep -c '\.eml$')" = 7 ]  # 6 confirmations and Ada's welcome
  [ "$(grep -h '^Message-ID: ' "$BATS_TEST_TMPDIR"/out/*.eml | sort -u | wc -l)" = 7 ]
}

@test "item 10: nothing from an event reaches the terminal raw; --json is always one JSON value per line" {
  esc=$'\e'
  evt publish a.b --data '{"t":"\u001b]0;owned\u0007","bidi":"\u202e","c1":"\u009b"}' -H "k=${esc}[2Jx" -q >/dev/null
  rcli XADD "$(stream_key a.b)" '*' event "$(printf 'garbage\e[31m')" >/dev/null
  rcli XADD "$(stream_key a.b)" '*' other "$(printf 'x\ny')" >/dev/null
  evt tail --pretty -n 10 > "$BATS_TEST_TMPDIR/pretty"
  ! grep -q "$esc" "$BATS_TEST_TMPDIR/pretty"
  ! grep -qP '\x{202e}|\x{009b}' "$BATS_TEST_TMPDIR/pretty"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/pretty")" = 3 ]
  evt tail --json -n 10 > "$BATS_TEST_TMPDIR/json"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/json")" = 3 ]
  assert_json_lines "$BATS_TEST_TMPDIR/json"
  grep -q '"notAnEnvelope":true' "$BATS_TEST_TMPDIR/json"
  # Dead-letter reasons come from handlers' standard error.
  evt publish c.d --data 1 -q >/dev/null
  run_evt subscribe --group g --until-empty --exec 'printf "bad\033]0;title\007\nforged line" >&2; exit 65' c.d
  evt replay-dlq --list --pretty > "$BATS_TEST_TMPDIR/dlq"
  ! grep -q "$esc" "$BATS_TEST_TMPDIR/dlq"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/dlq")" = 1 ]
  # evt's own lines (the handler's standard error is its own, passed through as it is).
  ! printf '%s\n' "$err" | grep '^evt:' | grep -q "$esc"
}

@test "item 11: passwords are never printed; EVT_REDIS_PASSWORD and --password-file keep them off the command line" {
  use_own_server
  for url in 'redis:/user:S3cretPW@127.0.0.1:7900' 'redis//u:S3cretPW@127.0.0.1:7900' 'rediss://u:S3cretPW@h:0' \
    'redis://u:S3cretPW@127.0.0.1:notaport' 'unix:///x.sock?password=S3cretPW&bad=1'; do
    run_evt publish a.b --data 1 --redis-url "$url"
    [ "$status" -eq 64 ] && [[ "$err" != *S3cretPW* ]] || { echo "$url: $status $err"; return 1; }
  done
  run_evt run-email-worker --smtp 'smtpx://mailuser:SmtpS3cret@127.0.0.1:25'
  [ "$status" -eq 64 ]
  [[ "$err" != *SmtpS3cret* ]]
  rcli CONFIG SET requirepass 'pw-from-file' >/dev/null
  export REDISCLI_AUTH=pw-from-file
  printf 'pw-from-file\n' > "$BATS_TEST_TMPDIR/pw"
  evt publish a.b --data 1 --password-file "$BATS_TEST_TMPDIR/pw" -q
  EVT_REDIS_PASSWORD=pw-from-file evt publish a.b --data 1 -q
  EVT_REDIS_PASSWORD=wrong run_evt publish a.b --data 1
  [ "$status" -eq 77 ]
  [[ "$err" != *wrong* ]]
  [ "$(rcli XLEN "$(stream_key a.b)")" = 2 ]
  # A password given in the URL anyway is blanked out of what ps shows once evt runs.
  "$EVT_BIN" subscribe --redis-url "unix://$REDIS_SOCK?password=pw-from-file" --timeout 3s x.y 2>/dev/null &
  pid=$!
  sleep 0.5
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'password=\*\*\*'
  ! grep -q pw-from-file "/proc/$pid/cmdline"
  wait "$pid" || true
}

@test "item 12: a second SIGTERM, and SIGHUP, leave no handler running" {
  evt publish a.b --data 1 -q >/dev/null
  "$EVT_BIN" subscribe --group g --exec "touch '$BATS_TEST_TMPDIR/started'; exec sleep 417" a.b &
  pid=$!
  wait_for "[ -e '$BATS_TEST_TMPDIR/started' ]"
  kill -TERM "$pid"; sleep 0.3; kill -TERM "$pid"
  set +e; wait "$pid"; code=$?; set -e
  [ "$code" -eq 130 ]
  sleep 0.2
  ! pgrep -f 'sleep 417'
  [ "$(rcli XPENDING "$(stream_key a.b)" g | head -1)" = 1 ]
  # SIGHUP stops gracefully: the handler is stopped after --shutdown-timeout, the event stays pending.
  "$EVT_BIN" subscribe --group g --consumer c2 --claim-idle 1ms --shutdown-timeout 500ms \
    --exec "touch '$BATS_TEST_TMPDIR/started2'; exec sleep 418" a.b &
  pid=$!
  wait_for "[ -e '$BATS_TEST_TMPDIR/started2' ]"
  kill -HUP "$pid"
  set +e; wait "$pid"; code=$?; set -e
  [ "$code" -eq 0 ]
  ! pgrep -f 'sleep 418'
}

@test "item 13: a handler that leaves a background child does not hold up the consumer" {
  for i in 1 2 3; do evt publish a.b --data $i -q >/dev/null; done
  start=$SECONDS
  run_evt subscribe --group g --until-empty --exec 'sleep 419 & echo started' a.b
  [ "$status" -eq 0 ]
  [ $((SECONDS - start)) -lt 4 ]
  [ "$(printf '%s\n' "$out" | grep -c started)" = 3 ]
  sleep 0.2
  ! pgrep -f 'sleep 419'
}

@test "item 14: arguments that are not UTF-8 are refused, as the same bytes from a file are" {
  run_evt publish a.b --data $'{"a":"\xff"}'
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt create-user --name $'Ev\xffe' --email e@example.com
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  printf '{"a":"\xff"}' > "$BATS_TEST_TMPDIR/bad.json"
  run_evt publish a.b --data "@$BATS_TEST_TMPDIR/bad.json"
  [ "$status" -eq 65 ]
  EVT_NAMESPACE=$'n\xff' run_evt tail
  [ "$status" -eq 64 ]
  assert_nothing_written
}

@test "item 15: names with C1 controls, bidi overrides or line separators, or too many bytes, are refused" {
  for name in $'A\xc2\x85B' $'A\xc2\x9bB' $'A\xe2\x80\xaeB' $'A\xe2\x80\xa8B' $'A\xe2\x81\xa6B'; do
    run_evt create-user --name "$name" --email a@example.com
    [ "$status" -eq 65 ] || { echo "accepted: $name"; return 1; }
  done
  long=$("$PY" -c 'print("a" + "\u0301" * 60000)')
  run_evt create-user --name "$long" --email a@example.com
  [ "$status" -eq 65 ]
  [[ "$err" == *bytes* ]]
  assert_nothing_written
}

@test "item 16: a member name given twice is refused, in data and in envelopes" {
  run_evt publish order.placed --data '{"orderId":"o","userId":"u","userId":5}'
  [ "$status" -eq 65 ]
  [[ "$err" == *twice* ]]
  run_evt publish a.b --data '{"a":{"b":1,"b":2}}'
  [ "$status" -eq 65 ]
  run_evt publish a.b --data '{"a":1,"\u0061":2}'
  [ "$status" -eq 65 ]
  run_evt publish --ndjson <<< '{"type":"a.b","data":1,"data":2}'
  [ "$status" -eq 65 ]
  assert_nothing_written
  evt publish a.b --data '{"a":1,"A":2,"b":{"a":1}}' -q >/dev/null
}

@test "item 17: a closed output ends evt quietly and at once; a group acknowledges only what it wrote" {
  "$PY" -c 'for i in range(3000): print("{\"type\":\"a.b\",\"data\":\"%04d%s\"}" % (i, "x" * 1000))' | evt publish --ndjson -q
  set +e
  "$EVT_BIN" tail -n 3000 2> "$BATS_TEST_TMPDIR/err" | head -1 > /dev/null
  code=${PIPESTATUS[0]}
  set -e
  [ "$code" -eq 0 ] || [ "$code" -eq 141 ]
  [ ! -s "$BATS_TEST_TMPDIR/err" ]
  start=$SECONDS
  set +e
  timeout 10 "$EVT_BIN" tail -f -n 1 2> "$BATS_TEST_TMPDIR/err" | head -1 > /dev/null
  code=${PIPESTATUS[0]}
  set -e
  [ "$code" -eq 0 ] || [ "$code" -eq 141 ]
  [ $((SECONDS - start)) -lt 3 ]
  [ ! -s "$BATS_TEST_TMPDIR/err" ]
  set +e
  "$EVT_BIN" subscribe --group g --consumer first --until-empty a.b 2> "$BATS_TEST_TMPDIR/err" | head -1 > /dev/null
  code=${PIPESTATUS[0]}
  set -e
  [ "$code" -eq 0 ] || [ "$code" -eq 141 ]
  [ ! -s "$BATS_TEST_TMPDIR/err" ]
  # What the first consumer did not write went back to the group: another takes it at once
  # (its claim-idle is an hour), and between them every event is acknowledged exactly once.
  pending=$(rcli XPENDING "$(stream_key a.b)" g | head -1)
  [ "$pending" -gt 0 ]
  count=$(evt subscribe --group g --consumer second --claim-idle 1h --until-empty a.b | wc -l)
  [ "$count" -ge "$pending" ]
  [ "$(rcli XPENDING "$(stream_key a.b)" g | head -1)" = 0 ]
  read_by_first=$(rcli XINFO GROUPS "$(stream_key a.b)" | sed -n '/entries-read/{n;p}')
  [ "$read_by_first" = 3000 ]
}

@test "item 18: --until-empty says what other consumers still hold; --wait-pending waits for it" {
  evt publish a.b --data 1 -q >/dev/null
  evt publish a.b --data 2 -q >/dev/null
  evt subscribe --group g --count 1 --start beginning a.b >/dev/null 2>&1 </dev/null || true
  rcli XGROUP CREATECONSUMER "$(stream_key a.b)" g dead >/dev/null
  rcli XREADGROUP GROUP g dead COUNT 1 STREAMS "$(stream_key a.b)" '>' >/dev/null
  # A consumer that stops reading and claiming is taken for dead after a third of
  # --claim-idle and a second (a live one is waited for).
  run_evt subscribe --group g --until-empty --claim-idle 6s a.b
  [ "$status" -eq 1 ]
  [[ "$err" == *"still pending on other consumers (dead: 1)"* ]]
  assert_one_error_line "$err"
  run_evt subscribe --group g --until-empty --wait-pending --claim-idle 500ms a.b
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
}

@test "item 19: key layout is unambiguous: no ':' in namespaces or groups; a type named types works" {
  run_evt publish a.b --data 1 --namespace ovl:stream
  [ "$status" -eq 64 ]
  run_evt subscribe --group 'stream:a.b' a.b
  [ "$status" -eq 64 ]
  run_evt replay-dlq --group 'x:y' --list
  [ "$status" -eq 64 ]
  assert_nothing_written
  evt publish types --data 1 -q >/dev/null
  evt publish dlq --data 2 -q >/dev/null
  [ "$(evt tail --json | wc -l)" = 2 ]
  [ "$(rcli TYPE "$EVT_NAMESPACE:types")" = set ]
}

@test "item 20: clear messages: permissions, scripts, SMTP replies, hints, negative values, typos" {
  use_own_server
  rcli ACL SETUSER limited on '>pw' '~other:*' '+@all' >/dev/null
  url="unix://$REDIS_SOCK?user=limited&password=pw"
  run_evt publish a.b --data 1 --redis-url "$url"
  [ "$status" -eq 77 ]
  assert_one_error_line "$err"
  [[ "$err" == *"permission denied"* && "$err" == *"$EVT_NAMESPACE"* ]]
  run_evt create-user --name Ada --email ada@example.com --redis-url "$url"
  [ "$status" -eq 77 ]
  assert_one_error_line "$err"
  [[ "$err" != *user_script* && "$err" != *"Error running script"* ]]
  rcli ACL SETUSER limited '~*' >/dev/null
  rcli ACL SETUSER limited -get >/dev/null
  run_evt create-user --name Ada --email ada@example.com --redis-url "$url"
  [ "$status" -eq 77 ]
  [[ "$err" != *user_script* ]]
  EVT_REDIS_URL=redis://127.0.0.1:1 run_evt publish a.b --data 1
  [ "$status" -eq 69 ]
  [[ "$err" != *"set --redis-url"* ]]
  (unset EVT_REDIS_URL; run_evt publish a.b --data 1 --connect-timeout 200ms; [[ "$err" == *"set --redis-url"* ]] || [ "$status" -eq 0 ])
  for args in "publish a.b --data 1 --max-size -1" "publish a.b --data 1 --retry -1" "tail -n -1" "subscribe a.b --count -3"; do
    run_evt $args
    [ "$status" -eq 64 ] && [[ "$err" != *"Missing value"* ]] || { echo "$args: $err"; return 1; }
  done
  run_evt run-email-worker --group 'a b' --outbox "$BATS_TEST_TMPDIR/o"
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt publish --dta '{}'
  [ "$status" -eq 64 ]
  [[ "$err" == *"unknown option '--dta'"* ]]
  run_evt pubish x
  [ "$status" -eq 64 ]
  [[ "$err" == *"did you mean 'publish'"* ]]
  [ "$(evt publish --help | grep -c 'default.*1m\|1m.*default')" = 1 ]
  # An SMTP 550 is quoted with the server's own words.
  SINK_REJECT_RCPT=gone@example.com start_sink
  user u1 gone@example.com Gone
  run_evt run-email-worker --smtp "smtp://127.0.0.1:$SMTP_PORT" --until-empty
  kill "$SINK_PID"
  [[ "$err" == *"No such user here"* ]]
}

@test "item 21: impossible dates, oversize files, one duration syntax, and a group recreated after Redis lost it" {
  run_evt tail --since 2026-02-31
  [ "$status" -eq 64 ]
  evt tail --since 2028-02-29 >/dev/null
  head -c 2100000 /dev/zero | tr '\0' 'x' | sed 's/.*/"&"/' > "$BATS_TEST_TMPDIR/big.json"
  run_evt publish a.b --data "@$BATS_TEST_TMPDIR/big.json"
  [ "$status" -eq 65 ]
  [[ "$err" == *"over the limit of 1048576 bytes"* && "$err" != *JSON* ]]
  assert_nothing_written
  run_evt subscribe a.b --group g --timeout 300ms --claim-idle 1h30m --backoff-base 500ms --backoff-max 2m --shutdown-timeout 1m
  [ "$status" -eq 75 ]
  [[ "$err" == *"within 300ms"* ]]
  # Redis loses everything (restarted empty): the consumer makes its group again.
  "$EVT_BIN" subscribe --group g --count 1 a.b > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
  pid=$!
  sleep 0.5
  rcli_each FLUSHALL >/dev/null
  sleep 0.8
  evt publish a.b --data 42 -q >/dev/null
  wait "$pid"
  grep -q '"data":42' "$BATS_TEST_TMPDIR/out"
}

@test "item 22: after SIGTERM a consumer behind a slow reader stops at once and leaves the rest pending" {
  "$PY" -c 'for i in range(1000): print("{\"type\":\"a.b\",\"data\":\"%s\"}" % ("x" * 200))' | evt publish --ndjson -q
  fifo="$BATS_TEST_TMPDIR/fifo"
  mkfifo "$fifo"
  "$PY" -c '
import sys, time
f = open(sys.argv[1], "rb")
while f.read(512): time.sleep(0.05)' "$fifo" &
  reader=$!
  "$EVT_BIN" subscribe --group g a.b > "$fifo" 2> "$BATS_TEST_TMPDIR/err" &
  pid=$!
  sleep 1
  start=$SECONDS
  kill -TERM "$pid"
  wait "$pid"
  [ $((SECONDS - start)) -lt 2 ]
  kill "$reader" 2>/dev/null || true
  grep -q 'not printed and stay pending' "$BATS_TEST_TMPDIR/err"
  pending=$(rcli XPENDING "$(stream_key a.b)" g | head -1)
  [ "$pending" -gt 0 ]
}
