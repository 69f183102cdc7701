#!/usr/bin/env bats
# Issue 10: the in-place fast paths print exactly what is stored, acknowledge everything,
# and `evt bench` measures in a namespace of its own that it removes.
load helpers

@test "a group prints exactly the stored envelopes, acknowledges every one, and agrees with tail" {
  python3 -c 'import sys
for i in range(1500): print("{\"type\":\"user.created\",\"data\":{\"userId\":\"u%d\",\"email\":\"u%d@example.com\",\"name\":\"User %d\"}}" % (i, i, i))' > "$BATS_TEST_TMPDIR/in.ndjson"
  evt publish --ndjson -q < "$BATS_TEST_TMPDIR/in.ndjson"
  evt subscribe --group g --until-empty --json user.created > "$BATS_TEST_TMPDIR/group.out"
  evt tail --json -n 1500 user.created > "$BATS_TEST_TMPDIR/tail.out"
  cmp "$BATS_TEST_TMPDIR/group.out" "$BATS_TEST_TMPDIR/tail.out"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/group.out")" = 1500 ]
  [ "$(rcli XPENDING "$(stream_key user.created)" g | head -1)" = 0 ]
  # What Redis holds is byte for byte what was printed.
  rcli XRANGE "$(stream_key user.created)" - + COUNT 1 | sed -n 3p > "$BATS_TEST_TMPDIR/first"
  [ "$(cat "$BATS_TEST_TMPDIR/first")" = "$(head -n 1 "$BATS_TEST_TMPDIR/group.out")" ]
}

@test "an envelope stored with white space and line breaks by another tool is printed as one JSON line" {
  rcli XADD "$(stream_key a.b)" '*' event $'{ "id":"x",\n "type":"a.b","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{ "k" : [1, 2] } }' >/dev/null
  rcli SADD "$EVT_NAMESPACE:types" a.b >/dev/null
  run_evt subscribe --group g --until-empty --json a.b
  [ "$status" -eq 0 ]
  [ "$out" = '{"id":"x","type":"a.b","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"k":[1,2]}}' ]
  run_evt tail --json a.b
  [ "$out" = '{"id":"x","type":"a.b","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"k":[1,2]}}' ]
}

@test "a contract broken behind evt's back is still dead-lettered when the check runs in place" {
  rcli XADD "$(stream_key user.created)" '*' event '{"id":"x","type":"user.created","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"userId":"u","email":"not-an-address","name":"N"}}' >/dev/null
  rcli XADD "$(stream_key user.created)" '*' event '{"id":"y","type":"user.created","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"userId":"u","email":"a@b.co","name":"N\u0007"}}' >/dev/null
  rcli XADD "$(stream_key user.created)" '*' event '{"id":"z","type":"user.created","version":"1.0","timestamp":"2026-01-01T00:00:00.000Z","data":{"userId":"u","email":"a@b.co","name":"N"}}' >/dev/null
  rcli SADD "$EVT_NAMESPACE:types" user.created >/dev/null
  run_evt subscribe --group g --until-empty --json user.created
  [ "$status" -eq 1 ]
  [[ "$err" == *"2 dead-lettered"* ]]
  [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
  [[ "$out" == *'"id":"z"'* ]]
  [ "$(dlq_count g)" = 2 ]
}

@test "evt bench: every event arrives, latency is reported, and its namespace is gone afterwards" {
  run_evt bench --count 400 --rate 4000 --group --subscribers 2 --json
  [ "$status" -eq 0 ]
  printf '%s\n' "$out" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["published"] == 400 and r["received"] == 400 == r["expected"], r
l = r["latencyMicroseconds"]
assert 0 < l["p50"] <= l["p90"] <= l["p99"] <= l["p99.9"] <= l["max"], l
'
  run_evt bench --count 200 --subscribers 3 --pipeline 32 --json
  [ "$status" -eq 0 ]
  [[ "$out" == *'"received":600,"expected":600'* ]]
  [ "$(db_size)" = 0 ]
}

@test "publish --ndjson shows its progress on a terminal, and nothing when redirected" {
  python3 -c 'import sys
for i in range(10000): print("{\"type\":\"a.b\",\"data\":%d}" % i)' > "$BATS_TEST_TMPDIR/in.ndjson"
  script -qec "$EVT_BIN publish --ndjson < '$BATS_TEST_TMPDIR/in.ndjson'" /dev/null > "$BATS_TEST_TMPDIR/tty.out"
  grep -q 'lines (' "$BATS_TEST_TMPDIR/tty.out"
  grep -q '10000 sent, 0 failed' "$BATS_TEST_TMPDIR/tty.out"
  run_evt publish --ndjson < "$BATS_TEST_TMPDIR/in.ndjson"
  [ "$status" -eq 0 ]
  [ "$err" = "evt: published 10000 events" ]
  [ "$(rcli XLEN "$(stream_key a.b)")" = 20000 ]
}
