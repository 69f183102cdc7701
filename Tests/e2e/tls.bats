#!/usr/bin/env bats
# TLS against real redis-servers with certificates made by openssl (make_tls_certs): what is
# refused, and how. (With EVT_TEST_REDIS=tls the whole suite also runs over mutual TLS.)
load helpers

tls_env() {
  export EVT_TLS_CA_FILE="$EVT_TLS_DIR/ca.crt" EVT_TLS_CERT_FILE="$EVT_TLS_DIR/client.crt" EVT_TLS_KEY_FILE="$EVT_TLS_DIR/client.key"
}

@test "publish, tail and subscribe over mutual TLS, with flags or EVT_TLS_* variables" {
  start_tls_server server yes
  unset EVT_TLS_CA_FILE EVT_TLS_CERT_FILE EVT_TLS_KEY_FILE
  url="rediss://127.0.0.1:$TLS_PORT"
  evt publish a.b --data '{"n":1}' -q --redis-url "$url" --tls-ca-file "$EVT_TLS_DIR/ca.crt" \
    --tls-cert-file "$EVT_TLS_DIR/client.crt" --tls-key-file "$EVT_TLS_DIR/client.key" >/dev/null
  tls_env
  export EVT_REDIS_URL=$url
  seq 1 500 | sed 's/.*/{"type":"a.b","data":&}/' | evt publish --ndjson -q
  [ "$(evt tail --json -n 1000 a.b | wc -l)" = 501 ]
  run_evt subscribe --group g --until-empty --exec true a.b
  [ "$status" -eq 0 ]
  EVT_TLS_SERVER_NAME=localhost evt publish a.b --data 2 -q >/dev/null
}

@test "a server certificate from another CA: exit 69, one line naming the problem, nothing written" {
  start_tls_server other no
  tls_env
  run_evt publish a.b --data 1 --redis-url "rediss://:Pw-S3cret@127.0.0.1:$TLS_PORT"
  [ "$status" -eq 69 ]
  assert_one_error_line "$err"
  [[ "$err" == *"TLS handshake with rediss://:***@127.0.0.1:$TLS_PORT failed: the server's certificate is not trusted"* ]]
  [[ "$err" == *"--tls-ca-file"* && "$err" != *Pw-S3cret* ]]
  [ -z "$out" ]
  # --tls-insecure connects anyway, and says loudly what that means.
  run_evt publish a.b --data 1 -q --redis-url "rediss://127.0.0.1:$TLS_PORT" --tls-insecure
  [ "$status" -eq 0 ]
  [[ "$err" == "evt: warning: --tls-insecure: the server's certificate is not verified"* ]]
  [ "$(redis-cli --tls --insecure -p "$TLS_PORT" XLEN "$(stream_key a.b)")" = 1 ]
}

@test "a certificate for another name, and mutual TLS without a client certificate, are refused clearly" {
  start_tls_server server yes
  export EVT_TLS_CA_FILE="$EVT_TLS_DIR/ca.crt"
  unset EVT_TLS_CERT_FILE EVT_TLS_KEY_FILE
  run_evt publish a.b --data 1 --redis-url "rediss://127.0.0.1:$TLS_PORT"
  [ "$status" -eq 69 ]
  assert_one_error_line "$err"
  [[ "$err" == *"the server requires a client certificate"*"--tls-cert-file and --tls-key-file"* ]]
  tls_env
  run_evt publish a.b --data 1 --redis-url "rediss://127.0.0.1:$TLS_PORT" --tls-server-name db.example.com
  [ "$status" -eq 69 ]
  assert_one_error_line "$err"
  [[ "$err" == *"the server's certificate is not for 'db.example.com'"* ]]
  # A plain redis:// URL to the TLS port gives up within the timeout instead of hanging.
  run_evt publish a.b --data 1 --redis-url "redis://127.0.0.1:$TLS_PORT" --command-timeout 1s
  [ "$status" -eq 69 ]
  assert_one_error_line "$err"
}

@test "the password of a rediss:// URL is never printed and is blanked out of ps" {
  start_tls_server server yes --requirepass 'Tls-Pw-123'
  tls_env
  run_evt publish a.b --data 1 --redis-url "rediss://:wrong-pw@127.0.0.1:$TLS_PORT"
  [ "$status" -eq 77 ]
  assert_one_error_line "$err"
  [[ "$err" != *wrong-pw* ]]
  "$EVT_BIN" subscribe --redis-url "rediss://:Tls-Pw-123@127.0.0.1:$TLS_PORT" --timeout 3s x.y 2>"$BATS_TEST_TMPDIR/err" &
  pid=$!
  sleep 0.5
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qE 'rediss://:\*+@127.0.0.1'
  ! grep -q Tls-Pw-123 "/proc/$pid/cmdline"
  ! ps -o args= -p "$pid" | grep -q Tls-Pw-123
  set +e; wait "$pid"; code=$?; set -e
  [ "$code" -eq 75 ]
  ! grep -q Tls-Pw-123 "$BATS_TEST_TMPDIR/err"
}
