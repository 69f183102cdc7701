#!/usr/bin/env bash
# Consumer throughput, side by side on one private redis-server (TCP loopback), alternating
# over several rounds: each contestant drains N queued user.created events (envelopes of about
# 250 bytes) as a new consumer group, printing each event as a line and acknowledging it.
#   evt       `evt subscribe --group G --until-empty --json user.created`
#   redis-py  redis-py + hiredis: XREADGROUP COUNT 500, json.loads of each event, XACK
#   floor     bench/floor.c: C on hiredis, XREADGROUP COUNT 500, fwrite, XACK; no checks at all
# Targets (issue 10): evt >= 0.7x the floor's rate and >= 2.5x redis-py's.
# Usage: bench/consume.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}"
N=${1:-100000}
ROUNDS=${2:-3}
EVT=$(build_release)
PY=$(bench_python)
FLOOR=$(build_floor)
start_redis tcp
work=$(mktemp -d)
trap 'stop_redis; rm -rf "$work"' EXIT
export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
make_events "$N" > "$work/events.ndjson"
cat > "$work/consumer.py" <<'PY'
import json, sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
key, group = "evt:{user.created}:stream", sys.argv[2]
r.xgroup_create(key, group, id="0", mkstream=True)
out = sys.stdout.buffer
n = 0
while True:
    reply = r.xreadgroup(group, "py", {key: ">"}, count=500)
    if not reply:
        break
    entries = reply[0][1]
    for _id, fields in entries:
        raw = fields[b"event"]
        json.loads(raw)
        out.write(raw + b"\n")
    out.flush()
    r.xack(key, group, *[e[0] for e in entries])
    n += len(entries)
assert n == int(sys.argv[3]), n
PY
"$EVT" publish --ndjson -q < "$work/events.ndjson"
now() { date +%s%N; }
check() { [ "$(wc -l < "$work/out")" = "$N" ] || { echo "$1 consumed $(wc -l < "$work/out") events, not $N" >&2; exit 1; }; }
: > "$work/times"
for round in $(seq 1 "$ROUNDS"); do
  t0=$(now); "$EVT" subscribe --group "evt$round" --until-empty --json user.created > "$work/out"; t1=$(now); check evt
  t2=$(now); "$PY" "$work/consumer.py" "$REDIS_PORT" "py$round" "$N" > "$work/out"; t3=$(now); check redis-py
  t4=$(now); "$FLOOR" 127.0.0.1 "$REDIS_PORT" evt:{user.created}:stream "floor$round" "$N" > "$work/out"; t5=$(now); check floor
  echo "$(( (t1 - t0) / 1000 )) $(( (t3 - t2) / 1000 )) $(( (t5 - t4) / 1000 ))" >> "$work/times"
done
python3 - "$work/times" "$N" <<'PY'
import statistics, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
for i, (a, b, c) in enumerate(rows, 1):
    print(f"round {i}: evt {a/1e6:.3f} s, redis-py {b/1e6:.3f} s, floor {c/1e6:.3f} s")
evt, py, floor = (statistics.median(r[k] for r in rows) / 1e6 for k in range(3))
print(f"evt subscribe --group: median {evt:.3f} s ({n/evt:,.0f} events/s)")
print(f"redis-py + hiredis:    median {py:.3f} s ({n/py:,.0f} events/s)")
print(f"C hiredis floor:       median {floor:.3f} s ({n/floor:,.0f} events/s)")
print(f"evt / floor rate:    {floor/evt:.2f}x  (target: at least 0.7x)")
print(f"evt / redis-py rate: {py/evt:.2f}x  (target: at least 2.5x)")
PY
