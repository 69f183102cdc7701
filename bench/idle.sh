#!/usr/bin/env bash
# What an idle consumer costs: `evt subscribe --group g '*'` over TYPES types (default 3,000)
# with nothing to read, for SECONDS (default 20): CPU seconds used by evt and by redis-server
# (from /proc and INFO cpu), and the commands it sent (INFO commandstats).
# Usage: bench/idle.sh [TYPES] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}"
TYPES=${1:-3000}
SECONDS_=${2:-20}
EVT=$(build_release)
start_redis
trap stop_redis EXIT
URL="unix://$REDIS_SOCK"
python3 -c "
for i in range(1, $TYPES + 1): print('{\"type\":\"idle.t%d\",\"data\":{}}' % i)" | "$EVT" publish --ndjson -q --redis-url "$URL"
"$EVT" subscribe --group g '*' --redis-url "$URL" > /dev/null 2>&1 &
pid=$!
sleep 5   # joined every stream
redis_cpu() { redis-cli -s "$REDIS_SOCK" INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ {n += $2} END {print n}'; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
redis-cli -s "$REDIS_SOCK" CONFIG RESETSTAT > /dev/null
e0=$(ticks) r0=$(redis_cpu)
sleep "$SECONDS_"
e1=$(ticks) r1=$(redis_cpu)
kill "$pid"
hz=$(getconf CLK_TCK)
python3 - "$e0" "$e1" "$r0" "$r1" "$hz" "$SECONDS_" "$TYPES" <<'PY'
import sys
e0, e1, r0, r1, hz, s, types = map(float, sys.argv[1:])
print(f"idle '*' group consumer over {int(types)} types, {int(s)} s:")
print(f"  evt:   {(e1 - e0) / hz:.3f} s of CPU ({(e1 - e0) / hz / s * 100:.2f}%)")
print(f"  redis: {r1 - r0:.3f} s of CPU ({(r1 - r0) / s * 100:.2f}%)")
PY
redis-cli -s "$REDIS_SOCK" INFO commandstats | tr -d '\r' | grep -E '^cmdstat_(smembers|scard|xreadgroup):' | sed 's/^/  /'
