#!/usr/bin/env bats
# evt dashboard: the pages in a real browser (Debian's chromium and chromedriver through
# Selenium: dashboard_browser.py), the hostile cases over plain HTTP (curl), against the Redis
# of the run's mode (single, cluster, TLS).
load helpers

BROWSER_PY=${EVT_BROWSER_PYTHON:-python3}

teardown() {
  # Every dashboard this test started (a test may start two), then what helpers.bash stops.
  for pid in ${DASH_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
  jobs -p | xargs -r kill 2>/dev/null || true
  stop_redis
}
browser() { "$BROWSER_PY" "$BATS_TEST_DIRNAME/dashboard_browser.py" "$@"; }

# Starts evt dashboard on a free loopback port with its options ($@): sets DASH_URL (without
# the last slash) and DASH_TOKEN (the generated token, when printed).
start_dashboard() {
  local out="$BATS_TEST_TMPDIR/dashboard.out" listen=127.0.0.1:0
  [ "${1:-}" = --listen ] && { listen=$2; shift 2; }
  # evt itself, not the evt function: $! must be the dashboard, not a subshell running it.
  "$EVT_BIN" dashboard --listen "$listen" --interval 1s "$@" >"$out" 2>"$BATS_TEST_TMPDIR/dashboard.err" 3>&- &
  DASH_PID=$!
  DASH_PIDS="${DASH_PIDS:-} $DASH_PID"
  wait_for "grep -q 'http://' '$out'" 30 || { cat "$BATS_TEST_TMPDIR/dashboard.err"; return 1; }
  DASH_URL=$(grep -o 'http://[^ ]*/' "$out" | head -n 1)
  DASH_URL=${DASH_URL%/}
  DASH_PORT=${DASH_URL##*:}
  DASH_TOKEN=$(sed -n 's/^token for .*: \([0-9a-f]*\)$/\1/p' "$out")
}

# A group that failed every event of type $2 once: its dead letters.
bury() { evt subscribe --group "$1" --until-empty --max-attempts 1 --exec 'echo "mailer down <b>now</b>" >&2; exit 1' "$2" >/dev/null 2>&1 || true; }

# The HTTP status of curl's request ($@).
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }

# The CSRF token on a page ($1) fetched with the token.
csrf_of() { curl -s --max-time 10 -H "Authorization: Bearer $DASH_TOKEN" "$DASH_URL$1" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n 1 | cut -d'"' -f4; }

@test "dashboard: a non-loopback listener without --token-file, a bad --listen or a short token is refused with one line, exit 64" {
  run_evt dashboard --listen 0.0.0.0:8080
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  [[ "$err" == *"--token-file"* ]]
  run_evt dashboard --listen nonsense
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt dashboard --listen 127.0.0.1:70000
  [ "$status" -eq 64 ]
  printf 'short\n' >"$BATS_TEST_TMPDIR/token"
  run_evt dashboard --listen 0.0.0.0:0 --token-file "$BATS_TEST_TMPDIR/token"
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  [[ "$err" != *short* ]]
  run_evt dashboard --check 'lag<<1'
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  run_evt dashboard --interval 0s
  [ "$status" -eq 64 ]
}

@test "dashboard: Redis that cannot be reached fails the start (exit 69), before anything listens" {
  EVT_REDIS_URL=redis://127.0.0.1:1 run_evt dashboard --listen 127.0.0.1:0 --connect-timeout 1s
  [ "$status" -eq 69 ]
  assert_one_error_line "$err"
  [ -z "$out" ]
}

@test "dashboard: the overview shows every type and group with correct figures; a group behind turns amber, one far behind red" {
  for i in 1 2 3; do evt publish shop.order --data "{\"n\":$i}" >/dev/null; done
  evt publish shop.refund --data '{"n":1}' >/dev/null
  rcli XGROUP CREATE "$(stream_key shop.order)" behind '$' ENTRIESREAD 3 >/dev/null
  rcli XGROUP CREATE "$(stream_key shop.order)" farbehind '$' ENTRIESREAD 3 >/dev/null
  evt subscribe --group current --until-empty --exec 'cat >/dev/null' shop.order >/dev/null
  for i in $(seq 1 12); do evt publish shop.order --data "{\"m\":$i}" >/dev/null; done
  rcli XREADGROUP GROUP behind c1 COUNT 9 STREAMS "$(stream_key shop.order)" '>' >/dev/null
  start_dashboard --check 'lag<10' --warn 'lag<3'
  browser overview "$DASH_URL" '{"types": {"shop.order": 15, "shop.refund": 1},
    "groups": [{"group": "current", "type": "shop.order", "lag": 12, "state": "red"},
               {"group": "behind", "type": "shop.order", "lag": 3, "pending": 9, "state": "amber"},
               {"group": "farbehind", "type": "shop.order", "lag": 12, "state": "red"}]}'
  evt subscribe --group current --until-empty --exec 'cat >/dev/null' shop.order >/dev/null
  browser overview "$DASH_URL" '{"types": {"shop.order": 15}, "groups": [{"group": "current", "type": "shop.order", "lag": 0, "state": "green"}]}'
}

@test "dashboard: the live tail shows an event published during the test within 2 s" {
  evt publish shop.order --data '{"n":1}' >/dev/null
  start_dashboard
  run browser live "$DASH_URL" shop.order
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "dashboard: a dead letter is replayed from the page (with confirmation) and consumed" {
  id=$(evt publish shop.order --data '{"n":1}' | jq -r .id)
  bury mailer shop.order
  [ "$(dlq_count mailer)" -eq 1 ]
  start_dashboard --allow-actions
  [ -n "$DASH_TOKEN" ]
  browser replay "$DASH_URL" "$DASH_TOKEN" mailer
  [ "$(dlq_count mailer)" -eq 0 ]
  evt subscribe --group mailer --until-empty --exec 'printf "%s\n" "$EVT_ID" >>'"$BATS_TEST_TMPDIR/handled" shop.order
  [ "$(cat "$BATS_TEST_TMPDIR/handled")" = "$id" ]
}

@test "dashboard: purge asks for confirmation; cancel keeps the dead letter, confirm deletes it" {
  evt publish shop.order --data '{"n":1}' >/dev/null
  evt publish shop.order --data '{"n":2}' >/dev/null
  bury mailer shop.order
  [ "$(dlq_count mailer)" -eq 2 ]
  start_dashboard --allow-actions
  browser purge "$DASH_URL" "$DASH_TOKEN" mailer
  [ "$(dlq_count mailer)" -eq 1 ]
}

@test "dashboard: actions without the token, without a CSRF token, by GET, or on a read-only dashboard are refused and change nothing" {
  evt publish shop.order --data '{"n":1}' >/dev/null
  bury mailer shop.order
  start_dashboard --allow-actions
  browser read-only "$DASH_URL" mailer
  dlq_id=$(rcli XRANGE "$EVT_NAMESPACE:{shop.order}:dlq:mailer" - + | head -n 1)
  ref="mailer%2Fshop.order%2F$dlq_id"
  csrf=$(csrf_of /dead-letters)
  [ -n "$csrf" ]
  # No token (a CSRF token alone does not do).
  [ "$(http_status -d "csrf=$csrf&one=$ref" "$DASH_URL/dead-letters/apply")" = 401 ]
  # A wrong token.
  [ "$(http_status -H 'Authorization: Bearer 0000000000000000' -d "csrf=$csrf&one=$ref" "$DASH_URL/dead-letters/apply")" = 401 ]
  # The token without a CSRF token, or with another session's.
  [ "$(http_status -H "Authorization: Bearer $DASH_TOKEN" -d "one=$ref" "$DASH_URL/dead-letters/apply")" = 403 ]
  other=$(curl -s "$DASH_URL/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | cut -d'"' -f4)
  [ "$(http_status -H "Authorization: Bearer $DASH_TOKEN" -d "csrf=$other&one=$ref" "$DASH_URL/dead-letters/apply")" = 403 ]
  # GET never acts.
  [ "$(http_status -H "Authorization: Bearer $DASH_TOKEN" "$DASH_URL/dead-letters/apply?csrf=$csrf&one=$ref")" = 404 ]
  # A body over the limit.
  head -c 200000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
  [ "$(http_status -H "Authorization: Bearer $DASH_TOKEN" --data-binary "@$BATS_TEST_TMPDIR/big" "$DASH_URL/dead-letters/apply")" = 413 ]
  [ "$(dlq_count mailer)" -eq 1 ]
  [ "$(replay_count mailer)" -eq 0 ]
  # With both it works.
  [ "$(http_status -H "Authorization: Bearer $DASH_TOKEN" -d "csrf=$csrf&one=$ref" "$DASH_URL/dead-letters/apply")" = 303 ]
  [ "$(dlq_count mailer)" -eq 0 ]
  # A read-only dashboard refuses even with its token.
  kill "$DASH_PID"
  bury mailer2 shop.order
  printf '%s\n' 0123456789abcdef0123 >"$BATS_TEST_TMPDIR/token"
  start_dashboard --token-file "$BATS_TEST_TMPDIR/token"
  [ -z "$DASH_TOKEN" ]
  DASH_TOKEN=0123456789abcdef0123
  csrf=$(csrf_of /dead-letters)
  dlq_id=$(rcli XRANGE "$EVT_NAMESPACE:{shop.order}:dlq:mailer2" - + | head -n 1)
  [ "$(http_status -H "Authorization: Bearer $DASH_TOKEN" -d "csrf=$csrf&one=mailer2%2Fshop.order%2F$dlq_id" "$DASH_URL/dead-letters/apply")" = 403 ]
  [ "$(dlq_count mailer2)" -eq 1 ]
  ! grep -q 0123456789abcdef0123 "$BATS_TEST_TMPDIR/dashboard.out" "$BATS_TEST_TMPDIR/dashboard.err"
}

@test "dashboard: event data holding <script>, \"><img onerror=…> and </script> is shown as text and runs nothing" {
  payload='{"note":"<script>alert(\"xss-1\")</script>\"><img src=x onerror=alert(\"xss-2\")></script><script>alert('"'"'xss-3'"'"')</script>"}'
  evt publish shop.order --data "$payload" >/dev/null
  bury 'mailer' shop.order
  start_dashboard --allow-actions
  browser xss "$DASH_URL" "$DASH_TOKEN" shop.order mailer
}

@test "dashboard: the pages pass an accessibility smoke check (every control labelled, Tab reaches it)" {
  evt publish shop.order --data '{"n":1}' >/dev/null
  bury mailer shop.order
  start_dashboard --allow-actions
  browser a11y "$DASH_URL" "$DASH_TOKEN" shop.order mailer
}

@test "dashboard: every response carries the CSP, nosniff and frame-ancestors 'none'; other hosts are refused; GET changes nothing" {
  evt publish shop.order --data '{"n":1}' >/dev/null
  bury mailer shop.order
  start_dashboard --allow-actions
  for path in / "/type?type=shop.order" "/group?type=shop.order&group=mailer" /dead-letters /login /nope /assets/dashboard.js; do
    headers=$(curl -s -D - -o /dev/null --max-time 10 "$DASH_URL$path")
    echo "$path: $headers"
    grep -qi "^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'" <<<"$headers"
    ! grep -qi "^content-security-policy:.*unsafe-inline" <<<"$headers"
    grep -qi '^x-content-type-options: nosniff' <<<"$headers"
  done
  [ "$(http_status "$DASH_URL/nope")" = 404 ]
  # DNS rebinding: a page asked for under another host name.
  [ "$(http_status -H "Host: attacker.example:$DASH_PORT" "$DASH_URL/")" = 421 ]
  # No inline script or style in any page.
  for path in / "/type?type=shop.order" /dead-letters /login; do
    ! curl -s "$DASH_URL$path" | grep -qiE '<script>|<script [^s]|style=|onerror=|onclick=|javascript:'
  done
  keys_before=$(rcli_each KEYS '*' | sort)
  for path in / "/type?type=shop.order" "/type?type=shop.order&id=x" "/group?type=shop.order&group=mailer" /dead-letters /login \
    "/dead-letters/apply?one=x" "/type?type=user.created"; do
    curl -s -o /dev/null --max-time 10 -H "Authorization: Bearer $DASH_TOKEN" "$DASH_URL$path"
  done
  [ "$(rcli_each KEYS '*' | sort)" = "$keys_before" ]
}

@test "dashboard: with --token-file on a non-loopback listener every page needs the token" {
  printf '%s\n' s3cret-s3cret-s3cret >"$BATS_TEST_TMPDIR/token"
  evt publish shop.order --data '{"n":1}' >/dev/null
  start_dashboard --listen 0.0.0.0:0 --token-file "$BATS_TEST_TMPDIR/token"
  url="http://127.0.0.1:$DASH_PORT"
  [ "$(http_status "$url/")" = 303 ]
  [ "$(http_status "$url/type?type=shop.order")" = 303 ]
  [ "$(http_status "$url/live?type=shop.order")" = 303 ]
  ! curl -s "$url/type?type=shop.order" | grep -q '"n"'
  [ "$(http_status "$url/login")" = 200 ]
  [ "$(http_status -H 'Authorization: Bearer s3cret-s3cret-s3cret' "$url/type?type=shop.order")" = 200 ]
  # The login form sets an HttpOnly, SameSite=Strict cookie that opens the pages.
  csrf=$(curl -s "$url/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | cut -d'"' -f4)
  cookie=$(curl -s -D - -o /dev/null -d "csrf=$csrf&token=s3cret-s3cret-s3cret&next=%2F" "$url/login" | grep -i '^set-cookie:')
  [[ "$cookie" == *HttpOnly* && "$cookie" == *SameSite=Strict* ]]
  [ "$(http_status -b "evt_dashboard=s3cret-s3cret-s3cret" "$url/")" = 200 ]
  [ "$(http_status -d "csrf=$csrf&token=wrong&next=%2F" "$url/login")" = 401 ]
  ! grep -q s3cret "$BATS_TEST_TMPDIR/dashboard.out" "$BATS_TEST_TMPDIR/dashboard.err"
}

@test "dashboard: 1,000 idle connections and a stalled live client do not keep a normal client from its page" {
  evt publish shop.order --data '{"n":1}' >/dev/null
  start_dashboard
  # A live-tail client that never reads, and 1,000 connections that send nothing.
  "$PY" -c '
import socket, sys, time
port = int(sys.argv[1])
stalled = socket.create_connection(("127.0.0.1", port))
stalled.sendall(b"GET /live?type=shop.order HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(1000)]
print("open", flush=True)
time.sleep(60)
' "$DASH_PORT" >"$BATS_TEST_TMPDIR/idle.out" &
  wait_for "grep -q open '$BATS_TEST_TMPDIR/idle.out'" 30
  for i in 1 2 3; do evt publish shop.order --data "{\"big\":\"$(head -c 60000 /dev/zero | tr '\0' x)\"}" >/dev/null; done
  start=$(date +%s%N)
  curl -s --max-time 5 -o "$BATS_TEST_TMPDIR/page" -w '%{http_code}' "$DASH_URL/type?type=shop.order" | grep -q 200
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "page served in $elapsed ms beside 1,000 idle connections"
  grep -q 'shop.order' "$BATS_TEST_TMPDIR/page"
}
