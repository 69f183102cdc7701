#!/usr/bin/env bats
load helpers

publish_spaced() {  # type data… : one event each, a few ms apart so time order is unambiguous
  local type=$1 d
  shift
  for d in "$@"; do evt publish "$type" --data "$d" >/dev/null; sleep 0.005; done
}

@test "tail merges the types in time order and shows the last 10 by default" {
  for i in $(seq 1 6); do publish_spaced user.joined "$i"; publish_spaced order.paid "$((i + 100))"; done
  run_evt tail --json
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$out" | wc -l)" = 10 ]
  [ "$(printf '%s\n' "$out" | sed 's/.*"data":\([0-9]*\)}.*/\1/' | tr '\n' ' ')" = "2 102 3 103 4 104 5 105 6 106 " ]
}

@test "tail -n and globs select events" {
  publish_spaced user.joined 1 2 3
  publish_spaced user.deleted 4
  publish_spaced order.paid 5
  [ "$(evt tail --json -n 2 'user.*' | sed 's/.*"data":\([0-9]*\)}.*/\1/' | tr '\n' ' ')" = "3 4 " ]
  [ "$(evt tail --json -n 100 order.paid user.deleted | wc -l)" = 2 ]
  [ "$(evt tail --json -n 0 | wc -l)" = 0 ]
  [ "$(evt tail --json no.such.type | wc -l)" = 0 ]
}

@test "tail --since takes an ISO time, a duration or a stream id" {
  publish_spaced a.b 1 2
  sleep 0.05
  cut=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  sleep 0.05
  publish_spaced a.b 3 4
  [ "$(evt tail --json --since "$cut" | sed 's/.*"data":\([0-9]*\)}.*/\1/' | tr '\n' ' ')" = "3 4 " ]
  [ "$(evt tail --json --since 1h | wc -l)" = 4 ]
  [ "$(evt tail --json --since 2099-01-01T00:00:00Z | wc -l)" = 0 ]
  second=$(rcli XRANGE "$(stream_key a.b)" - + COUNT 2 | sed -n 4p)
  [ "$(evt tail --json --since "$second" | wc -l)" = 3 ]
  [ "$(evt tail --json --since "$second" -n 1 | sed 's/.*"data":\([0-9]*\)}.*/\1/')" = 4 ]
}

@test "tail -f prints new events, including types first published after it started" {
  publish_spaced a.old 1
  "$EVT_BIN" tail -f --json -n 1 > "$BATS_TEST_TMPDIR/out" &
  pid=$!
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/out') -ge 1 ]"
  evt publish a.old --data 2 >/dev/null
  evt publish brand.new --data 3 >/dev/null
  wait_for "[ \$(wc -l < '$BATS_TEST_TMPDIR/out') -ge 3 ]"
  kill -INT $pid
  wait $pid
  [ "$(sed 's/.*"data":\([0-9]*\)}.*/\1/' "$BATS_TEST_TMPDIR/out" | tr '\n' ' ')" = "1 2 3 " ]
}

@test "tail --pretty prints readable lines; JSON is the default when piped" {
  evt publish user.joined --data '{"userId":"1"}' -H correlationId=c1 >/dev/null
  line=$(evt tail --pretty -n 1)
  [[ "$line" == *"  user.joined  "*'{"userId":"1"}  correlationId=c1' ]]
  [[ "$(evt tail -n 1)" == '{"id":'* ]]
}

@test "entries that are not envelopes are shown, not fatal" {
  evt publish a.b --data 1 >/dev/null
  rcli XADD "$(stream_key a.b)" '*' garbage yes >/dev/null
  [ "$(evt tail --json | wc -l)" = 2 ]
  evt tail --json | tail -n 1 | grep -q '"fields":{"garbage":"yes"}'
  evt tail --pretty | tail -n 1 | grep -q 'not an envelope'
}
