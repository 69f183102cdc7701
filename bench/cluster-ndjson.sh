#!/usr/bin/env bash
# Routing cost: `evt publish --ndjson` of N events over 8 types (about 250-byte envelopes)
# into a 3-master Redis Cluster (each type's stream on its master, pipelined per node) against
# the same into one redis-server, both on TCP loopback, alternating over several rounds; the
# time it takes and the CPU time evt itself spends (what routing costs, whatever the three
# servers sharing this machine's cores cost each other).
# Target (issue 11): the cluster's throughput at least 0.8x one node's.
# Usage: bench/cluster-ndjson.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}"
N=${1:-100000}
ROUNDS=${2:-5}
EVT=$(build_release)
start_redis tcp
# Set up as the single server is (no persistence, no replica), so only the routing differs.
CLUSTER_APPENDONLY=no CLUSTER_REPLICAS=0 start_cluster 3
work=$(mktemp -d)
trap 'stop_redis; stop_cluster; rm -rf "$work"' EXIT
SINGLE="redis://127.0.0.1:$REDIS_PORT"
CLUSTER=$EVT_REDIS_URL
# Types without contracts whose hash tags fall on all three masters (3, 3 and 2 of them).
python3 - "$N" > "$work/events.ndjson" <<'PY'
import sys
types = ["a.b", "c.d", "cart.updated", "job.run", "page.viewed", "refund.issued", "order.shipped", "order.cancelled"]
for i in range(int(sys.argv[1])):
    print('{"type":"%s","data":{"userId":"u-%08d","email":"user%08d@example.com","name":"Benchmark User %08d","plan":"standard"}}' % (types[i % 8], i, i, i))
PY
now() { date +%s%N; }
flush_all() {
  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  local p
  for p in "${CLUSTER_PORTS[@]}"; do redis-cli -p "$p" FLUSHALL >/dev/null 2>&1 || true; done
}
count() { "$EVT" tail --json -n "$((N + 1))" --redis-url "$1" | wc -l; }
: > "$work/times"
for round in $(seq 1 "$ROUNDS"); do
  flush_all
  t0=$(now); /usr/bin/time -o "$work/cpu1" -f "%U %S" "$EVT" publish --ndjson -q --redis-url "$SINGLE" < "$work/events.ndjson"; t1=$(now)
  t2=$(now); /usr/bin/time -o "$work/cpu2" -f "%U %S" "$EVT" publish --ndjson -q --redis-url "$CLUSTER" < "$work/events.ndjson"; t3=$(now)
  [ "$(count "$SINGLE")" = "$N" ] && [ "$(count "$CLUSTER")" = "$N" ] || { echo "not every event was published"; exit 1; }
  echo "$(( (t1 - t0) / 1000 )) $(( (t3 - t2) / 1000 )) $(cat "$work/cpu1") $(cat "$work/cpu2")" >> "$work/times"
done
python3 - "$work/times" "$N" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
one = statistics.median(r[0] for r in rows) / 1e6
cl = statistics.median(r[1] for r in rows) / 1e6
cpu1 = statistics.median(r[2] + r[3] for r in rows)
cpu2 = statistics.median(r[4] + r[5] for r in rows)
for i, r in enumerate(rows, 1):
    print(f"round {i}: one node {r[0]/1e6:.3f} s (evt CPU {r[2]+r[3]:.2f} s), cluster {r[1]/1e6:.3f} s (evt CPU {r[4]+r[5]:.2f} s)")
print(f"one node: median {one:.3f} s ({n/one:,.0f} events/s), evt CPU {cpu1:.2f} s")
print(f"cluster:  median {cl:.3f} s ({n/cl:,.0f} events/s), evt CPU {cpu2:.2f} s")
print(f"cluster throughput / one node's (median): {one/cl:.2f}x  (target: at least 0.8x)")
print(f"evt's CPU per event, one node / cluster: {cpu1/cpu2:.2f}x")
PY
