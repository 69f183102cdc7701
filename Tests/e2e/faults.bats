#!/usr/bin/env bats
load helpers

pending() { rcli XPENDING "$EVT_NAMESPACE:stream:$1" "$2" | head -n 1; }

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
  [ "$(rcli XLEN "$EVT_NAMESPACE:dlq:g")" = 0 ]
}
