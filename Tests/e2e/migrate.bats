#!/usr/bin/env bats
# Data in the key layout of an earlier evt (written here as that evt wrote it): readers refuse
# it with a clear message; evt migrate moves it, keeping ids, groups, pending entries and TTLs.
load helpers

envelope() { printf '{"id":"%s","type":"%s","version":"1.0","timestamp":"2026-11-01T10:00:00.000Z","data":%s}' "$1" "$2" "$3"; }

seed_old_layout() {
  local ns=$EVT_NAMESPACE
  rcli SADD "$ns:types" a.b user.created >/dev/null
  for i in 1 2 3; do rcli XADD "$ns:stream:a.b" "100$i-0" event "$(envelope "old-$i" a.b "$i")" >/dev/null; done
  rcli XADD "$ns:stream:user.created" 1000-0 event \
    "$(envelope u-1 user.created '{"userId":"u1","email":"old@example.com","name":"Old"}')" >/dev/null
  # Group g: old-1 acknowledged, old-2 pending with consumer c1, old-3 not delivered yet.
  rcli XGROUP CREATE "$ns:stream:a.b" g 0 >/dev/null
  rcli XREADGROUP GROUP g c1 COUNT 2 STREAMS "$ns:stream:a.b" '>' >/dev/null
  rcli XACK "$ns:stream:a.b" g 1001-0 >/dev/null
  rcli XADD "$ns:dlq:g" 2000-0 event "$(envelope dead-1 a.b 9)" type a.b error boom stream "$ns:stream:a.b" entry 999-0 >/dev/null
  rcli XADD "$ns:replay:g" 3000-0 event "$(envelope again-1 a.b 8)" >/dev/null
  rcli XGROUP CREATE "$ns:replay:g" g 0 >/dev/null
  rcli SET "$ns:done:g:a.b:old-1" x EX 5000 >/dev/null
  rcli HSET "$ns:user:u1" id u1 name Old email old@example.com createdAt 2026-11-01T10:00:00.000Z >/dev/null
  rcli SET "$ns:user-email:old@example.com" u1 >/dev/null
}

@test "readers refuse the old layout with one line naming evt migrate; migrate moves everything, keeping ids, groups, pending and TTL" {
  use_own_server
  seed_old_layout
  for cmd in "tail -n 1" "subscribe --group g --until-empty --exec true a.b" "pending" "replay-dlq --list" "get-user u1"; do
    run_evt $cmd
    [ "$status" -eq 65 ] || { echo "$cmd: $status $err"; return 1; }
    assert_one_error_line "$err"
    [[ "$err" == *"holds events in the key layout of an earlier evt"*"run 'evt migrate'"* ]]
  done
  before=$(rcli DBSIZE)
  run_evt migrate --dry-run
  [ "$status" -eq 0 ]
  [[ "$err" == "evt: would move 2 type streams, 1 dead letter, 1 replayed event, 1 done marker and 2 user keys" ]]
  [ "$(rcli DBSIZE)" = "$before" ]
  # A publisher that already writes the new layout: its event follows the old ones.
  evt publish a.b --data 4 --id new-4 -q >/dev/null
  run_evt migrate
  [ "$status" -eq 0 ]
  [[ "$err" == "evt: moved 2 type streams, 1 dead letter, 1 replayed event, 1 done marker and 2 user keys" ]]
  [ -z "$(rcli --scan --pattern "$EVT_NAMESPACE:stream:*")" ]
  [ "$(evt tail --json -n 10 a.b | sed 's/.*"id":"\([^"]*\)".*/\1/' | tr '\n' ' ')" = "old-1 old-2 old-3 new-4 " ]
  [ "$(rcli XRANGE "$(stream_key a.b)" - + | grep -c '^100[123]-0$')" = 3 ]
  # The group kept its pending entry (old-2, with c1) and its position (old-3 not yet delivered).
  [ "$(rcli XPENDING "$(stream_key a.b)" g - + 10 | head -n 1)" = 1002-0 ]
  evt subscribe --group g --consumer c1 --until-empty --exec 'echo "$EVT_ID" >> "$BATS_TEST_TMPDIR/handled"' a.b
  [ "$(sort "$BATS_TEST_TMPDIR/handled" | tr '\n' ' ')" = "again-1 new-4 old-2 old-3 " ]
  [ "$(evt replay-dlq --list --json --group g | grep -c dead-1)" = 1 ]
  ttl=$(rcli TTL "$EVT_NAMESPACE:{a.b}:done:g:old-1")
  [ "$ttl" -gt 4000 ]
  [ "$ttl" -le 5000 ]
  [ "$(evt get-user old@example.com | grep -c '"id":"u1"')" = 1 ]
  run_evt migrate
  [[ "$err" == "evt: moved 0 type streams, 0 dead letters, 0 replayed events, 0 done markers and 0 user keys" ]]
}
