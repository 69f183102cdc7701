#!/usr/bin/env bash
# Start-up cost of the release build (static Swift runtime): `evt --version` and
# `redis-cli --version` measured by `perf stat -r RUNS` in one run, and the shared libraries
# each loads (libcurl is opened with dlopen only by the SMTP mailer, so it is not among them).
# Usage: bench/startup.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" linux-perf
RUNS=${1:-200}
EVT=$(build_release)
for cmd in "$EVT --version" "redis-cli --version"; do
  elapsed=$(perf stat -r "$RUNS" $cmd 2>&1 >/dev/null | awk '/seconds time elapsed/ { printf "%.2f ms", $1 * 1000 }')
  libs=$(ldd "$(command -v ${cmd%% *})" | grep -c '=>' || true)
  echo "$cmd: $elapsed mean over $RUNS runs, $libs shared libraries"
done
