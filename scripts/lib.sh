# Shared by scripts/demo, scripts/test, bench/* and .ci/run. Source it; do not run it.
EVT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian packages evt needs to build, test and benchmark.
EVT_PACKAGES=(libhiredis-dev libcurl4-openssl-dev libssl-dev openssl pkg-config redis-server redis-tools bats python3-aiosmtpd jq curl)
# The test suite adds a browser for the dashboard's tests, strace, and what builds and checks
# the Debian package.
EVT_TEST_PACKAGES=("${EVT_PACKAGES[@]}" chromium chromium-driver strace dpkg-dev lintian man-db)

# Installs whichever of the given Debian packages are missing (with sudo when not root).
need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "==> installing ${missing[*]}" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

# Makes, in directory $1 (once; kept when it is there), a test CA (ca.crt), a server
# certificate for localhost and 127.0.0.1 signed by it (server.crt, server.key), a client
# certificate signed by it (client.crt, client.key), and a second CA with a server
# certificate of its own (other-ca.crt, other.crt, other.key), for the TLS tests.
make_tls_certs() {
  local d=$1
  [ -s "$d/other.key" ] && return 0
  mkdir -p "$d"
  (
    cd "$d"
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -days 7 -subj /CN=evt-test-ca -keyout ca.key -out ca.crt
    openssl req -x509 "${ec[@]}" -days 7 -subj /CN=evt-other-ca -keyout other-ca.key -out other-ca.crt
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
    openssl req "${ec[@]}" -subj /CN=localhost -keyout server.key -out server.csr
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 -extfile server.ext -out server.crt
    openssl req "${ec[@]}" -subj /CN=localhost -keyout other.key -out other.csr
    openssl x509 -req -in other.csr -CA other-ca.crt -CAkey other-ca.key -CAcreateserial -days 7 -extfile server.ext -out other.crt
    openssl req "${ec[@]}" -subj /CN=evt-client -keyout client.key -out client.csr
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 -out client.crt
  ) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
  chmod 600 "$d"/*.key
}

# Starts a private redis-server on a unix socket in a new temp dir; with $1 "tcp" also on a
# free TCP port, with $1 "tls" also on a free TLS port that requires a client certificate
# (certificates from make_tls_certs in $EVT_TLS_DIR, default $REDIS_DIR/tls). Further
# arguments go to redis-server. Sets REDIS_DIR, REDIS_SOCK, REDIS_PID, REDIS_PORT
# (REDIS_TLS_PORT) and exports EVT_REDIS_URL (and, for tls, the EVT_TLS_* files), while
# redis-cli keeps using the unix socket.
start_redis() {
  REDIS_DIR=$(mktemp -d /tmp/evt-redis-XXXXXX)
  REDIS_SOCK="$REDIS_DIR/redis.sock"
  REDIS_PORT=0
  local tls=()
  if [ "${1:-}" = tcp ]; then
    REDIS_PORT=$(free_tcp_port)
  elif [ "${1:-}" = tls ]; then
    EVT_TLS_DIR=${EVT_TLS_DIR:-$REDIS_DIR/tls}
    make_tls_certs "$EVT_TLS_DIR"
    REDIS_TLS_PORT=$(free_tcp_port)
    tls=(--tls-port "$REDIS_TLS_PORT" --tls-cert-file "$EVT_TLS_DIR/server.crt" --tls-key-file "$EVT_TLS_DIR/server.key"
      --tls-ca-cert-file "$EVT_TLS_DIR/ca.crt" --tls-auth-clients yes)
  fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
    --dir "$REDIS_DIR" --save '' --appendonly no --logfile "$REDIS_DIR/redis.log" "${tls[@]}" "${@:2}" \
    </dev/null >/dev/null 2>&1 &
  REDIS_PID=$!
  local i
  for i in $(seq 1 200); do
    redis-cli -s "$REDIS_SOCK" ping >/dev/null 2>&1 && break
    sleep 0.025
  done
  if ! redis-cli -s "$REDIS_SOCK" ping >/dev/null 2>&1; then
    echo "redis-server did not start; its log:" >&2
    cat "$REDIS_DIR/redis.log" >&2 2>/dev/null || true
    return 1
  fi
  if [ ${#tls[@]} -gt 0 ]; then
    export EVT_REDIS_URL="rediss://127.0.0.1:$REDIS_TLS_PORT"
    export EVT_TLS_CA_FILE="$EVT_TLS_DIR/ca.crt" EVT_TLS_CERT_FILE="$EVT_TLS_DIR/client.crt" EVT_TLS_KEY_FILE="$EVT_TLS_DIR/client.key"
  else
    export EVT_REDIS_URL="unix://$REDIS_SOCK"
  fi
}

# A free TCP port on loopback below 55536 whose cluster bus port (+10000) is free too.
free_cluster_port() {
  python3 -c '
import random, socket
while True:
    p = random.randint(20000, 45000)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass'
}

# A free TCP port on loopback.
free_tcp_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts a Redis Cluster of $1 masters (default 3), each with one replica (CLUSTER_REPLICAS), on free loopback
# ports in a new temp dir (cluster-node-timeout 2 s; every write appended and fsynced unless
# CLUSTER_APPENDONLY=no).
# Sets CLUSTER_DIR, CLUSTER_PORTS (masters first) and CLUSTER_PIDS, and exports
# EVT_REDIS_URL with every master's address. Stop it with stop_cluster.
start_cluster() {
  local masters=${1:-3} i port
  CLUSTER_DIR=$(mktemp -d /tmp/evt-cluster-XXXXXX)
  CLUSTER_PORTS=() CLUSTER_PIDS=()
  local replicas=${CLUSTER_REPLICAS:-1}
  for i in $(seq 1 $((masters * (replicas + 1)))); do
    port=$(free_cluster_port)
    mkdir -p "$CLUSTER_DIR/$port"
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 2000 --dir "$CLUSTER_DIR/$port" --save '' --appendonly "${CLUSTER_APPENDONLY:-yes}" \
      --appendfsync always --repl-diskless-sync-delay 0 --logfile "$CLUSTER_DIR/$port/redis.log" </dev/null >/dev/null 2>&1 &
    CLUSTER_PIDS+=($!)
    CLUSTER_PORTS+=("$port")
  done
  for port in "${CLUSTER_PORTS[@]}"; do
    for i in $(seq 1 200); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.025; done
  done
  local addresses=()
  for port in "${CLUSTER_PORTS[@]}"; do addresses+=("127.0.0.1:$port"); done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$replicas" --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 ||
    { cat "$CLUSTER_DIR/create.log" >&2; return 1; }
  for i in $(seq 1 400); do
    cluster_ready && break
    sleep 0.05
  done
  cluster_ready || { echo "the cluster did not come up" >&2; return 1; }
  local urls=()
  for port in "${CLUSTER_PORTS[@]:0:masters}"; do urls+=("redis://127.0.0.1:$port"); done
  export EVT_REDIS_URL=$(IFS=,; echo "${urls[*]}")
}

# Starts cluster node $1 again (after it was killed), with its data and nodes.conf: it rejoins,
# as a replica of whichever node took over its slots.
restart_cluster_node() {
  local port=$1
  redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
    --cluster-node-timeout 2000 --dir "$CLUSTER_DIR/$port" --save '' --appendonly "${CLUSTER_APPENDONLY:-yes}" \
    --appendfsync always --repl-diskless-sync-delay 0 --logfile "$CLUSTER_DIR/$port/redis.log" </dev/null >/dev/null 2>&1 &
  CLUSTER_PIDS+=($!)
}

# Whether every node says the cluster is ok and every replica is in sync.
cluster_ready() {
  local port
  for port in "${CLUSTER_PORTS[@]}"; do
    redis-cli -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || return 1
    if redis-cli -p "$port" info replication | grep -q 'role:slave'; then
      redis-cli -p "$port" info replication | grep -q 'master_link_status:up' || return 1
    fi
  done
}

stop_cluster() {
  local pid
  for pid in "${CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${CLUSTER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  CLUSTER_PIDS=()
  [ -n "${CLUSTER_DIR:-}" ] && rm -rf "$CLUSTER_DIR"
  CLUSTER_DIR=""
}

stop_redis() {
  if [ -n "${REDIS_PID:-}" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  fi
  [ -n "${REDIS_DIR:-}" ] && rm -rf "$REDIS_DIR"
  REDIS_DIR=""
}

# Writes Sources/CBuildInfo/build-info.h (git ignores it): the commit (with "-dirty" when the
# tree has changes) and its time, as a reproducible build's date (SOURCE_DATE_EPOCH's rule),
# for `evt version --json`. Rewritten only when it changes, so builds stay incremental.
write_build_info() {
  local commit="" date="" file="$EVT_ROOT/Sources/CBuildInfo/build-info.h" text
  if commit=$(git -C "$EVT_ROOT" rev-parse --short=12 HEAD 2>/dev/null); then
    date=$(TZ=UTC git -C "$EVT_ROOT" log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)
    git -C "$EVT_ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || commit="$commit-dirty"
  else
    commit=""
  fi
  text=$(printf '#define EVT_BUILD_COMMIT "%s"\n#define EVT_BUILD_DATE "%s"' "$commit" "$date")
  [ -f "$file" ] && [ "$(cat "$file")" = "$text" ] && return 0
  printf '%s\n' "$text" >"$file"
}

# Builds the release binary (static Swift runtime: fast start-up) and prints its path.
build_release() {
  echo "==> building evt (release; log in .build/release-build.log)" >&2
  mkdir -p "$EVT_ROOT/.build"
  write_build_info
  if ! (cd "$EVT_ROOT" && swift build -c release --static-swift-stdlib --product evt) >"$EVT_ROOT/.build/release-build.log" 2>&1; then
    cat "$EVT_ROOT/.build/release-build.log" >&2
    echo "build failed" >&2
    return 1
  fi
  echo "$EVT_ROOT/.build/release/evt"
}

# Builds evt (release) as it was at commit $1, in the git worktree .build-base (remove it with
# remove_base_tree), and prints its path: the "before" of a before-and-after benchmark.
build_release_at() {
  local tree="$EVT_ROOT/.build-base"
  rm -rf "$tree"
  git -C "$EVT_ROOT" worktree add -f --detach "$tree" "$1" >/dev/null 2>&1
  echo "==> building evt at $1 (release; log in .build/release-base.log)" >&2
  if ! (cd "$tree" && swift build -c release --static-swift-stdlib --product evt) >"$EVT_ROOT/.build/release-base.log" 2>&1; then
    cat "$EVT_ROOT/.build/release-base.log" >&2
    return 1
  fi
  echo "$tree/.build/release/evt"
}

remove_base_tree() { git -C "$EVT_ROOT" worktree remove --force "$EVT_ROOT/.build-base" >/dev/null 2>&1 || true; }

# Builds the release evt and evt-dashboard (the web server `evt dashboard` runs, from the same
# directory) and prints evt's path.
build_release_with_dashboard() {
  local evt
  evt=$(build_release)
  echo "==> building evt-dashboard (release; log in .build/release-dashboard-build.log)" >&2
  if ! (cd "$EVT_ROOT" && swift build -c release --static-swift-stdlib --product evt-dashboard) \
    >"$EVT_ROOT/.build/release-dashboard-build.log" 2>&1; then
    cat "$EVT_ROOT/.build/release-dashboard-build.log" >&2
    echo "build failed" >&2
    return 1
  fi
  echo "$evt"
}

# Prints N NDJSON drafts of type $2 (default user.created) whose envelopes are about 250
# bytes, as in the issues' measurements (the user.created contract holds for them).
make_events() {
  python3 - "$1" "${2:-user.created}" <<'PY'
import sys
n, t = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print('{"type":"%s","data":{"userId":"u-%08d","email":"user%08d@example.com","name":"Benchmark User %08d","plan":"standard"}}' % (t, i, i, i))
PY
}

# Installs redis-py with hiredis from PyPI into .build/bench-venv (for the comparisons) and
# prints the interpreter's path.
bench_python() {
  need_packages python3-venv
  local venv="$EVT_ROOT/.build/bench-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import redis, hiredis' 2>/dev/null; then
    echo "==> installing redis-py and hiredis from PyPI into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q redis hiredis >&2
  fi
  echo "$venv/bin/python"
}

# Builds bench/floor.c (the C hiredis consumer the consume benchmark compares with) and
# prints its path.
build_floor() {
  mkdir -p "$EVT_ROOT/.build"
  cc -O2 -o "$EVT_ROOT/.build/bench-floor" "$EVT_ROOT/bench/floor.c" $(pkg-config --cflags --libs hiredis) >&2
  echo "$EVT_ROOT/.build/bench-floor"
}
