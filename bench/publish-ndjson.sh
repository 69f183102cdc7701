#!/usr/bin/env bash
# Bulk publish throughput: `evt publish --ndjson` of N user.created drafts (envelopes of about
# 250 bytes, contracts checked) against `redis-benchmark -P 64 -c 1` doing N XADDs of the same
# envelope, on the same private redis-server (TCP loopback), alternating over several rounds.
# Target (issue 10): evt at most 1.6x redis-benchmark. Usage: bench/publish-ndjson.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}"
N=${1:-100000}
ROUNDS=${2:-5}
EVT=$(build_release)
start_redis tcp
work=$(mktemp -d)
trap 'stop_redis; rm -rf "$work"' EXIT
export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
make_events "$N" > "$work/events.ndjson"
ENVELOPE=$(head -n 1 "$work/events.ndjson" | "$EVT" publish --ndjson -q && "$EVT" tail --json -n 1 user.created)
now() { date +%s%N; }
: > "$work/times"
for round in $(seq 1 "$ROUNDS"); do
  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  t0=$(now)
  "$EVT" publish --ndjson -q < "$work/events.ndjson"
  t1=$(now)
  [ "$(redis-cli -p "$REDIS_PORT" XLEN evt:{user.created}:stream)" = "$N" ] || { echo "evt did not publish $N events"; exit 1; }
  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  t2=$(now)
  redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c 1 -n "$N" -P 64 -q XADD evt:{bench.rb}:stream '*' event "$ENVELOPE" >/dev/null
  t3=$(now)
  echo "$(( (t1 - t0) / 1000 )) $(( (t3 - t2) / 1000 ))" >> "$work/times"
done
python3 - "$work/times" "$N" <<'PY'
import statistics, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
evt = statistics.median(r[0] for r in rows) / 1e6
rb = statistics.median(r[1] for r in rows) / 1e6
for i, (a, b) in enumerate(rows, 1):
    print(f"round {i}: evt {a/1e6:.3f} s, redis-benchmark {b/1e6:.3f} s, ratio {a/b:.2f}x")
print(f"evt publish --ndjson:       median {evt:.3f} s ({n/evt:,.0f} events/s)")
print(f"redis-benchmark -P 64 -c 1: median {rb:.3f} s ({n/rb:,.0f} XADD/s)")
print(f"ratio (median): {evt/rb:.2f}x  (target: at most 1.6x)")
PY
