#!/usr/bin/env bash
# Start-up cost of the release build (static Swift runtime): `evt --version` against
# `redis-cli --version` and a static Swift "hello" (the floor of any Swift program), measured
# by hyperfine in one run, with `perf stat` page faults and the shared libraries each loads
# (libcurl is opened with dlopen only by the SMTP mailer, so it is not among them).
# Target (issue 10, relaxed when swift-argument-parser was kept): `evt --version` median at most
# 1.1x `redis-cli --version`. Usage: bench/startup.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
need_packages "${EVT_PACKAGES[@]}" hyperfine linux-perf
RUNS=${1:-300}
EVT=$(build_release)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'print("0.1.0")' > "$work/hello.swift"
swiftc -O -static-stdlib "$work/hello.swift" -o "$work/hello" 2>/dev/null
hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$work/result.json" \
  --command-name "evt --version" "$EVT --version" \
  --command-name "redis-cli --version" "redis-cli --version" \
  --command-name "swift hello" "$work/hello" >&2
python3 - "$work/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']:>20}: median {r['median']*1000:.2f} ms, mean {r['mean']*1000:.2f} ms")
PY
for cmd in "$EVT --version" "redis-cli --version" "$work/hello"; do
  faults=$(perf stat -e page-faults -r 50 $cmd 2>&1 >/dev/null | awk '/page-faults/ { print $1 }')
  libs=$(ldd "$(command -v ${cmd%% *})" | grep -c '=>' || true)
  echo "$(basename "${cmd%% *}"): $faults page faults, $libs shared libraries"
done
echo "target: evt --version median at most 1.1x redis-cli --version"
