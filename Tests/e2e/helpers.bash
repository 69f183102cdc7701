# Loaded by every .bats file: a private redis-server per test and a fresh namespace.
# EVT_TEST_REDIS picks what evt talks to: "single" (default: a unix socket), "tls" (mutual
# TLS on loopback; redis-cli still uses the unix socket) or "cluster" (the Redis Cluster whose
# node ports EVT_TEST_CLUSTER_PORTS lists, started by scripts/test with start_cluster and
# emptied before each test; redis-cli follows redirections).
source "$BATS_TEST_DIRNAME/../../scripts/lib.sh"
EVT_BIN=${EVT_BIN:-$EVT_ROOT/.build/debug/evt}
EVT_TEST_REDIS=${EVT_TEST_REDIS:-single}
# The test certificates are made once per run.
EVT_TLS_DIR=${EVT_TLS_DIR:-$BATS_RUN_TMPDIR/tls}

setup() {
  case "$EVT_TEST_REDIS" in
    single) start_redis ;;
    tls) start_redis tls ;;
    cluster) use_cluster ;;
    *) echo "EVT_TEST_REDIS=$EVT_TEST_REDIS: expected single, tls or cluster"; return 1 ;;
  esac
  export EVT_NAMESPACE="e2e$RANDOM$RANDOM"
  unset EVT_CONNECT_TIMEOUT EVT_COMMAND_TIMEOUT
}

teardown() {
  # Background evt processes a test left behind.
  jobs -p | xargs -r kill 2>/dev/null || true
  stop_redis
}

evt() { "$EVT_BIN" "$@"; }

# Key names of the namespace under test (see the README's key table).
stream_key() { echo "$EVT_NAMESPACE:{$1}:stream"; }
# The DLQ streams (one per type) and the replay streams of group $1.
dlq_keys() { rcli_each --scan --pattern "$EVT_NAMESPACE:{*}:dlq:$1" | grep .; }
replay_keys() { rcli_each --scan --pattern "$EVT_NAMESPACE:{*}:replay:$1" | grep .; }
# How many dead letters (replayed events) group $1 has, of every type.
dlq_count() { sum_xlen $(dlq_keys "$1"); }
replay_count() { sum_xlen $(replay_keys "$1"); }
sum_xlen() { local n=0 k; for k in "$@"; do n=$((n + $(rcli XLEN "$k"))); done; echo "$n"; }
# The dead letters of group $1, as redis-cli prints XRANGE.
dlq_range() { local k; for k in $(dlq_keys "$1"); do rcli XRANGE "$k" - +; done; }
rcli() {
  if [ -n "${REDIS_SOCK:-}" ]; then redis-cli -s "$REDIS_SOCK" "$@"; else redis-cli -c -p "${CLUSTER_MASTERS[0]}" "$@"; fi
}
# A command run on every master (the one server when not a cluster), outputs one after another.
rcli_each() {
  if [ -n "${REDIS_SOCK:-}" ]; then redis-cli -s "$REDIS_SOCK" "$@"; return; fi
  local port
  for port in "${CLUSTER_MASTERS[@]}"; do redis-cli -p "$port" "$@"; done
}
# The number of keys in Redis (on every master).
db_size() { local n=0 k; for k in $(rcli_each DBSIZE); do n=$((n + k)); done; echo "$n"; }

# Cluster mode: the shared cluster, emptied; CLUSTER_MASTERS are its masters now.
use_cluster() {
  [ -n "${EVT_TEST_CLUSTER_PORTS:-}" ] || { echo "EVT_TEST_REDIS=cluster needs EVT_TEST_CLUSTER_PORTS (scripts/test starts a cluster)"; return 1; }
  local port urls=()
  CLUSTER_MASTERS=()
  for port in $EVT_TEST_CLUSTER_PORTS; do
    redis-cli -p "$port" role 2>/dev/null | head -n 1 | grep -q master && CLUSTER_MASTERS+=("$port")
    urls+=("127.0.0.1:$port")
  done
  for port in "${CLUSTER_MASTERS[@]}"; do redis-cli -p "$port" FLUSHALL >/dev/null; done
  unset REDIS_SOCK
  export EVT_REDIS_URL="redis://$(IFS=,; echo "${urls[*]}")"
}

# For a test about one server's own settings (its password, its ACL users, its unix socket):
# in cluster mode it gets a private single server instead.
use_own_server() {
  [ "$EVT_TEST_REDIS" = cluster ] || return 0
  start_redis
}

# Asserts that bad input left Redis empty.
assert_nothing_written() {
  [ "$(db_size)" = 0 ] || { echo "Redis has $(db_size) keys: $(rcli_each KEYS '*')"; return 1; }
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

PY=${EVT_TEST_PYTHON:-/usr/bin/python3}

# A free TCP port on loopback.
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts the SMTP sink (smtp_sink.py; its SINK_* variables pass through; $1 is USER:PASSWORD
# to require authentication) on a free port, or on SMTP_PORT when it was started before:
# sets SMTP_PORT, INBOX and SINK_PID.
start_sink() {
  "$PY" -c 'import aiosmtpd' || { echo "aiosmtpd is missing: apt-get install python3-aiosmtpd (scripts/test does)"; return 1; }
  SMTP_PORT=${SMTP_PORT:-$(free_port)}
  INBOX="$BATS_TEST_TMPDIR/inbox"
  "$PY" "$BATS_TEST_DIRNAME/smtp_sink.py" "$SMTP_PORT" "$INBOX" "$@" > "$BATS_TEST_TMPDIR/smtp.out" 2>&1 &
  SINK_PID=$!
  wait_for "grep -q listening '$BATS_TEST_TMPDIR/smtp.out'"
}

# Starts a redis-server with an append-only file (fsync always) on a unix socket in directory
# $1, again after a kill with the same data: sets AOF_PID.
start_aof() {
  redis-server --port 0 --unixsocket "$1/r.sock" --dir "$1" --appendonly yes --appendfsync always --save '' \
    </dev/null >/dev/null 2>&1 &
  AOF_PID=$!
  wait_for "redis-cli -s '$1/r.sock' ping >/dev/null 2>&1"
}

# Exits non-zero unless every line of file $1 is one JSON value.
assert_json_lines() {
  "$PY" -c 'import json, sys
for n, line in enumerate(open(sys.argv[1], "rb"), 1):
    try: json.loads(line)
    except Exception as e: sys.exit("line %d is not JSON: %r (%s)" % (n, line[:80], e))' "$1"
}

# Starts a redis-server that listens for TLS only, on a free port, with the server certificate
# $1 ("server": signed by the test CA; "other": by another CA), asking clients for a
# certificate when $2 is "yes"; further arguments go to redis-server. Sets TLS_PORT.
start_tls_server() {
  make_tls_certs "$EVT_TLS_DIR"
  TLS_PORT=$(free_tcp_port)
  redis-server --port 0 --tls-port "$TLS_PORT" --bind 127.0.0.1 --save '' --dir "$BATS_TEST_TMPDIR" \
    --tls-cert-file "$EVT_TLS_DIR/$1.crt" --tls-key-file "$EVT_TLS_DIR/$1.key" --tls-ca-cert-file "$EVT_TLS_DIR/ca.crt" \
    --tls-auth-clients "$2" "${@:3}" </dev/null >/dev/null 2>&1 &
  wait_for "redis-cli --tls --insecure --cert '$EVT_TLS_DIR/client.crt' --key '$EVT_TLS_DIR/client.key' -p $TLS_PORT ping 2>/dev/null | grep -qE 'PONG|NOAUTH'"
}
