#!/usr/bin/env bats
# Runs the corpus of bad invocations (bad_invocations.bash) against one seeded Redis.
load helpers

setup() {
  start_redis unix --enable-debug-command local
  export EVT_NAMESPACE=corpus
  unset EVT_CONNECT_TIMEOUT EVT_COMMAND_TIMEOUT EVT_REDIS_PASSWORD EVT_SMTP_PASSWORD
  # Something of every kind: events, a group with a pending entry, a dead letter, a user.
  evt publish a.b --data '{"x":1}' -q >/dev/null
  evt create-user --id seed-user --name Seed --email seed@example.com >/dev/null
  evt publish order.placed --data '{"orderId":"o","userId":"nobody"}' -q >/dev/null
  evt subscribe --group g --count 1 --exec 'exit 65' a.b >/dev/null 2>&1 || true
  evt publish a.b --data 2 -q >/dev/null
  rcli XREADGROUP GROUP g dead COUNT 1 STREAMS "corpus:{a.b}:stream" '>' >/dev/null
  cd "$BATS_TEST_TMPDIR"
}

failures=()
checked=0

# bad CODE [VAR=VALUE …] -- ARGS…
bad() {
  local code=$1
  shift
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  check "$code" "" "${env[@]}" -- "$@"
}

# bad_in CODE INPUT -- ARGS…
bad_in() {
  local code=$1 input=$2
  shift 3
  check "$code" "$input" -- "$@"
}

check() {
  local code=$1 input=$2
  shift 2
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  local before after status so se
  before=$(rcli DEBUG DIGEST)
  so="$BATS_TEST_TMPDIR/out" se="$BATS_TEST_TMPDIR/err"
  status=0
  printf '%s' "$input" | env "${env[@]}" "$EVT_BIN" "$@" >"$so" 2>"$se" || status=$?
  after=$(rcli DEBUG DIGEST)
  local what="evt ${*}"
  checked=$((checked + 1))
  local problems=()
  local lines first
  lines=$(wc -l < "$se")
  first=$(head -c 12 "$se")
  [ "$status" -eq "$code" ] || problems+=("exit $status, expected $code;")
  [ "$lines" -eq 1 ] || problems+=("$lines lines on stderr;")
  [ "$first" = "evt: error: " ] || problems+=("no 'evt: error:' line;")
  if grep -qi 'fatal error\|stack trace\|backtrace' "$se"; then problems+=("a crash report;"); fi
  if grep -q "$SECRET" "$se"; then problems+=("the secret is shown;"); fi
  [ ! -s "$so" ] || problems+=("output on stdout;")
  [ "$before" = "$after" ] || problems+=("Redis changed;")
  if [ ${#problems[@]} -gt 0 ]; then
    failures+=("$what: ${problems[*]}: $(head -c 300 "$se")")
  fi
}

@test "the bad-invocation corpus: a documented exit, one error line, no secret, Redis unchanged" {
  source "$BATS_TEST_DIRNAME/bad_invocations.bash"
  echo "checked $checked bad invocations"
  [ "$checked" -ge 100 ]
  if [ ${#failures[@]} -gt 0 ]; then
    printf '%s\n' "${failures[@]}"
    return 1
  fi
}
