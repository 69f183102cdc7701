#!/usr/bin/env bats
# evt context: saved connection settings, their precedence, their files' safety.
load helpers

# Every test has its own configuration folder.
ctx_setup() {
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
  unset EVT_CONTEXT
  CTX_DIR="$XDG_CONFIG_HOME/evt/contexts"
}

# Writes context file $1 with the text on standard input, mode 0600 (or $2).
ctx_file() {
  mkdir -p "$CTX_DIR"
  chmod 700 "$XDG_CONFIG_HOME/evt" "$CTX_DIR"
  cat >"$CTX_DIR/$1.toml"
  chmod "${2:-600}" "$CTX_DIR/$1.toml"
}

@test "context: save, list, use, show, rm round trip; files 0700/0600; secrets masked" {
  ctx_setup
  run_evt context save dev --redis-url "$EVT_REDIS_URL" --namespace ctxns --command-timeout 3s
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$XDG_CONFIG_HOME/evt")" = 700 ]
  [ "$(stat -c %a "$CTX_DIR")" = 700 ]
  [ "$(stat -c %a "$CTX_DIR/dev.toml")" = 600 ]
  run_evt context save other --redis-url redis://127.0.0.1:1 --namespace elsewhere
  run_evt context list
  [ "$out" = "$(printf '  dev\n  other')" ]
  # Completions offer the context names (the shells' scripts call evt back this way).
  run_evt ---completion publish -- --context 3 0 ''
  [ "$out" = "$(printf 'dev\nother')" ]
  run_evt context use dev
  [ "$status" -eq 0 ]
  run_evt context list
  [ "$out" = "$(printf '* dev\n  other')" ]
  run_evt context show
  [[ "$out" == *'namespace = "ctxns"'* ]]
  # The context in use is used: its namespace, its server.
  env -u EVT_NAMESPACE -u EVT_REDIS_URL "$EVT_BIN" publish ctx.test --data '{"n":1}' >/dev/null
  [ "$(rcli XLEN 'ctxns:{ctx.test}:stream')" = 1 ]
  # A password given in the URL is refused unless --store-password; stored, it is masked.
  run_evt context save secret --redis-url redis://:hunter2hunter2@127.0.0.1:6379
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  [[ "$err" != *hunter2* ]]
  [ ! -e "$CTX_DIR/secret.toml" ]
  run_evt context save secret --redis-url redis://:hunter2hunter2@127.0.0.1:6379 --store-password
  [ "$status" -eq 0 ]
  grep -q 'password = "hunter2hunter2"' "$CTX_DIR/secret.toml"
  ! grep -q 'url = ".*hunter2' "$CTX_DIR/secret.toml"
  run_evt context show secret
  [[ "$out" != *hunter2* ]]
  [[ "$out" == *'password = "***"'* ]]
  run_evt context rm dev
  [ "$status" -eq 0 ]
  run_evt context list
  [ "$out" = "$(printf '  other\n  secret')" ]
  run_evt context rm dev
  [ "$status" -eq 66 ]
  run_evt context show
  [ "$status" -eq 78 ]
}

@test "context: a flag beats its environment variable, which beats the context, which beats the default" {
  ctx_setup
  evt context save p --redis-url "$EVT_REDIS_URL" --namespace fromctx >/dev/null 2>&1
  # context only
  env -u EVT_NAMESPACE -u EVT_REDIS_URL "$EVT_BIN" publish prec.a --context p --data '{}' >/dev/null
  [ "$(rcli XLEN 'fromctx:{prec.a}:stream')" = 1 ]
  # EVT_CONTEXT selects it too
  EVT_CONTEXT=p env -u EVT_NAMESPACE -u EVT_REDIS_URL "$EVT_BIN" publish prec.b --data '{}' >/dev/null
  [ "$(rcli XLEN 'fromctx:{prec.b}:stream')" = 1 ]
  # environment beats context
  EVT_NAMESPACE=fromenv "$EVT_BIN" publish prec.c --context p --data '{}' >/dev/null
  [ "$(rcli XLEN 'fromenv:{prec.c}:stream')" = 1 ]
  # flag beats environment and context
  EVT_NAMESPACE=fromenv "$EVT_BIN" publish prec.d --context p --namespace fromflag --data '{}' >/dev/null
  [ "$(rcli XLEN 'fromflag:{prec.d}:stream')" = 1 ]
  # default when nothing says otherwise: the namespace evt
  ctx_file bare <<<'command_timeout = "5s"'
  env -u EVT_NAMESPACE "$EVT_BIN" publish prec.e --context bare --data '{}' >/dev/null
  [ "$(rcli XLEN 'evt:{prec.e}:stream')" = 1 ]
  # an unknown context
  run_evt publish prec.f --context nope --data '{}'
  [ "$status" -eq 78 ]
  assert_one_error_line "$err"
}

@test "context: TLS files and a password file, talking to a TLS server that needs both" {
  ctx_setup
  [ "$EVT_TEST_REDIS" = tls ] || skip "runs in the TLS mode (EVT_TEST_REDIS=tls)"
  rcli CONFIG SET requirepass s3cret-pass >/dev/null
  printf 's3cret-pass\n' >"$BATS_TEST_TMPDIR/pass"
  chmod 600 "$BATS_TEST_TMPDIR/pass"
  run_evt context save prod --redis-url "$EVT_REDIS_URL" --tls-ca-file "$EVT_TLS_CA_FILE" --tls-cert-file "$EVT_TLS_CERT_FILE" \
    --tls-key-file "$EVT_TLS_KEY_FILE" --password-file "$BATS_TEST_TMPDIR/pass"
  [ "$status" -eq 0 ]
  ! grep -q s3cret "$CTX_DIR/prod.toml"
  env -u EVT_REDIS_URL -u EVT_TLS_CA_FILE -u EVT_TLS_CERT_FILE -u EVT_TLS_KEY_FILE -u EVT_REDIS_PASSWORD \
    "$EVT_BIN" publish tls.ctx --context prod --data '{"n":1}' >/dev/null
  [ "$(redis-cli -s "$REDIS_SOCK" -a s3cret-pass --no-auth-warning XLEN "$EVT_NAMESPACE:{tls.ctx}:stream")" = 1 ]
  rcli -a s3cret-pass --no-auth-warning CONFIG SET requirepass '' >/dev/null
}

@test "context: a file others can read, and hostile files, are refused with one line naming file, line and key, exit 78" {
  ctx_setup
  ctx_file loose 640 <<<'namespace = "x"'
  run_evt publish a.b --context loose --data '{}'
  [ "$status" -eq 78 ]
  assert_one_error_line "$err"
  [[ "$err" == *"chmod 600"* ]]
  i=0
  while IFS='|' read -r expect text; do
    i=$((i + 1))
    printf '%b' "$text" | ctx_file "bad$i"
    run_evt publish a.b --context "bad$i" --data '{}'
    echo "case $i ($text): $status $err"
    [ "$status" -eq 78 ]
    assert_one_error_line "$err"
    [[ "$err" == *"bad$i.toml"* ]]
    [[ "$err" == *"$expect"* ]]
    [[ "$err" != *$'\e'* ]]
  done <<'CASES'
:1: expected a value|url = 
:1: tables are not used|[[[
:1: a string is not closed|url = "redis://a
:1: unexpected text after the value|namespace = "a" "b"
:2: namespace is set twice|namespace = "a"\nnamespace = "b"
arrays, tables and dates|url = ["a"]
:2: colour: unknown key|namespace = "a"\ncolour = "red"
url: must be a string|url = 5
namespace: must be 1 to 4096|namespace = "a\\u001b[31mb"
url: not a Redis URL|url = "http://example.com"
connect_timeout: not a duration|connect_timeout = "forever"
password_file: must be an absolute path|password_file = "relative/pass"
password_env: not the name|password_env = "A B; rm -rf /"
password: give one of|password_file = "/a"\npassword = "b"
tls_cert_file and tls_key_file go together|tls_cert_file = "/a.pem"
tls_insecure: must be true or false|tls_insecure = "yes"
not UTF-8|namespace = "\xff\xfe"
:1: dotted keys|tls.ca_file = "/a"
CASES
  # A symbolic link, a directory, an oversized file, a name with / or ..
  ln -s "$CTX_DIR/bad1.toml" "$CTX_DIR/link.toml"
  run_evt publish a.b --context link --data '{}'
  [ "$status" -eq 78 ]
  mkdir "$CTX_DIR/dir.toml"
  run_evt publish a.b --context dir --data '{}'
  [ "$status" -eq 78 ]
  head -c 70000 /dev/zero | tr '\0' '#' | ctx_file big
  run_evt publish a.b --context big --data '{}'
  [ "$status" -eq 78 ]
  for name in ../etc/passwd a/b .hidden ''; do
    run_evt publish a.b --context "$name" --data '{}'
    [ "$status" -eq 64 ] || [ "$status" -eq 78 ]
    assert_one_error_line "$err"
  done
  assert_nothing_written
}

@test "context: commands without one open no context file and parse no TOML; with one, one file" {
  ctx_setup
  command -v strace >/dev/null || skip "strace is not installed"
  evt context save s --redis-url "$EVT_REDIS_URL" >/dev/null 2>&1
  strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/none" "$EVT_BIN" publish s.a --data '{}' >/dev/null
  ! grep -q 'contexts/' "$BATS_TEST_TMPDIR/none"
  # The selection file is looked for (one openat, not found); nothing more.
  [ "$(grep -c "$XDG_CONFIG_HOME" "$BATS_TEST_TMPDIR/none")" -le 1 ]
  strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/one" "$EVT_BIN" publish s.a --context s --data '{}' >/dev/null
  [ "$(grep -c 'contexts/s.toml' "$BATS_TEST_TMPDIR/one")" -eq 1 ]
}

@test "context: edit runs \$EDITOR without a shell and saves only a valid file" {
  ctx_setup
  evt context save e --namespace before >/dev/null 2>&1
  cat >"$BATS_TEST_TMPDIR/ed" <<'SH'
#!/bin/sh
sed -i 's/before/after/' "$1"
SH
  chmod +x "$BATS_TEST_TMPDIR/ed"
  EDITOR="$BATS_TEST_TMPDIR/ed" VISUAL= run_evt context edit e
  [ "$status" -eq 0 ]
  grep -q 'namespace = "after"' "$CTX_DIR/e.toml"
  cat >"$BATS_TEST_TMPDIR/bad-ed" <<'SH'
#!/bin/sh
echo 'colour = "red"' >>"$1"
SH
  chmod +x "$BATS_TEST_TMPDIR/bad-ed"
  EDITOR="$BATS_TEST_TMPDIR/bad-ed" VISUAL= run_evt context edit e
  [ "$status" -eq 78 ]
  assert_one_error_line "$err"
  grep -q 'namespace = "after"' "$CTX_DIR/e.toml"
  ! grep -q colour "$CTX_DIR/e.toml"
  # An editor variable with shell syntax is run as words, never by a shell.
  EDITOR="$BATS_TEST_TMPDIR/ed; touch $BATS_TEST_TMPDIR/pwned" VISUAL= run_evt context edit e
  [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
}

@test "version: --version prints the version; version --json says the build and the libraries this machine can open" {
  run_evt --version
  [ "$status" -eq 0 ]
  version=$out
  run_evt version --json
  [ "$status" -eq 0 ]
  jq -e --arg v "$version" '.version == $v and (.swift | length > 0) and (.libraries | has("libssl.so.3") and has("libcurl.so.4")) and .libraries["libhiredis.so.0.14"] == true' <<<"$out"
}
