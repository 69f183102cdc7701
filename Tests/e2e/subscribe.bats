#!/usr/bin/env bats
load helpers

pending() { rcli XPENDING "$(stream_key $1)" "$2" | head -n 1; }

@test "5,000 events, 4 concurrent group consumers: each handled exactly once, none pending" {
  seq 1 5000 | sed 's/.*/{"type":"job.run","data":&}/' | evt publish --ndjson -q
  pids=()
  for i in 1 2 3 4; do
    "$EVT_BIN" subscribe --group workers --until-empty --json job.run > "$BATS_TEST_TMPDIR/c$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$BATS_TEST_TMPDIR"/c? | sed 's/.*"data":\([0-9]*\)}.*/\1/' | sort -n > "$BATS_TEST_TMPDIR/all"
  diff "$BATS_TEST_TMPDIR/all" <(seq 1 5000)
  [ "$(pending job.run workers)" = 0 ]
}

@test "without --group every live subscriber sees every new event" {
  evt publish a.b --data 0 >/dev/null
  "$EVT_BIN" subscribe --count 2 a.b > "$BATS_TEST_TMPDIR/s1" &
  p1=$!
  "$EVT_BIN" subscribe --count 2 'a.*' > "$BATS_TEST_TMPDIR/s2" &
  p2=$!
  sleep 0.5
  evt publish a.b --data 1 >/dev/null
  evt publish a.c --data 2 >/dev/null
  evt publish a.b --data 3 >/dev/null
  wait $p1 $p2
  [ "$(sed 's/.*"data":\([0-9]*\)}.*/\1/' "$BATS_TEST_TMPDIR/s1" | tr '\n' ' ')" = "1 3 " ]
  [ "$(sed 's/.*"data":\([0-9]*\)}.*/\1/' "$BATS_TEST_TMPDIR/s2" | tr '\n' ' ')" = "1 2 " ]
}

@test "a group starts at the beginning of history, or with --start latest at the end" {
  evt publish a.b --data 1 >/dev/null
  [ "$(evt subscribe --group g1 --until-empty a.b | wc -l)" = 1 ]
  [ "$(evt subscribe --group g2 --start latest --until-empty a.b | wc -l)" = 0 ]
  evt publish a.b --data 2 >/dev/null
  [ "$(evt subscribe --group g2 --until-empty a.b | wc -l)" = 1 ]
  [ "$(evt subscribe --group g1 --until-empty a.b | wc -l)" = 1 ]
}

@test "--exec gets the envelope on stdin and EVT_ID, EVT_TYPE, EVT_STREAM_ID, EVT_DELIVERY" {
  env_out="$BATS_TEST_TMPDIR/env"
  published=$(evt publish user.joined --data '{"name":"$(rm -rf /) `x` ; echo pwned"}')
  evt subscribe --group g --until-empty --exec "cat > '$BATS_TEST_TMPDIR/stdin'; echo \"\$EVT_ID|\$EVT_TYPE|\$EVT_STREAM_ID|\$EVT_DELIVERY\" > '$env_out'" user.joined
  [ "$(cat "$BATS_TEST_TMPDIR/stdin")" = "$published" ]
  [ "$(wc -l < "$BATS_TEST_TMPDIR/stdin")" = 1 ]
  id=$(printf '%s' "$published" | sed 's/{"id":"\([^"]*\)".*/\1/')
  sid=$(rcli XRANGE "$(stream_key user.joined)" - + | head -n 1)
  [ "$(cat "$env_out")" = "$id|user.joined|$sid|1" ]
  [ "$(pending user.joined g)" = 0 ]
}

@test "a handler that fails twice, then succeeds: every event handled, the DLQ empty" {
  for i in 1 2 3; do evt publish a.b --data $i >/dev/null; done
  evt subscribe --group g --until-empty --backoff-base 0.01 --exec '
    n=$(cat "'"$BATS_TEST_TMPDIR"'/$EVT_ID" 2>/dev/null || echo 0); echo $((n + 1)) > "'"$BATS_TEST_TMPDIR"'/$EVT_ID"
    [ "$EVT_ATTEMPT" = $((n + 1)) ] || { echo "EVT_ATTEMPT=$EVT_ATTEMPT, expected $((n + 1))" >> "'"$BATS_TEST_TMPDIR"'/wrong"; }
    [ $n -ge 2 ] || { echo "not yet ($n)" >&2; exit 1; }
    cat >> "'"$BATS_TEST_TMPDIR"'/handled"' a.b 2>/dev/null
  [ "$(wc -l < "$BATS_TEST_TMPDIR/handled")" = 3 ]
  [ "$(cat "$BATS_TEST_TMPDIR"/*-* | sort -u)" = 3 ]
  [ ! -e "$BATS_TEST_TMPDIR/wrong" ]
  [ "$(dlq_count g)" = 0 ]
  [ "$(pending a.b g)" = 0 ]
}

@test "a handler that always fails: each event dead-lettered once with its error text, one event.failed each" {
  for i in 1 2 3; do evt publish a.b --data $i >/dev/null; done
  run_evt subscribe --group g --until-empty --max-attempts 2 --backoff-base 0.01 --exec 'echo "smtp said no to $EVT_ID" >&2; exit 3' a.b
  [ "$status" -eq 1 ]
  [[ "$err" == *"handled 0 events; 3 dead-lettered"* ]]
  [ "$(dlq_count g)" = 3 ]
  [ "$(pending a.b g)" = 0 ]
  for id in $(evt tail --json a.b | sed 's/{"id":"\([^"]*\)".*/\1/'); do
    [ "$(dlq_range g | grep -c "smtp said no to $id")" = 1 ]
  done
  dlq_range g | grep -q '^handler exited with status 3: smtp said no'
  [ "$(evt tail --json -n 100 event.failed | wc -l)" = 3 ]
  evt tail --json -n 1 event.failed | grep -q '"attempts":2,"group":"g"'
}

@test "exit status 65 is a permanent failure: dead-lettered after one attempt" {
  evt publish a.b --data 1 >/dev/null
  run_evt subscribe --group g --until-empty --max-attempts 5 --exec 'echo x >> '"'$BATS_TEST_TMPDIR/tries'"'; exit 65' a.b
  [ "$status" -eq 1 ]
  [ "$(wc -l < "$BATS_TEST_TMPDIR/tries")" = 1 ]
  dlq_range g | grep -qx true
}

@test "garbage entries added with redis-cli are dead-lettered with a reason; the worker goes on" {
  evt publish a.b --data 1 >/dev/null
  rcli XADD "$(stream_key a.b)" '*' foo bar >/dev/null
  rcli XADD "$(stream_key a.b)" '*' event '{"not":"an envelope"}' >/dev/null
  evt publish a.b --data 2 >/dev/null
  run_evt subscribe --group g --until-empty a.b
  [ "$status" -eq 1 ]
  [ "$(printf '%s\n' "$out" | wc -l)" = 2 ]
  [ "$(dlq_count g)" = 2 ]
  dlq_range g | grep -q 'malformed entry: no "event" field (fields: foo)'
  dlq_range g | grep -q 'malformed entry: unknown envelope member "not"'
  [ "$(pending a.b g)" = 0 ]
}

@test "--count exits after N events, across several types, taking no more than N" {
  for i in 1 2 3; do evt publish a.x --data $i >/dev/null; evt publish a.y --data $i >/dev/null; done
  [ "$(evt subscribe --group g --count 4 'a.*' | wc -l)" = 4 ]
  [ "$(( $(pending a.x g) + $(pending a.y g) ))" = 0 ]
  [ "$(evt subscribe --group g --until-empty 'a.*' | wc -l)" = 2 ]
}

@test "--count waits for events that arrive later" {
  "$EVT_BIN" subscribe --group g --count 1 --timeout 20 later.event > "$BATS_TEST_TMPDIR/out" &
  pid=$!
  sleep 0.5
  evt publish later.event --data 7 >/dev/null
  wait $pid
  grep -q '"data":7' "$BATS_TEST_TMPDIR/out"
}

@test "--timeout exits 75 when nothing arrives" {
  start=$SECONDS
  run_evt subscribe --group g --timeout 1 quiet.type
  [ "$status" -eq 75 ]
  assert_one_error_line "$err"
  [ $((SECONDS - start)) -lt 5 ]
  run_evt subscribe --timeout 0.5 quiet.type
  [ "$status" -eq 75 ]
}

@test "SIGTERM finishes the event in hand, acknowledges it and exits 0" {
  for i in 1 2 3; do evt publish slow.job --data $i >/dev/null; done
  "$EVT_BIN" subscribe --group g --exec "touch '$BATS_TEST_TMPDIR/started'; sleep 1; cat >> '$BATS_TEST_TMPDIR/done'" slow.job &
  pid=$!
  wait_for "[ -e '$BATS_TEST_TMPDIR/started' ]"
  kill -TERM $pid
  wait $pid
  [ "$(wc -l < "$BATS_TEST_TMPDIR/done")" -ge 1 ]
  handled=$(wc -l < "$BATS_TEST_TMPDIR/done")
  [ "$(pending slow.job g)" = 0 ]
  [ "$(evt subscribe --group g --until-empty slow.job | wc -l)" = $((3 - handled)) ]
}

@test "output that breaks (a closed pipe) stops the consumer; what was not written stays pending" {
  # Events of 1 KiB, so a batch does not fit in the pipe.
  x=$(printf 'x%.0s' $(seq 1 1000))
  seq 1 3000 | sed "s/.*/{\"type\":\"a.b\",\"data\":\"&$x\"}/" | evt publish --ndjson -q
  set +e
  "$EVT_BIN" subscribe --group g --consumer w a.b 2> "$BATS_TEST_TMPDIR/err" | head -n 1 >/dev/null
  codes=("${PIPESTATUS[@]}")
  set -e
  # Like any tool whose reader went away: quietly, with 141 (issue 8, item 17).
  [ "${codes[0]}" -eq 141 ]
  [ ! -s "$BATS_TEST_TMPDIR/err" ]
  stuck=$(pending a.b g)
  [ "$stuck" -ge 1 ]
  # The same consumer gets them back; then nothing is pending.
  [ "$(evt subscribe --group g --consumer w --until-empty a.b | wc -l)" -ge "$stuck" ]
  [ "$(pending a.b g)" = 0 ]
}

@test "--shutdown-timeout: a handler that cannot finish is stopped; its event stays pending; exit 0" {
  evt publish slow.job --data 1 >/dev/null
  "$EVT_BIN" subscribe --group g --shutdown-timeout 1 --exec "touch '$BATS_TEST_TMPDIR/started'; sleep 30" slow.job 2> "$BATS_TEST_TMPDIR/err" &
  pid=$!
  wait_for "[ -e '$BATS_TEST_TMPDIR/started' ]"
  start=$SECONDS
  kill -TERM $pid
  wait $pid
  [ $((SECONDS - start)) -lt 10 ]
  grep -q "stays pending" "$BATS_TEST_TMPDIR/err"
  [ "$(pending slow.job g)" = 1 ]
  [ "$(dlq_count g)" = 0 ]
}
