#!/usr/bin/env bats
# Issue 12: stats and lag, retention, metrics and health, structured logs, trace context.
load helpers

# Processes a test stopped (kill -STOP) are let go on before they are killed.
teardown() {
  jobs -p | xargs -r kill -CONT 2>/dev/null || true
  jobs -p | xargs -r kill 2>/dev/null || true
  stop_redis
}

# GET $1: prints the status code, a newline and the body.
http_get() {
  "$PY" - "$1" <<'EOF'
import sys, urllib.request, urllib.error
try:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
            print(r.status); sys.stdout.write(r.read().decode())
    except urllib.error.HTTPError as e:
        print(e.code); sys.stdout.write(e.read().decode())
    sys.stdout.flush()
except BrokenPipeError:
    pass
EOF
}

# The value of Prometheus sample $2 (name{labels}) in the /metrics of port $1 (empty if absent).
metric() { http_get "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'; }

# Publishes $2 order.placed events (type $1).
publish_many() {
  local i
  for i in $(seq 1 "$2"); do printf '{"type":"%s","data":{"n":%d}}\n' "$1" "$i"; done | evt publish --ndjson -q
}

# A field of `evt stats --json` for type $1, group $2 (python expression on g).
stats_group() {
  evt stats --json "$1" | "$PY" -c "import json, sys
t = json.load(sys.stdin)['types'][0]
g = [g for g in t['groups'] if g['group'] == '$2'][0]
print($3)"
}

# The same figure from Redis itself: XINFO GROUPS field $3 of group $2 on type $1's stream.
xinfo_group() {
  rcli XINFO GROUPS "$(stream_key "$1")" | awk -v g="$2" -v f="$3" '
    prev == "name" { name = $0 } prev == f && name == g { print; exit } { prev = $0 }'
}

@test "stats equals XLEN, XINFO and XPENDING under a running load; lag of a stopped group; --check names what is broken" {
  # A group that read nothing and then stopped: 1,000 events later its lag is 1,000.
  evt subscribe --group stopped --count 1 --timeout 1 load.tick >/dev/null 2>&1 || true
  publish_many load.tick 1000
  [ "$(stats_group load.tick stopped "g['lag']")" = 1000 ]
  [ "$(xinfo_group load.tick stopped lag)" = 1000 ]

  # A slow consumer holds entries pending while a publisher keeps adding.
  "$EVT_BIN" subscribe --group busy --exec 'sleep 0.2' load.tick 2>/dev/null &
  busy=$!
  touch "$BATS_TEST_TMPDIR/go"
  (while [ -f "$BATS_TEST_TMPDIR/go" ]; do evt publish load.tick --data '{"i":1}' -q >/dev/null; sleep 0.05; done) &
  writer=$!
  wait_for "[ \"\$(xinfo_group load.tick busy entries-read)\" -ge 3 ]" 20
  # A still moment to compare: the writer pauses, the consumer is stopped (both resume below).
  rm "$BATS_TEST_TMPDIR/go"
  wait "$writer"
  kill -STOP "$busy"
  sleep 0.5  # a command it sent just before is answered
  json=$(evt stats --json load.tick)
  stream=$(stream_key load.tick)
  expect() { [ "$1" = "$2" ] || { echo "stats says $1, Redis says $2 ($3)"; return 1; }; }
  got() { printf '%s' "$json" | "$PY" -c "import json, sys; t = json.load(sys.stdin)['types'][0]; g = {g['group']: g for g in t['groups']}; v = $1; print('' if v is None else v)"; }
  expect "$(got "t['length']")" "$(rcli XLEN "$stream")" length
  expect "$(got "t['lastId']")" "$(rcli XINFO STREAM "$stream" | awk 'p == "last-generated-id" { print; exit } { p = $0 }')" last-id
  expect "$(got "t['firstId']")" "$(rcli XRANGE "$stream" - + COUNT 1 | head -n 1)" first-id
  for g in stopped busy; do
    expect "$(got "g['$g']['lag']")" "$(xinfo_group load.tick $g lag)" "lag $g"
    expect "$(got "g['$g']['pending']")" "$(xinfo_group load.tick $g pending)" "pending $g"
    expect "$(got "g['$g']['entriesRead']")" "$(xinfo_group load.tick $g entries-read)" "entries-read $g"
    expect "$(got "g['$g']['lastDeliveredId']")" "$(xinfo_group load.tick $g last-delivered-id)" "last-delivered $g"
  done
  expect "$(got "g['busy']['pending']")" "$(rcli XPENDING "$stream" busy | head -n 1)" "XPENDING busy"
  expect "$(got "len(g['busy']['consumers'])")" "$(rcli XINFO CONSUMERS "$stream" busy | grep -c '^name$')" consumers
  # The oldest pending entry's idle time (XPENDING's extended form), read a moment after
  # stats read it: at most that much more.
  idle=$(rcli XPENDING "$stream" busy - + 1 | sed -n 3p)
  ours=$(got "g['busy']['oldestPendingIdleMs']")
  [ "$ours" -le "$idle" ] || { echo "stats: $ours ms, XPENDING later: $idle ms"; return 1; }
  [ "$ours" -gt $((idle - 2000)) ] || { echo "stats: $ours ms, XPENDING later: $idle ms"; return 1; }
  kill -CONT "$busy"
  publish_many load.tick 20

  # Processing figures recorded by the workers (written once a second).
  wait_for "[ \"\$(stats_group load.tick busy \"g['processing']['handled']\")\" -ge 5 ]" 20
  p50=$(stats_group load.tick busy "g['processing']['p50Ms']")
  "$PY" -c "import sys; v = float('$p50'); sys.exit(0 if 150 <= v <= 400 else 1)"  # sleep 0.2 per event
  kill -TERM "$busy"
  wait "$busy" || true

  # --check: one line per broken threshold, exit 1; quiet and 0 when all hold.
  run_evt stats --check 'lag<1000,dlq=0,length>0'
  [ "$status" = 1 ]
  # Both groups are behind by more than 1,000: one line each.
  [ "$(printf '%s\n' "$err" | grep -c '^evt: error: lag<1000: lag of group ')" = 2 ]
  printf '%s\n' "$err" | grep -qx "evt: error: lag<1000: lag of group stopped on load.tick is $(xinfo_group load.tick stopped lag)"
  printf '%s\n' "$err" | grep -qx "evt: error: lag<1000: lag of group busy on load.tick is $(xinfo_group load.tick busy lag)"
  run_evt stats --check 'lag<100000,dlq=0,idle<5m'
  [ "$status" = 0 ]
  [ -z "$err$out" ]
  run_evt stats --check 'lag<<3'
  [ "$status" = 64 ]
  assert_one_error_line "$err"
  # The text view names the same groups and lag.
  evt stats load.tick | grep -E '^  stopped +[0-9]+ ' | grep -q " $(xinfo_group load.tick stopped lag) "
}

@test "stats: dead-letter queues with size and oldest; unknown lag said as unknown; --watch redraws until interrupted" {
  evt publish bad.thing --data '{}' -q >/dev/null
  evt subscribe --group g --until-empty --max-attempts 1 --exec 'exit 3' bad.thing 2>/dev/null || true
  [ "$(stats_group bad.thing g "[d['size'] for d in t['deadLetters'] if d['group'] == 'g'][0]")" = 1 ]
  [ "$(stats_group bad.thing g "g['processing']['deadLettered']")" = 1 ]
  run_evt stats --check 'dlq=0'
  [ "$status" = 1 ]
  [[ "$err" == "evt: error: dlq=0: dead letters of group g on bad.thing is 1" ]]
  # A deleted entry the group has not read makes its lag unknown to Redis.
  publish_many gap.type 3
  evt subscribe --group h --count 1 gap.type >/dev/null
  first=$(rcli XRANGE "$(stream_key gap.type)" - + COUNT 2 | sed -n 4p)
  rcli XDEL "$(stream_key gap.type)" "$first" >/dev/null
  [ "$(stats_group gap.type h "g['lag']")" = None ]
  evt stats gap.type | grep -E '^  h +unknown'
  run_evt stats --check 'lag<5' gap.type
  [ "$status" = 1 ]
  [[ "$err" == *"lag of group h on gap.type is unknown"* ]]

  "$EVT_BIN" stats --watch --interval 200ms --json > "$BATS_TEST_TMPDIR/watch" &
  watcher=$!
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/watch') -ge 3 ]"
  kill -INT "$watcher"
  wait "$watcher"
  assert_json_lines "$BATS_TEST_TMPDIR/watch"
}

@test "trim: two groups, one behind; --maxlen 0 removes only what both acknowledged; the slow group still gets every event" {
  evt subscribe --group fast --count 1 --timeout 1 audit.log >/dev/null 2>&1 || true
  evt subscribe --group slow --count 1 --timeout 1 audit.log >/dev/null 2>&1 || true
  publish_many audit.log 100
  evt subscribe --group fast --until-empty audit.log > "$BATS_TEST_TMPDIR/fast"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/fast")" = 100 ]
  # slow handles 25; another consumer of it reads 5 more and does not acknowledge them.
  [ "$(evt subscribe --group slow --count 25 audit.log | wc -l)" = 25 ]
  rcli XREADGROUP GROUP slow other COUNT 5 STREAMS "$(stream_key audit.log)" '>' >/dev/null
  [ "$(xinfo_group audit.log slow pending)" = 5 ]

  run_evt trim --maxlen 0 --dry-run audit.log
  [ "$status" = 0 ]
  [[ "$out" == "audit.log stream: would remove 25 entries; kept 75 for group slow, which has not finished "* ]]
  [ "$(rcli XLEN "$(stream_key audit.log)")" = 100 ]
  run_evt trim --maxlen 0 audit.log
  [ "$status" = 0 ]
  [[ "$out" == "audit.log stream: removed 25 entries; kept 75 for group slow"* ]]
  [ "$(rcli XLEN "$(stream_key audit.log)")" = 75 ]
  # Everything left is what slow has not acknowledged: its 5 pending, then 70 unread.
  [ "$(rcli XRANGE "$(stream_key audit.log)" - + COUNT 1 | head -n 1)" = "$(rcli XPENDING "$(stream_key audit.log)" slow - + 1 | head -n 1)" ]

  evt subscribe --group slow --until-empty --claim-idle 1ms audit.log > "$BATS_TEST_TMPDIR/slow"
  [ "$(jq -r .data.n "$BATS_TEST_TMPDIR/slow" | sort -n | tr '\n' ' ')" = "$(seq 26 100 | tr '\n' ' ')" ]
  run_evt trim --maxlen 0 audit.log
  [ "$out" = "audit.log stream: removed 75 entries" ]
  [ "$(rcli XLEN "$(stream_key audit.log)")" = 0 ]
  # New events after the trim still reach both groups.
  publish_many audit.log 2
  [ "$(evt subscribe --group slow --until-empty audit.log | wc -l)" = 2 ]
  [ "$(evt subscribe --group fast --until-empty audit.log | wc -l)" = 2 ]
}

@test "trim --max-age, --ignore-groups, --dead-letters and replay streams; publish --maxlen / --max-age cap as they append" {
  publish_many old.news 10
  evt subscribe --group reader --count 1 --timeout 1 old.news >/dev/null 2>&1 || true
  run_evt trim --max-age 1h old.news
  [ "$out" = "old.news stream: removed 0 entries" ]
  sleep 1.1
  run_evt trim --max-age 1s old.news
  [[ "$out" == "old.news stream: removed 1 entry; kept 9 for group reader"* ]]
  run_evt trim --max-age 1s --ignore-groups old.news
  [ "$out" = "old.news stream: removed 9 entries" ]

  # Dead letters: kept unless asked for; replayed events trimmed once the group acknowledged them.
  evt publish bad.thing --data '{}' -q >/dev/null
  evt subscribe --group g --until-empty --max-attempts 1 --exec 'exit 3' bad.thing 2>/dev/null || true
  [ "$(dlq_count g)" = 1 ]
  evt trim --maxlen 0 bad.thing >/dev/null
  [ "$(dlq_count g)" = 1 ]
  evt replay-dlq --group g >/dev/null 2>&1
  evt subscribe --group g --until-empty bad.thing >/dev/null
  [ "$(replay_count g)" = 1 ]
  run_evt trim --maxlen 0 --dead-letters bad.thing
  [[ "$out" == *"bad.thing replay of g: removed 1 entry"* ]]
  [ "$(replay_count g)" = 0 ]
  [ "$(dlq_count g)" = 0 ]
  # replay-dlq first trims what the group acknowledged of earlier replays.
  for round in 1 2; do
    evt publish bad.thing --data '{}' -q >/dev/null
    evt subscribe --group g --until-empty --max-attempts 1 --exec 'exit 3' bad.thing 2>/dev/null || true
    evt replay-dlq --group g 2>/dev/null
    [ "$(replay_count g)" = 1 ]
    [ "$round" = 2 ] || evt subscribe --group g --until-empty bad.thing >/dev/null
  done

  for i in $(seq 1 500); do printf '{"type":"capped.one","data":{}}\n'; done | evt publish --ndjson -q --maxlen 100
  n=$(rcli XLEN "$(stream_key capped.one)")
  [ "$n" -ge 100 ]
  [ "$n" -lt 500 ]
  evt publish capped.two --data '{}' -q >/dev/null
  sleep 1.1
  evt publish capped.two --data '{}' -q --max-age 1s >/dev/null
  # Approximate (~): Redis trims whole nodes only, so an old entry may stay; the command is MINID.
  [ "$(rcli XLEN "$(stream_key capped.two)")" -le 2 ]
  run_evt publish capped.two --data '{}' --maxlen -5
  [ "$status" = 64 ]
  assert_one_error_line "$err"
  run_evt trim --maxlen 1 --max-age 1d
  [ "$status" = 64 ]
  assert_one_error_line "$err"
}

@test "metrics: /metrics during a run counts what was handled; /readyz not ready while the SMTP sink is down and the circuit open" {
  start_sink
  port=$(free_port)
  log="$BATS_TEST_TMPDIR/log"
  "$EVT_BIN" run-email-worker --smtp "smtp://127.0.0.1:$SMTP_PORT" --metrics-addr "127.0.0.1:$port" \
    --breaker-failures 2 --breaker-cool-down 30s --backoff-base 0.05 --log-format json 2>> "$log" &
  worker=$!
  wait_for "http_get http://127.0.0.1:$port/healthz 2>/dev/null | grep -q ok"
  for i in $(seq 1 7); do evt create-user --name "U$i" --email "u$i@example.com" >/dev/null; done
  wait_for "[ \$(ls '$INBOX' 2>/dev/null | wc -l) -ge 7 ]" 30
  wait_for "[ \"\$(metric $port 'evt_events_handled_total{group=\"email-worker\",type=\"user.created\"}')\" = 7 ]"
  [ "$(http_get "http://127.0.0.1:$port/readyz")" = "$(printf '200\nready')" ]
  [ "$(metric $port 'evt_processing_seconds_count{group="email-worker",type="user.created"}')" = 7 ]
  [ "$(metric $port 'evt_group_lag{group="email-worker",type="user.created"}')" = 0.0 ]
  [ "$(metric $port 'evt_breaker_state{group="email-worker"}')" = 0.0 ]

  kill -TERM "$SINK_PID"
  wait "$SINK_PID" || true
  evt create-user --name Late --email late@example.com >/dev/null
  wait_for "http_get http://127.0.0.1:$port/readyz | head -n 1 | grep -q 503" 30
  http_get "http://127.0.0.1:$port/readyz" | grep -q 'not ready: the circuit breaker is open'
  [ "$(metric $port 'evt_breaker_state{group="email-worker"}')" = 2.0 ]
  [ "$(metric $port 'evt_events_failed_total{group="email-worker",type="user.created"}')" -ge 1 ]
  [ "$(http_get "http://127.0.0.1:$port/healthz" | head -n 1)" = 200 ]
  [ "$(http_get "http://127.0.0.1:$port/nope" | head -n 1)" = 404 ]
  kill -TERM "$worker"
  wait "$worker" || true
  # Its log: JSON lines, each with level, time and msg; the circuit change once, not per thread.
  assert_json_lines "$log"
  jq -s -e 'length > 0 and all(has("level") and has("time") and has("msg"))' "$log" >/dev/null
  while read -r line; do printf '%s' "$line" | "$PY" -m json.tool >/dev/null; done < "$log"
  [ "$(jq -r 'select(.msg | startswith("circuit open after")) | .group' "$log")" = email-worker ]
  jq -s -e 'map(select(.msg | startswith("sent welcome mail"))) | length == 7 and all(.event_id and .type == "user.created" and .consumer)' "$log" >/dev/null

  run_evt run-email-worker --outbox "$BATS_TEST_TMPDIR/o" --metrics-addr nonsense
  [ "$status" = 64 ]
  assert_one_error_line "$err"
}

@test "subscribe --group: metrics and heartbeat file; logs as logfmt; bad log options refused" {
  port=$(free_port)
  hb="$BATS_TEST_TMPDIR/heartbeat"
  "$EVT_BIN" subscribe --group m --metrics-addr "127.0.0.1:$port" --heartbeat-file "$hb" --log-format logfmt \
    --exec 'cat >/dev/null' 'tick.*' 2> "$BATS_TEST_TMPDIR/log" &
  sub=$!
  wait_for "[ -f '$hb' ] && http_get http://127.0.0.1:$port/readyz | grep -q ready"
  publish_many tick.a 12
  wait_for "[ \"\$(metric $port 'evt_events_handled_total{group=\"m\",type=\"tick.a\"}')\" = 12 ]"
  before=$(stat -c %Y.%y "$hb")
  sleep 2.2
  [ "$(stat -c %Y.%y "$hb")" != "$before" ]
  kill -TERM "$sub"
  wait "$sub"
  grep -E '^time=[0-9TZ:.-]+ level=info msg="serving /metrics' "$BATS_TEST_TMPDIR/log" | grep -q ' group=m'

  run_evt subscribe --log-level loud x.y
  [ "$status" = 64 ]
  assert_one_error_line "$err"
  EVT_LOG_FORMAT=xml run_evt subscribe x.y
  [ "$status" = 64 ]
  [[ "$err" == *EVT_LOG_FORMAT* ]]
  run_evt subscribe --metrics-addr 127.0.0.1:1 x.y
  [ "$status" = 64 ]
  [[ "$err" == *"needs --group"* ]]
}

@test "trace context: publish → subscribe --exec 'evt publish …' carries correlation id, causation id and traceparent" {
  parent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
  first=$(evt publish order.started --data '{}' -q -H correlationId=flow-42 -H "traceparent=$parent" -H tenant=acme)
  # The handler finds evt on its PATH, as a user's handler would.
  mkdir "$BATS_TEST_TMPDIR/bin"
  ln -s "$EVT_BIN" "$BATS_TEST_TMPDIR/bin/evt"
  ENVFILE="$BATS_TEST_TMPDIR/env" PATH="$BATS_TEST_TMPDIR/bin:$PATH" evt subscribe --group chain --count 1 \
    --exec 'env | grep -E "^(EVT_CORRELATION_ID|TRACEPARENT|EVT_HEADER_TENANT)=" | sort > "$ENVFILE"; evt publish order.next --data "{}" -q >/dev/null' \
    order.started
  [ "$(cat "$BATS_TEST_TMPDIR/env")" = "$(printf 'EVT_CORRELATION_ID=flow-42\nEVT_HEADER_TENANT=acme\nTRACEPARENT=%s' "$parent")" ]
  next=$(evt tail -n 1 --json order.next)
  [ "$(printf '%s' "$next" | jq -r .headers.correlationId)" = flow-42 ]
  [ "$(printf '%s' "$next" | jq -r .headers.causationId)" = "$first" ]
  tp=$(printf '%s' "$next" | jq -r .headers.traceparent)
  [[ "$tp" =~ ^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$ ]]
  [ "$tp" != "$parent" ]
  # An explicit header wins over the inherited one; outside a handler nothing is added.
  EVT_CORRELATION_ID=outer run_evt publish x.y --data '{}' -H correlationId=mine
  [ "$(printf '%s' "$out" | jq -r .headers.correlationId)" = mine ]
  run_evt publish x.y --data '{}'
  [ "$(printf '%s' "$out" | jq -c .headers)" = null ]
}

@test "Redis restarted empty under a group consumer: the group is created again, logged, and consumption goes on" {
  use_own_server
  "$EVT_BIN" subscribe --group phoenix 'life.*' > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
  sub=$!
  publish_many life.one 3
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/out') -ge 3 ]"
  rcli FLUSHALL >/dev/null  # what a restart without persistence leaves
  wait_for "grep -q 'consumer group created again' '$BATS_TEST_TMPDIR/err'" 15
  publish_many life.one 2
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/out') -ge 5 ]"
  kill -TERM "$sub"
  wait "$sub"
  [ "$(grep -c 'consumer group created again' "$BATS_TEST_TMPDIR/err")" -ge 1 ]
}
