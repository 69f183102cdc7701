#!/usr/bin/env bash
# End-to-end latency at a steady rate: `evt bench` with one publisher and one group
# subscriber at R events/s (default 2000) for N events, on a private redis-server (TCP
# loopback), several rounds. Latency is from the envelope timestamp (µs) to the handler.
# The same measured for redis-py + hiredis in the same run (a publisher thread doing XADD with
# the time in µs, a consumer doing XREADGROUP BLOCK + json.loads + XACK), for reference.
# Targets (issue 10): p50 at most 200 µs, p99 at most 1 ms. Usage: bench/latency.sh [N] [RATE] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}"
N=${1:-20000}
RATE=${2:-2000}
ROUNDS=${3:-3}
EVT=$(build_release)
PY=$(bench_python)
start_redis tcp
work=$(mktemp -d)
trap 'stop_redis; rm -rf "$work"' EXIT
export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
cat > "$work/latency.py" <<'PY'
import json, sys, threading, time, redis
port, n, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
key, group = "pybench:stream", "g%d" % time.time_ns()
r = redis.Redis(host="127.0.0.1", port=port)
r.xgroup_create(key, group, id="$", mkstream=True)
def publish():
    p = redis.Redis(host="127.0.0.1", port=port)
    start = time.time()
    for i in range(n):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        p.xadd(key, {"event": json.dumps({"seq": i, "t": time.time_ns() // 1000, "pad": "x" * 100})})
threading.Thread(target=publish, daemon=True).start()
lat, got = [], 0
while got < n:
    reply = r.xreadgroup(group, "c", {key: ">"}, count=100, block=1000)
    now = time.time_ns() // 1000
    for _, entries in reply or []:
        for eid, fields in entries:
            lat.append(now - json.loads(fields[b"event"])["t"])
        r.xack(key, group, *[e[0] for e in entries])
        got += len(entries)
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p / 100))]
print(json.dumps({"received": got, "expected": n, "consumeRate": rate, "latencyMicroseconds": {"p50": q(50), "p90": q(90), "p99": q(99), "p99.9": q(99.9), "max": lat[-1]}, "who": "redis-py"}))
PY
for round in $(seq 1 "$ROUNDS"); do
  "$EVT" bench --publishers 1 --subscribers 1 --group --count "$N" --rate "$RATE" --json
  "$PY" "$work/latency.py" "$REDIS_PORT" "$N" "$RATE"
done > "$work/runs.json"
python3 - "$work/runs.json" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
for i, r in enumerate(runs):
    l = r["latencyMicroseconds"]
    print(f"round {i // 2 + 1} {r.get('who', 'evt bench')}: {r['received']}/{r['expected']} events at {r['consumeRate']}/s; "
          f"p50 {l['p50']} µs, p90 {l['p90']} µs, p99 {l['p99']} µs, p99.9 {l['p99.9']} µs, max {l['max']} µs")
for who in ("evt bench", "redis-py"):
    mine = [r for r in runs if r.get("who", "evt bench") == who]
    for k in ("p50", "p99"):
        print(f"{who} median {k}: {statistics.median(r['latencyMicroseconds'][k] for r in mine)} µs")
print("targets: p50 at most 200 µs, p99 at most 1000 µs")
PY
