#!/usr/bin/env bash
# What contexts (issue 22) cost a one-shot command, side by side in one hyperfine run each:
#   1. `evt publish` without a context, built from this tree vs from BASE (default 9444d9f,
#      before the issue): no context file is read (one failed open of the selection file);
#   2. `evt publish --context bench` vs the same settings as flags, this tree: reading and
#      checking the context file (target: at most 1 ms more).
# Usage: bench/context.sh [BASE] [RUNS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine
BASE=${1:-9444d9f}
RUNS=${2:-300}
NEW=$(build_release)
work=$(mktemp -d)
trap 'remove_base_tree; stop_redis; rm -rf "$work"' EXIT
OLD=$(build_release_at "$BASE")
start_redis tcp
URL="redis://127.0.0.1:$REDIS_PORT"
export XDG_CONFIG_HOME="$work/config"
unset EVT_REDIS_URL EVT_CONTEXT
"$NEW" context save bench --redis-url "$URL" --namespace bench --command-timeout 5s 2>/dev/null
DATA=1
hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$work/r.json" \
  --command-name "no context (this tree)" "$NEW publish c.t --data $DATA --redis-url $URL --namespace bench -q" \
  --command-name "no context ($BASE)" "$OLD publish c.t --data $DATA --redis-url $URL --namespace bench -q" \
  --command-name "with a context (this tree)" "$NEW publish c.t --data $DATA --context bench -q" \
  --command-name "flags (this tree)" "$NEW publish c.t --data $DATA --redis-url $URL --namespace bench --command-timeout 5s -q" >&2
python3 - "$work/r.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
names = list(r)
a, b, c, d = (r[n] for n in names)
print(f"no context: this tree {a['median']*1000:.2f} ms vs {names[1]} {b['median']*1000:.2f} ms: {a['median']/b['median']:.3f}x")
print(f"--context: {c['median']*1000:.2f} ms vs flags {d['median']*1000:.2f} ms: {(c['median']-d['median'])*1000:+.2f} ms")
PY
