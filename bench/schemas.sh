#!/usr/bin/env bash
# What contracts cost, side by side on one private redis-server (TCP loopback), alternating
# over several rounds: the same N events (about 250-byte envelopes) as `user.created`, whose
# built-in JSON Schema every event is checked against and stamped with, and as `user.made`,
# a type without any schema.
#   ndjson    `evt publish --ndjson -q` of the N events
#   consume   `evt subscribe --group G --until-empty --json` draining them (the group checks
#             each event against the schema version it carries)
#   one-shot  `evt publish TYPE --data …`, by hyperfine (the schema costs one round trip)
# Targets (issue 20): ndjson and consume with the schema >= 0.85x without; one-shot with the
# schema <= 1.1x without (medians).
# Usage: bench/schemas.sh [N] [ROUNDS] [RUNS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine
N=${1:-100000}
ROUNDS=${2:-3}
RUNS=${3:-300}
EVT=$(build_release)
start_redis tcp
work=$(mktemp -d)
trap 'stop_redis; rm -rf "$work"' EXIT
export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
make_events "$N" user.created > "$work/with.ndjson"
make_events "$N" user.made > "$work/without.ndjson"
now() { date +%s%N; }
: > "$work/times"
for round in $(seq 1 "$ROUNDS"); do
  redis-cli -p "$REDIS_PORT" FLUSHALL > /dev/null
  t0=$(now); "$EVT" publish --ndjson -q < "$work/with.ndjson"; t1=$(now)
  t2=$(now); "$EVT" publish --ndjson -q < "$work/without.ndjson"; t3=$(now)
  t4=$(now); "$EVT" subscribe --group g --until-empty --json user.created > "$work/out1"; t5=$(now)
  t6=$(now); "$EVT" subscribe --group g --until-empty --json user.made > "$work/out2"; t7=$(now)
  [ "$(wc -l < "$work/out1")" = "$N" ] && [ "$(wc -l < "$work/out2")" = "$N" ] || { echo "not every event was consumed"; exit 1; }
  head -n 1 "$work/out1" | grep -q '"version":"1"' || { echo "user.created was not stamped with its schema version"; exit 1; }
  echo "$((t1 - t0)) $((t3 - t2)) $((t5 - t4)) $((t7 - t6))" >> "$work/times"
done
DATA='{"userId":"u-1","email":"ada@example.com","name":"Ada Lovelace","plan":"standard"}'
hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$work/oneshot.json" \
  --command-name "with" "$EVT publish user.created --data '$DATA' -q" \
  --command-name "without" "$EVT publish user.made --data '$DATA' -q" >&2
python3 - "$work/times" "$N" "$work/oneshot.json" <<'PY'
import json, statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
def med(i): return statistics.median(r[i] for r in rows) / 1e9
for name, a, b in (("publish --ndjson", 0, 1), ("group consumption", 2, 3)):
    w, wo = med(a), med(b)
    print(f"{name}: with the schema {n/w:,.0f} events/s, without {n/wo:,.0f} events/s: {wo/w:.2f}x  (target: at least 0.85x)")
r = {x["command"]: x for x in json.load(open(sys.argv[3]))["results"]}
w, wo = r["with"]["median"], r["without"]["median"]
print(f"one-shot publish: with the schema {w*1000:.2f} ms, without {wo*1000:.2f} ms (medians): {w/wo:.2f}x  (target: at most 1.1x)")
PY
