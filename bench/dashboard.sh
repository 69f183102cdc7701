#!/usr/bin/env bash
# What evt dashboard (issue 21) costs, in three parts (default: all):
#   startup [BASE] [RUNS]  `evt --version` and a one-shot `evt publish` built from this tree
#                          against the same built from BASE (default 63fd0e1, the commit before
#                          the issue), side by side in one hyperfine run; the binaries' sizes.
#   load                   50 types, 20 groups (with pending entries, workers' figures and dead
#                          letters) and 1,000,000 events: time to the first poll, the overview's
#                          render time over HTTP, and what the polling costs Redis (INFO
#                          commandstats and used_cpu over 60 s, as a share of one core).
#   live [N] [ROUNDS] [RATE]  a consumer group draining N events while another type gets RATE
#                          events a second (default 2000), alone and beside 100 Server-Sent
#                          Events clients watching that type, alternating rounds, medians.
# Targets: start-up within 5% of BASE; overview <= 300 ms; polling <= 5% of a core; the
# consumer slowed by at most 5% by 100 live clients.
# Usage: bench/dashboard.sh [startup|load|live|all] [ARGS...]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine
PART=${1:-all}
[ $# -gt 0 ] && shift
EVT=$(build_release_with_dashboard)
work=$(mktemp -d)
trap 'stop_redis; [ -n "${DASH_PID:-}" ] && kill "$DASH_PID" 2>/dev/null; rm -rf "$work"' EXIT

start_dashboard() {
  "$EVT" dashboard --listen 127.0.0.1:0 "$@" >"$work/dash.out" 2>"$work/dash.err" &
  DASH_PID=$!
  local t0=$SECONDS
  until grep -q 'http://' "$work/dash.out"; do
    [ $((SECONDS - t0)) -lt 120 ] || { cat "$work/dash.err" >&2; exit 1; }
    sleep 0.05
  done
  DASH_URL=$(grep -o 'http://[^ ]*/' "$work/dash.out" | head -n 1)
}

startup() {
  local base=${1:-63fd0e1} runs=${2:-300} old
  old=$(build_release_at "$base")
  start_redis tcp
  local url="redis://127.0.0.1:$REDIS_PORT" data='{"userId":"1","email":"ada@example.com","name":"Ada"}'
  hyperfine -N --warmup 30 --runs "$runs" --export-json "$work/startup.json" \
    --command-name "evt --version (this tree)" "$EVT --version" \
    --command-name "evt --version ($base)" "$old --version" \
    --command-name "evt publish (this tree)" "$EVT publish user.created --data '$data' --redis-url $url" \
    --command-name "evt publish ($base)" "$old publish user.created --data '$data' --redis-url $url" >&2
  python3 - "$work/startup.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for new, old in ((r[0], r[1]), (r[2], r[3])):
    print(f"{new['command']}: median {new['median']*1000:.2f} ms; {old['command']}: {old['median']*1000:.2f} ms; "
          f"ratio {new['median']/old['median']:.3f}x")
PY
  echo "sizes: evt $(stat -c %s "$EVT") bytes (this tree), $(stat -c %s "$old") bytes ($base); evt-dashboard $(stat -c %s "$(dirname "$EVT")/evt-dashboard") bytes"
  stop_redis
  remove_base_tree
}

load() {
  start_redis tcp
  export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  local r=(redis-cli -p "$REDIS_PORT")
  echo "==> seeding 50 types x 20,000 events, 20 groups" >&2
  for t in $(seq -w 1 50); do make_events 20000 "bench.t$t"; done | "$EVT" publish --ndjson -q
  local minute=$(($(date +%s) / 60))
  for g in $(seq -w 1 20); do
    local stream="evt:{bench.t$g}:stream"
    "${r[@]}" XGROUP CREATE "$stream" "g$g" 0 ENTRIESREAD 0 >/dev/null
    "${r[@]}" XREADGROUP GROUP "g$g" worker COUNT $((10#$g * 500)) STREAMS "$stream" '>' >/dev/null
    "${r[@]}" XACK "$stream" "g$g" $("${r[@]}" XRANGE "$stream" - + COUNT $((10#$g * 250)) | awk 'NR % 3 == 1') >/dev/null
    for m in 0 1 2 3 4; do
      "${r[@]}" HSET "evt:{bench.t$g}:stats:g$g:$((minute - m))" handled 3000 failed 3 dead 1 b40 2000 b48 900 b56 100 >/dev/null
    done
    "${r[@]}" XADD "evt:{bench.t$g}:dlq:g$g" '*' type "bench.t$g" error 'handler exited with status 1' attempts 5 >/dev/null
  done
  "${r[@]}" INFO memory | grep used_memory_human >&2
  local t0 t1
  t0=$(date +%s%N)
  start_dashboard --interval 5s
  t1=$(date +%s%N)
  echo "first poll and listening: $(( (t1 - t0) / 1000000 )) ms"
  sleep 6
  : >"$work/times"
  for _ in $(seq 1 30); do curl -s -o "$work/page" -w '%{time_total}\n' "$DASH_URL" >>"$work/times"; done
  grep -q 'bench.t50' "$work/page" && grep -q 'data-group="g20"' "$work/page" || { echo "the overview lacks types or groups" >&2; exit 1; }
  sort -n "$work/times" | awk '{ a[NR] = $1 } END { printf "overview over HTTP, 30 requests: median %.1f ms, max %.1f ms\n", a[int((NR + 1) / 2)] * 1000, a[NR] * 1000 }'
  "${r[@]}" CONFIG RESETSTAT >/dev/null
  local cpu0 cpu1
  cpu0=$("${r[@]}" INFO cpu | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { print s }')
  sleep 60
  cpu1=$("${r[@]}" INFO cpu | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { print s }')
  "${r[@]}" INFO commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_/ { calls += $3; us += $5 } END {
    printf "polling, 60 s at --interval 5s: %d commands, %.1f ms in Redis commands = %.2f%% of one core\n", calls, us / 1000, us / 60e6 * 100 }'
  python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'redis-server CPU over the same 60 s (all of it, idle work included): {(b - a) / 60 * 100:.2f}% of one core')" "$cpu0" "$cpu1"
  kill "$DASH_PID"
  DASH_PID=
  stop_redis
}

live() {
  local n=${1:-200000} rounds=${2:-5} rate=${3:-2000}
  start_redis tcp
  export EVT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  make_events "$n" bench.consume | "$EVT" publish --ndjson -q
  start_dashboard --interval 5s
  local port=${DASH_URL%/}
  port=${port##*:}
  cat >"$work/clients.py" <<'PY'
import socket, sys, threading, time
port, n = int(sys.argv[1]), int(sys.argv[2])
def client():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /live?type=bench.watched HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    while s.recv(65536):
        pass
for _ in range(n):
    threading.Thread(target=client, daemon=True).start()
print("connected", flush=True)
time.sleep(3600)
PY
  # The watched type gets RATE events a second all along (evt publish --ndjson fed at that pace).
  python3 -c '
import sys, time
rate, i = int(sys.argv[1]), 0
start = time.monotonic()
while True:
    i += 1
    sys.stdout.write("{\"type\":\"bench.watched\",\"data\":{\"n\":%d}}\n" % i)
    if i % 50 == 0:
        sys.stdout.flush()
        time.sleep(max(0, start + i / rate - time.monotonic()))
' "$rate" | "$EVT" publish --ndjson -q &
  local publisher=$!
  now() { date +%s%N; }
  : >"$work/alone" && : >"$work/watched"
  for round in $(seq 1 "$rounds"); do
    t0=$(now); "$EVT" subscribe --group "alone$round" --until-empty --json bench.consume >/dev/null; t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >>"$work/alone"
    python3 "$work/clients.py" "$port" 100 >"$work/clients.out" & clients=$!
    until grep -q connected "$work/clients.out"; do sleep 0.05; done
    sleep 1
    t0=$(now); "$EVT" subscribe --group "watched$round" --until-empty --json bench.consume >/dev/null; t1=$(now)
    kill "$clients"; wait "$clients" 2>/dev/null || true
    echo $(( (t1 - t0) / 1000000 )) >>"$work/watched"
  done
  kill "$publisher" 2>/dev/null || true
  python3 - "$work/alone" "$work/watched" "$n" "$rate" <<'PY'
import statistics, sys
alone = [int(x) for x in open(sys.argv[1])]
watched = [int(x) for x in open(sys.argv[2])]
n, rate = int(sys.argv[3]), sys.argv[4]
a, w = statistics.median(alone), statistics.median(watched)
print(f"consumer draining {n} events while another type gets {rate} events/s: alone {n / a * 1000:,.0f}/s "
      f"(ms: {alone}), beside 100 live clients of that type {n / w * 1000:,.0f}/s (ms: {watched}): throughput ratio {a / w:.3f}")
PY
  kill "$DASH_PID"
  DASH_PID=
  stop_redis
}

case "$PART" in
  startup) startup "$@" ;;
  load) load ;;
  live) live "$@" ;;
  all) startup; load; live ;;
  *) echo "usage: bench/dashboard.sh [startup|load|live|all] [ARGS...]" >&2; exit 64 ;;
esac
