# Loaded by every .bats file: a private redis-server per test and a fresh namespace.
source "$BATS_TEST_DIRNAME/../../scripts/lib.sh"
EVT_BIN=${EVT_BIN:-$EVT_ROOT/.build/debug/evt}

setup() {
  start_redis
  export EVT_NAMESPACE="e2e$RANDOM$RANDOM"
  unset EVT_CONNECT_TIMEOUT EVT_COMMAND_TIMEOUT
}

teardown() {
  # Background evt processes a test left behind.
  jobs -p | xargs -r kill 2>/dev/null || true
  stop_redis
}

evt() { "$EVT_BIN" "$@"; }
rcli() { redis-cli -s "$REDIS_SOCK" "$@"; }

# Asserts that bad input left Redis empty.
assert_nothing_written() {
  [ "$(rcli DBSIZE)" = 0 ] || { echo "Redis has $(rcli DBSIZE) keys: $(rcli KEYS '*')"; return 1; }
}

# Asserts that $stderr-like text ($1) is exactly one line starting with "evt: error:".
assert_one_error_line() {
  [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] || { echo "expected one line, got: $1"; return 1; }
  [[ "$1" == "evt: error: "* ]] || { echo "expected 'evt: error: …', got: $1"; return 1; }
  [[ "$1" != *"Fatal error"* && "$1" != *"Stack"* ]]
}

# Runs evt capturing stdout ($out), stderr ($err) and the exit status ($status).
run_evt() {
  local so se
  so=$(mktemp) se=$(mktemp)
  set +e
  "$EVT_BIN" "$@" >"$so" 2>"$se"
  status=$?
  set -e
  out=$(cat "$so") err=$(cat "$se")
  rm -f "$so" "$se"
}

# Waits (up to $2 seconds, default 10) until command $1 succeeds.
wait_for() {
  local deadline=$((SECONDS + ${2:-10}))
  until eval "$1"; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for: $1"; return 1; }
    sleep 0.05
  done
}
