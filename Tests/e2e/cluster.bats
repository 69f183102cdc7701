#!/usr/bin/env bats
# Redis Cluster: types spread over the masters; a master killed (kill -9) while a group
# consumes and while publish --ndjson --replicas 1 writes; a slot migrated while publishing
# and consuming. Run in cluster mode (EVT_TEST_REDIS=cluster, as scripts/test does); the fault
# tests start a 3-master, 3-replica cluster of their own.
load helpers

# Their hash tags fall on all three masters of a cluster made by redis-cli --cluster create:
# slots 1366, 4399, 5110 | 7848, 9287 | 12282, 12971, 14179.
TYPES=(user.created order.placed email.sent job.run a.b order.shipped order.cancelled user.login)

cluster_only() { [ "$EVT_TEST_REDIS" = cluster ] || skip "cluster mode only (EVT_TEST_REDIS=cluster)"; }

# The port of the master that serves the slot of type $1's stream (asking the node of port $2).
master_of() {
  local slot
  slot=$(redis-cli -p "$2" CLUSTER KEYSLOT "$(stream_key "$1")")
  # CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> … <slot ranges…>"
  redis-cli -p "$2" CLUSTER NODES | awk -v slot="$slot" '
    $3 ~ /master/ && $3 !~ /fail/ {
      for (i = 9; i <= NF; i++) {
        if ($i ~ /^\[/) continue
        n = split($i, r, "-"); lo = r[1]; hi = (n > 1 ? r[2] : r[1])
        if (slot >= lo + 0 && slot <= hi + 0) { split($2, a, "[:@]"); print a[2]; exit }
      }
    }'
}

# Whether the killed master of port $1 has lost its slots to its replica and the cluster is ok.
failed_over() {
  local other
  for other in "${CLUSTER_PORTS[@]}"; do
    [ "$other" = "$1" ] && continue
    redis-cli -p "$other" cluster nodes 2>/dev/null | grep "127.0.0.1:$1@" | grep -qv '[0-9]-[0-9]' || return 1
    redis-cli -p "$other" cluster info | grep -q cluster_state:ok
    return
  done
}

# Starts a cluster of its own for a fault test (the shared one stays as it is).
own_cluster() {
  cluster_only
  start_cluster 3
  export EVT_REDIS_URL
}

teardown() {
  jobs -p | xargs -r kill 2>/dev/null || true
  [ -n "${CLUSTER_DIR:-}" ] && stop_cluster
  stop_redis
}

@test "the streams of 8 types spread over all three masters (redis-cli --cluster check)" {
  cluster_only
  for t in "${TYPES[@]}"; do evt publish "$t" --data '{"userId":"1","orderId":"o","email":"a@b.c","name":"n","type":"welcome","recipient":"a@b.c","messageId":"m"}' -q >/dev/null; done
  redis-cli --cluster check "127.0.0.1:${CLUSTER_MASTERS[0]}" > "$BATS_TEST_TMPDIR/check"
  grep -q '\[OK\] All 16384 slots covered' "$BATS_TEST_TMPDIR/check"
  # Every master holds at least one type's stream.
  for port in "${CLUSTER_MASTERS[@]}"; do
    [ "$(redis-cli -p "$port" --scan --pattern "$EVT_NAMESPACE:{*}:stream" | grep -c .)" -ge 1 ] ||
      { cat "$BATS_TEST_TMPDIR/check"; return 1; }
  done
  [ "$(evt tail --json -n 100 | wc -l)" = 8 ]
}

@test "a master killed (kill -9) while a group consumes: the replica takes over, every event is handled, none dead-lettered" {
  own_cluster
  mkdir "$BATS_TEST_TMPDIR/done"
  for t in "${TYPES[@]:4}"; do seq 1 500 | sed "s/.*/{\"type\":\"$t\",\"id\":\"$t-&\",\"data\":&}/"; done |
    evt publish --ndjson --replicas 1 -q
  victim=$(master_of a.b "${CLUSTER_PORTS[0]}")
  handler="mkdir -p '$BATS_TEST_TMPDIR/done/'\"\$EVT_ID\"; sleep 0.002"
  "$EVT_BIN" subscribe --group g --exec "$handler" --until-empty --claim-idle 3s 'a.b' 'order.*' 'user.login' \
    > /dev/null 2> "$BATS_TEST_TMPDIR/err" &
  sub=$!
  wait_for "[ \$(ls '$BATS_TEST_TMPDIR/done' | wc -l) -ge 300 ]" 60
  kill -9 "$(redis-cli -p "$victim" INFO server | tr -d '\r' | sed -n 's/^process_id://p')"
  wait_for "failed_over $victim" 30
  set +e; wait "$sub"; code=$?; set -e
  [ "$code" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
  grep -q 'reconnected' "$BATS_TEST_TMPDIR/err" || grep -q 'lost' "$BATS_TEST_TMPDIR/err"
  [ "$(ls "$BATS_TEST_TMPDIR/done" | wc -l)" = 2000 ] || { ls "$BATS_TEST_TMPDIR/done" | wc -l; cat "$BATS_TEST_TMPDIR/err"; return 1; }
  [ "$(evt replay-dlq --list --json | wc -l)" = 0 ]
}

@test "a master killed during publish --ndjson --replicas 1: nothing it acknowledged is lost, and everything is handled" {
  own_cluster
  for t in "${TYPES[@]:4}"; do seq 1 5000 | sed "s/.*/{\"type\":\"$t\",\"id\":\"$t-&\",\"data\":&}/"; done > "$BATS_TEST_TMPDIR/in"
  victim=$(master_of a.b "${CLUSTER_PORTS[0]}")
  "$EVT_BIN" publish --ndjson --replicas 1 --retry 60s < "$BATS_TEST_TMPDIR/in" 2> "$BATS_TEST_TMPDIR/err" &
  pub=$!
  sleep 0.3
  kill -9 "$(redis-cli -p "$victim" INFO server | tr -d '\r' | sed -n 's/^process_id://p')"
  # Its replica takes over; the killed node comes back as the new master's replica, so WAIT can
  # be satisfied again (until then the publisher keeps asking, within --retry).
  wait_for "failed_over $victim" 30
  restart_cluster_node "$victim"
  set +e; wait "$pub"; code=$?; set -e
  [ "$code" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
  grep -q 'published 20000 events' "$BATS_TEST_TMPDIR/err" || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
  # Every event is in its stream (at least once: an event whose reply was lost may be there twice).
  evt tail --json -n 100000 | python3 -c '
import json, sys
ids = set(json.loads(l)["id"] for l in sys.stdin)
sys.exit(0 if len(ids) == 20000 else "%d distinct events" % len(ids))'
  mkdir "$BATS_TEST_TMPDIR/done"
  evt subscribe --group g --until-empty --exec "mkdir -p '$BATS_TEST_TMPDIR/done/'\"\$EVT_ID\"" 'a.b' 'order.*' 'user.login' 2>/dev/null
  [ "$(ls "$BATS_TEST_TMPDIR/done" | wc -l)" = 20000 ]
  [ "$(evt replay-dlq --list --json | wc -l)" = 0 ]
}

@test "slots migrated (redis-cli --cluster reshard) while publishing and consuming: nothing lost, nothing dead-lettered" {
  own_cluster
  mkdir "$BATS_TEST_TMPDIR/done"
  port=${CLUSTER_PORTS[0]}
  from=$(redis-cli -p "$(master_of a.b "$port")" CLUSTER MYID)
  to=$(redis-cli -p "$(master_of user.created "$port")" CLUSTER MYID)
  [ "$from" != "$to" ]
  "$EVT_BIN" subscribe --group g --exec "mkdir -p '$BATS_TEST_TMPDIR/done/'\"\$EVT_ID\"" --claim-idle 2s 'a.b' 'c.d' 'job.*' \
    > /dev/null 2> "$BATS_TEST_TMPDIR/sub.err" &
  sub=$!
  (
    for i in $(seq 1 40); do
      for t in a.b c.d job.run; do seq 1 50 | sed "s/.*/{\"type\":\"$t\",\"id\":\"$t-$i-&\",\"data\":&}/"; done |
        "$EVT_BIN" publish --ndjson -q --retry 30s || exit 1
      sleep 0.05
    done
  ) 2> "$BATS_TEST_TMPDIR/pub.err" &
  pub=$!
  sleep 0.5
  # Move every slot of a.b's master (a.b's among them) to order.placed's master, while both run.
  redis-cli --cluster reshard "127.0.0.1:$port" --cluster-from "$from" --cluster-to "$to" --cluster-slots 16384 \
    --cluster-yes > "$BATS_TEST_TMPDIR/reshard.log" 2>&1
  wait "$pub" || { cat "$BATS_TEST_TMPDIR/pub.err"; return 1; }
  [ "$(master_of a.b "$port")" = "$(master_of user.created "$port")" ]
  wait_for "[ \$(ls '$BATS_TEST_TMPDIR/done' | wc -l) -ge 6000 ]" 60 || { cat "$BATS_TEST_TMPDIR/sub.err"; return 1; }
  kill -TERM "$sub"
  wait "$sub" || { cat "$BATS_TEST_TMPDIR/sub.err"; return 1; }
  [ "$(ls "$BATS_TEST_TMPDIR/done" | wc -l)" = 6000 ]
  [ "$(evt replay-dlq --list --json | wc -l)" = 0 ]
}
