#!/usr/bin/env bats
load helpers

@test "pending shows each consumer's unacknowledged count, oldest idle time and highest delivery count" {
  for i in 1 2 3; do evt publish a.b --data $i >/dev/null; done
  evt publish c.d --data 1 >/dev/null
  evt subscribe --group g --consumer done --until-empty a.b >/dev/null
  evt publish a.b --data 4 >/dev/null
  rcli XREADGROUP GROUP g stuck COUNT 5 STREAMS "$(stream_key a.b)" '>' >/dev/null
  rcli XGROUP CREATE "$(stream_key c.d)" other 0 >/dev/null
  rcli XREADGROUP GROUP other o1 COUNT 5 STREAMS "$(stream_key c.d)" '>' >/dev/null
  rcli XCLAIM "$(stream_key c.d)" other o1 0 "$(rcli XRANGE "$(stream_key c.d)" - + | head -n 1)" >/dev/null
  sleep 0.1
  run_evt pending --json
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$out" | wc -l)" = 3 ]
  printf '%s\n' "$out" | grep -q '^{"group":"g","consumer":"done","pending":0,'
  printf '%s\n' "$out" | grep -q '^{"group":"g","consumer":"stuck","pending":1,"oldestIdleMs":[1-9][0-9]*,"maxDeliveries":1,"types":{"a.b":1}}$'
  printf '%s\n' "$out" | grep -q '"consumer":"o1","pending":1,.*"maxDeliveries":2,'
  [ "$(evt pending --group other --json | wc -l)" = 1 ]
  evt pending --pretty | head -n 1 | grep -q '^GROUP  *CONSUMER  *PENDING  *OLDEST-IDLE  *MAX-DELIVERIES$'
}

@test "pending with nothing to show prints nothing; with Redis down exits 69" {
  [ -z "$(evt pending --json)" ]
  run_evt pending --redis-url redis://127.0.0.1:1
  [ "$status" -eq 69 ]
  assert_one_error_line "$err"
}
