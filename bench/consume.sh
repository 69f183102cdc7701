#!/usr/bin/env bash
# Consumer throughput: `evt subscribe --group` (printing JSON lines, acknowledging) draining N
# queued events, against a redis-py consumer (with hiredis) doing XREADGROUP COUNT 500 +
# XACK on the same private redis-server (TCP loopback), alternating over several rounds.
# Target (issue #3): evt's rate at least half of redis-py's. Usage: bench/consume.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" python3-venv
N=${1:-100000}
ROUNDS=${2:-3}
EVT=$(build_release)
VENV="$EVT_ROOT/.build/bench-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import redis, hiredis' 2>/dev/null; then
  echo "==> installing redis-py and hiredis from PyPI into $VENV" >&2
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q redis hiredis >&2
fi
start_redis tcp
trap stop_redis EXIT
export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
work=$(mktemp -d)
make_events "$N" bench.consume > "$work/events.ndjson"
cat > "$work/consumer.py" <<'PY'
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
key, group = "evt:stream:bench.consume", sys.argv[2]
r.xgroup_create(key, group, id="0", mkstream=True)
out = sys.stdout.buffer
n = 0
while True:
    reply = r.xreadgroup(group, "py", {key: ">"}, count=500)
    if not reply:
        break
    entries = reply[0][1]
    for _id, fields in entries:
        out.write(fields[b"event"] + b"\n")
    out.flush()
    r.xack(key, group, *[e[0] for e in entries])
    n += len(entries)
assert n == int(sys.argv[3]), n
PY
"$EVT" publish --ndjson -q < "$work/events.ndjson"
now() { date +%s%N; }
: > "$work/times"
for round in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  "$EVT" subscribe --group "evt$round" --until-empty --json bench.consume > "$work/evt.out"
  t1=$(now)
  [ "$(wc -l < "$work/evt.out")" = "$N" ] || { echo "evt consumed $(wc -l < "$work/evt.out") events, not $N"; exit 1; }
  t2=$(now)
  "$VENV/bin/python" "$work/consumer.py" "$REDIS_PORT" "py$round" "$N" > "$work/py.out"
  t3=$(now)
  echo "$(( (t1 - t0) / 1000 )) $(( (t3 - t2) / 1000 ))" >> "$work/times"
done
python3 - "$work/times" "$N" <<'PY'
import statistics, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
for i, (a, b) in enumerate(rows, 1):
    print(f"round {i}: evt {a/1e6:.3f} s, redis-py {b/1e6:.3f} s")
evt = statistics.median(r[0] for r in rows) / 1e6
py = statistics.median(r[1] for r in rows) / 1e6
print(f"evt subscribe --group:   median {evt:.3f} s ({n/evt:,.0f} events/s)")
print(f"redis-py XREADGROUP 500: median {py:.3f} s ({n/py:,.0f} events/s)")
print(f"evt rate / redis-py rate (median): {py/evt:.2f}  (target: at least 0.5)")
PY
rm -rf "$work"
