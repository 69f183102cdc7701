#!/usr/bin/env bats
load helpers

# Every bad input: exit code, one line on stderr, nothing on stdout, nothing in Redis.
bad() {
  local code=$1
  shift
  run_evt "$@"
  [ "$status" -eq "$code" ] || { echo "exit $status, expected $code: $err"; return 1; }
  assert_one_error_line "$err"
  [ -z "$out" ]
  assert_nothing_written
}

@test "invalid JSON data: exit 65" {
  bad 65 publish user.created --data '{"userId":'
  [[ "$err" == *"not valid JSON"*"column"* ]]
}

@test "a bad type name: exit 65" {
  bad 65 publish User.Created --data '{}'
  bad 65 publish 'user created' --data '{}'
  bad 65 publish user. --data '{}'
}

@test "oversize data: exit 65" {
  head -c 1100000 /dev/zero | tr '\0' 'x' | sed 's/.*/"&"/' > "$BATS_TEST_TMPDIR/big.json"
  bad 65 publish a.b --data "@$BATS_TEST_TMPDIR/big.json"
  [[ "$err" == *"over the limit of 1048576 bytes"* ]]
}

@test "a missing data file: exit 65" {
  bad 65 publish a.b --data @/nonexistent/file.json
}

@test "a bad id or header: exit 65 / 64" {
  bad 65 publish a.b --data 1 --id 'has space'
  bad 64 publish a.b --data 1 --header novalue
}

@test "Redis not running: exit 69 with a hint" {
  EVT_REDIS_URL=redis://127.0.0.1:1 bad 69 publish a.b --data 1
  [[ "$err" == *"cannot connect to redis://127.0.0.1:1"* ]]
  bad 69 publish a.b --data 1 --redis-url unix:///nonexistent.sock
  EVT_REDIS_URL=redis://127.0.0.1:1 bad 69 tail
  EVT_REDIS_URL=redis://127.0.0.1:1 bad 69 subscribe --group g a.b
}

@test "a wrong password: exit 77, password not shown" {
  use_own_server
  rcli CONFIG SET requirepass s3cret >/dev/null
  export REDISCLI_AUTH=s3cret
  bad 77 publish a.b --data 1 --redis-url "unix://$REDIS_SOCK?password=wrong-pw"
  [[ "$err" != *"wrong-pw"* ]]
  bad 77 publish a.b --data 1
  [[ "$err" == *"requires a password"* ]]
  out=$(evt publish a.b --data 1 --redis-url "unix://$REDIS_SOCK?password=s3cret")
  [[ "$out" == *'"type":"a.b"'* ]]
}

@test "a malformed URL: exit 64, password masked" {
  bad 64 publish a.b --data 1 --redis-url 'redis://u:hunter2@host:notaport'
  [[ "$err" == *"invalid Redis URL"* && "$err" != *hunter2* ]]
  EVT_REDIS_URL=http://localhost bad 64 tail
}

@test "usage errors: exit 64 with one line" {
  bad 64 publish a.b
  bad 64 publish --data 1
  bad 64 publish a.b --data 1 --ndjson
  bad 64 publish --frobnicate
  bad 64 tail --json --pretty
  bad 64 tail -n -1
  bad 64 tail --since yesterday
  bad 64 tail 'BAD*'
  bad 64 subscribe
  bad 64 subscribe a.b --consumer c
  bad 64 subscribe a.b --group g --start sometime
  bad 64 subscribe a.b --count 0
  bad 64 nosuchcommand
  bad 64 publish a.b --data 1 --namespace 'has space'
  bad 64 publish a.b --data 1 --max-size lots
}

@test "bad environment values: exit 64" {
  EVT_COMMAND_TIMEOUT=soon bad 64 publish a.b --data 1
  EVT_NAMESPACE='a b' bad 64 tail
}

@test "help and version go to stdout with exit 0" {
  evt --help | grep -q 'USAGE: evt <subcommand>'
  evt publish --help | grep -q 'evt publish order.placed'
  [ "$(evt --version)" != "" ]
}

@test "publish --retry waits for Redis to come up" {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ( sleep 1; exec redis-server --port "$port" --save '' --dir "$BATS_TEST_TMPDIR" </dev/null >/dev/null 2>&1 ) &
  late=$!
  run_evt publish a.b --data 1 --retry 20 --redis-url "redis://127.0.0.1:$port"
  [ "$status" -eq 0 ]
  [[ "$out" == *'"type":"a.b"'* ]]
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]
  [[ "$err" == *"retrying for up to 20"* ]]
  [ "$(redis-cli -p "$port" XLEN "$(stream_key a.b)")" = 1 ]
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait $late || true
}
