#!/usr/bin/env bash
# What the operations code (swift-log, swift-metrics, swift-prometheus, the HTTP listener;
# issue 12) costs a one-shot command: `evt publish` built from this tree against the same
# command built from BASE (default: the commit before issue 12), side by side in one
# hyperfine run, plus CPU time and page faults of each (perf stat).
# Usage: bench/ops-cost.sh [BASE] [RUNS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine linux-perf
BASE=${1:-2c82937}
RUNS=${2:-300}
NEW=$(build_release)
trap 'remove_base_tree; stop_redis' EXIT
OLD=$(build_release_at "$BASE")
start_redis tcp
URL="redis://127.0.0.1:$REDIS_PORT"
DATA='{"userId":"1","email":"ada@example.com","name":"Ada"}'

hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$EVT_ROOT/.build/ops-cost.json" \
  --command-name "evt publish (this tree)" "$NEW publish user.created --data '$DATA' --redis-url $URL" \
  --command-name "evt publish ($BASE)" "$OLD publish user.created --data '$DATA' --redis-url $URL" >&2

# CPU time and page faults, averaged over 50 runs each (instruction counters are not
# available on every VM).
for bin in "$NEW" "$OLD"; do
  counts=$(perf stat -x, -r 50 -e task-clock,page-faults "$bin" publish user.created --data "$DATA" --redis-url "$URL" 2>&1 >/dev/null |
    awk -F, '$3 ~ /task-clock/ { t = $1 } $3 ~ /page-faults/ { f = $1 } END { printf "%.2f ms CPU, %.0f page faults", t, f }')
  echo "$bin: $(stat -c %s "$bin") bytes; per run: $counts"
done
python3 - "$EVT_ROOT/.build/ops-cost.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
new, old = r[0], r[1]
print(f"{new['command']}: median {new['median']*1000:.2f} ms")
print(f"{old['command']}: median {old['median']*1000:.2f} ms")
print(f"ratio (median): {new['median']/old['median']:.3f}x")
PY
