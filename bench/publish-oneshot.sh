#!/usr/bin/env bash
# One-shot publish latency: `evt publish` against `redis-cli XADD` of the same envelope on
# the same private redis-server (TCP loopback), measured side by side by hyperfine in one run.
# Target (issue 10, relaxed when swift-argument-parser was kept): evt at most 1.1x redis-cli (median). Usage: bench/publish-oneshot.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine
RUNS=${1:-500}
EVT=$(build_release)
start_redis tcp
trap stop_redis EXIT
out=$(mktemp -d)
URL="redis://127.0.0.1:$REDIS_PORT"
DATA='{"userId":"1","email":"ada@example.com"}'
ENVELOPE=$("$EVT" publish bench.oneshot --data "$DATA" --redis-url "$URL")

hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$out/result.json" \
  --command-name "evt publish" "$EVT publish bench.oneshot --data '$DATA' --redis-url $URL" \
  --command-name "redis-cli XADD" "redis-cli -h 127.0.0.1 -p $REDIS_PORT XADD evt:{bench.oneshot}:stream * event '$ENVELOPE'" >&2

python3 - "$out/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
evt, cli = r["evt publish"], r["redis-cli XADD"]
print(f"evt publish:    mean {evt['mean']*1000:.2f} ms, median {evt['median']*1000:.2f} ms")
print(f"redis-cli XADD: mean {cli['mean']*1000:.2f} ms, median {cli['median']*1000:.2f} ms")
print(f"ratio (median): {evt['median']/cli['median']:.2f}x  (target: at most 1.1x)")
PY
rm -rf "$out"
