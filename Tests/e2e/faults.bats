#!/usr/bin/env bats
load helpers

pending() { rcli XPENDING "$(stream_key $1)" "$2" | head -n 1; }

@test "kill -9 of one of two consumers mid-way through 10,000 events: the survivor reclaims; every event handled exactly once" {
  seq 1 10000 | sed 's/.*/{"type":"job.run","data":&}/' | evt publish --ndjson -q
  mkdir "$BATS_TEST_TMPDIR/done"
  # Idempotent handler: one directory per event id (mkdir of an existing one changes nothing).
  handler="mkdir -p '$BATS_TEST_TMPDIR/done/'\"\$EVT_ID\"; echo \$EVT_ID >> '$BATS_TEST_TMPDIR/log'"
  "$EVT_BIN" subscribe --group g --consumer victim --exec "$handler" job.run &
  victim=$!
  "$EVT_BIN" subscribe --group g --consumer survivor --claim-idle 1 --timeout 5 --exec "$handler" job.run &
  survivor=$!
  wait_for "[ \$(ls '$BATS_TEST_TMPDIR/done' | wc -l) -ge 2000 ]" 60
  kill -9 $victim
  set +e
  wait $survivor
  code=$?
  set -e
  [ "$code" -eq 75 ]  # it ran until nothing arrived for 5 s
  [ "$(ls "$BATS_TEST_TMPDIR/done" | wc -l)" = 10000 ]
  [ "$(pending job.run g)" = 0 ]
  # At-least-once: only what the victim was handling when it died may have run twice.
  [ "$(wc -l < "$BATS_TEST_TMPDIR/log")" -le 10001 ]
  # The dead consumer had nothing left pending, so it is removed once idle long enough (10 x claim-idle);
  # here it must at least never have been removed while it held entries.
  [ "$(dlq_count g)" = 0 ]
}

@test "Redis killed and restarted (append-only file on) while a subscriber runs: it reconnects and finishes; nothing lost" {
  dir="$BATS_TEST_TMPDIR/aof"
  mkdir -p "$dir" "$BATS_TEST_TMPDIR/done"
  start_aof "$dir"
  export EVT_REDIS_URL="unix://$dir/r.sock"
  seq 1 2000 | sed 's/.*/{"type":"job.run","data":&}/' | evt publish --ndjson -q
  "$EVT_BIN" subscribe --group g --timeout 6 --exec "mkdir -p '$BATS_TEST_TMPDIR/done/'\"\$EVT_ID\"" job.run 2> "$BATS_TEST_TMPDIR/err" &
  sub=$!
  wait_for "[ \$(ls '$BATS_TEST_TMPDIR/done' | wc -l) -ge 300 ]" 60
  kill -9 $AOF_PID
  wait $AOF_PID || true
  sleep 1
  start_aof "$dir"
  set +e
  wait $sub
  code=$?
  set -e
  [ "$code" -eq 75 ]
  [ "$(ls "$BATS_TEST_TMPDIR/done" | wc -l)" = 2000 ]
  [ "$(redis-cli -s "$dir/r.sock" XPENDING "$(stream_key job.run)" g | head -n 1)" = 0 ]
  grep -q "lost the connection" "$BATS_TEST_TMPDIR/err"
  grep -q "reconnected to" "$BATS_TEST_TMPDIR/err"
  # One line per state change, not a flood (plus the final timeout line).
  [ "$(grep -c . "$BATS_TEST_TMPDIR/err")" -le 3 ]
  kill $AOF_PID
  wait $AOF_PID || true
}

@test "tail -f survives a Redis restart and keeps printing" {
  dir="$BATS_TEST_TMPDIR/aof2"
  mkdir -p "$dir"
  start_aof "$dir"
  export EVT_REDIS_URL="unix://$dir/r.sock"
  evt publish a.b --data 1 >/dev/null
  "$EVT_BIN" tail -f --json > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
  tailer=$!
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/out') -ge 1 ]"
  redis-cli -s "$dir/r.sock" shutdown >/dev/null 2>&1 || true
  wait $AOF_PID || true
  start_aof "$dir"
  evt publish a.b --data 2 >/dev/null
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/out') -ge 2 ]" 20
  kill -INT $tailer
  wait $tailer
  [ "$(sed 's/.*"data":\([0-9]*\)}.*/\1/' "$BATS_TEST_TMPDIR/out" | tr '\n' ' ')" = "1 2 " ]
  grep -q "reconnected" "$BATS_TEST_TMPDIR/err"
  kill $AOF_PID
  wait $AOF_PID || true
}
