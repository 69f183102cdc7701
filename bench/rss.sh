#!/usr/bin/env bash
# Idle memory: `evt run-email-worker --outbox DIR` started on a private redis-server, left
# idle for a few seconds, its resident set read from /proc (VmRSS). Target (issue 10): at most
# 12 MiB. Usage: bench/rss.sh [SECONDS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}"
WAIT=${1:-3}
EVT=$(build_release)
start_redis
work=$(mktemp -d)
"$EVT" run-email-worker --outbox "$work/outbox" 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; stop_redis; rm -rf "$work"' EXIT
sleep "$WAIT"
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
threads=$(awk '/Threads/ { print $2 }' "/proc/$pid/status")
echo "run-email-worker --outbox, idle after ${WAIT}s: VmRSS $rss KiB ($(( rss / 1024 )) MiB), $threads threads (target: at most 12 MiB)"
