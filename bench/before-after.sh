#!/usr/bin/env bash
# Two evt binaries side by side on one private redis-server (TCP loopback), alternating over
# several rounds, for a change that must not cost speed (issue 19: "performance unchanged
# within noise"):
#   consume   `evt subscribe --group G --until-empty --json user.created` draining N events
#   ndjson    `evt publish --ndjson -q` of N drafts
#   one-shot  `evt publish TYPE --data …` (hyperfine, RUNS runs each)
# Prints each median and the ratio after/before (below 1: the change is faster).
# Usage: bench/before-after.sh BEFORE_EVT [AFTER_EVT] [N] [ROUNDS] [RUNS]
#   (AFTER_EVT defaults to a release build of this checkout; build BEFORE_EVT from a
#   `git worktree` of the older commit with `swift build -c release --static-swift-stdlib`.)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine
BEFORE=${1:?usage: bench/before-after.sh BEFORE_EVT [AFTER_EVT] [N] [ROUNDS] [RUNS]}
AFTER=${2:-$(build_release)}
N=${3:-100000}
ROUNDS=${4:-5}
RUNS=${5:-300}
start_redis tcp
work=$(mktemp -d)
trap 'stop_redis; rm -rf "$work"' EXIT
export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
make_events "$N" > "$work/events.ndjson"
now() { date +%s%N; }
: > "$work/times"
for round in $(seq 1 "$ROUNDS"); do
  line=""
  for which in before after; do
    evt=$BEFORE
    [ "$which" = after ] && evt=$AFTER
    redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
    t0=$(now)
    "$evt" publish --ndjson -q < "$work/events.ndjson"
    t1=$(now)
    "$evt" subscribe --group "g$round" --until-empty --json user.created > "$work/out"
    t2=$(now)
    [ "$(wc -l < "$work/out")" = "$N" ] || { echo "$which consumed $(wc -l < "$work/out") events, not $N" >&2; exit 1; }
    line="$line $(( (t1 - t0) / 1000 )) $(( (t2 - t1) / 1000 ))"
  done
  echo "$line" >> "$work/times"
done
DATA='{"userId":"1","email":"ada@example.com"}'
hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$work/oneshot.json" \
  --command-name before "$BEFORE publish bench.oneshot --data '$DATA' -q" \
  --command-name after "$AFTER publish bench.oneshot --data '$DATA' -q" >&2
python3 - "$work/times" "$work/oneshot.json" "$N" <<'PY'
import json, statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[3])
med = lambda k: statistics.median(r[k] for r in rows) / 1e6
nd_b, co_b, nd_a, co_a = med(0), med(1), med(2), med(3)
print(f"ndjson  before {nd_b:.3f} s ({n/nd_b:,.0f}/s)  after {nd_a:.3f} s ({n/nd_a:,.0f}/s)  after/before {nd_a/nd_b:.2f}")
print(f"consume before {co_b:.3f} s ({n/co_b:,.0f}/s)  after {co_a:.3f} s ({n/co_a:,.0f}/s)  after/before {co_a/co_b:.2f}")
r = {x["command"]: x for x in json.load(open(sys.argv[2]))["results"]}
b, a = r["before"]["median"] * 1000, r["after"]["median"] * 1000
print(f"one-shot publish median before {b:.2f} ms  after {a:.2f} ms  after/before {a/b:.2f}")
PY
