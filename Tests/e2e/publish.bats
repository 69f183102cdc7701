#!/usr/bin/env bats
load helpers

@test "publish prints the envelope; tail --json -n 1 prints it byte for byte" {
  published=$(evt publish user.created --data '{"userId":"1","email":"ada@example.com","name":"Ada"}')
  [[ "$published" == '{"id":"'*'","type":"user.created","version":"1","timestamp":"'*'","data":{"userId":"1","email":"ada@example.com","name":"Ada"}}' ]]
  [ "$(evt tail --json -n 1)" = "$published" ]
  [ "$(rcli XLEN "$(stream_key user.created)")" = 1 ]
  [ "$(rcli SMEMBERS "$EVT_NAMESPACE:types")" = user.created ]
}

@test "built-in contracts are checked on publish: the missing or mistyped field is named, nothing is written" {
  run_evt publish order.placed --data '{"orderId":"1"}'
  [ "$status" = 65 ]
  [ "$err" = 'evt: error: order.placed: data: the required property "userId" is missing' ]
  run_evt publish order.placed --data '{"orderId":"1","userId":"2","total":"12"}'
  [ "$status" = 65 ]
  [ "$err" = 'evt: error: order.placed: data/total: "12" is a string, not a number' ]
  run_evt publish email.sent --data '{"userId":"1","type":"spam","recipient":"a@b.c","messageId":"m"}'
  [ "$status" = 65 ]
  [[ "$err" == *'data/type: "spam" is not one of "welcome", "order_confirmation"'* ]]
  printf '%s\n' '{"type":"a.b","data":1}' '{"type":"user.created","data":{"userId":"1"}}' > "$BATS_TEST_TMPDIR/in"
  run_evt publish --ndjson < "$BATS_TEST_TMPDIR/in"
  [ "$status" = 65 ]
  [[ "$err" == *'line 2: user.created version 1: data: the required property "email" is missing'* ]]
  for t in order.placed email.sent user.created; do [ "$(rcli EXISTS "$(stream_key $t)")" = 0 ]; done
  [ "$(rcli XLEN "$(stream_key a.b)")" = 1 ]
  evt publish order.placed --data '{"orderId":"1","userId":"2","items":[{"sku":"x"}],"total":12.5,"extra":true}' >/dev/null
}

@test "data comes inline, from @file or from stdin, and is stored without white space" {
  echo '{ "from" : "file" }' > "$BATS_TEST_TMPDIR/data.json"
  evt publish a.file --data "@$BATS_TEST_TMPDIR/data.json" | grep -q '"data":{"from":"file"}'
  echo '[1, 2,
  3]' | evt publish a.stdin --data - | grep -q '"data":\[1,2,3\]'
  evt publish a.inline -d '"text"' | grep -q '"data":"text"'
}

@test "headers, a caller-chosen id and --quiet" {
  out=$(evt publish a.b --data 1 --header correlationId=c-1 -H source=ci --id order-42)
  [[ "$out" == '{"id":"order-42",'*'"headers":{"correlationId":"c-1","source":"ci"}}' ]]
  [ "$(evt publish a.b --data 1 --quiet)" != "" ]
  [ "$(evt publish a.b --data 1 --id fixed-1 -q)" = fixed-1 ]
}

@test "tail --json | publish --ndjson reproduces ids, types, data, headers and timestamps in another namespace" {
  for i in $(seq 1 20); do evt publish user.created --data "{\"userId\":\"$i\",\"email\":\"u$i@example.com\",\"name\":\"U $i\"}" -H "correlationId=c$i" >/dev/null; done
  evt publish order.placed --data '{"orderId":"o1","userId":"3"}' >/dev/null
  evt tail --json -n 1000 > "$BATS_TEST_TMPDIR/orig"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/orig")" = 21 ]
  evt tail --json -n 1000 | EVT_NAMESPACE=other evt publish --ndjson 2> "$BATS_TEST_TMPDIR/summary"
  grep -q 'published 21 events' "$BATS_TEST_TMPDIR/summary"
  EVT_NAMESPACE=other evt tail --json -n 1000 > "$BATS_TEST_TMPDIR/copy"
  diff <(sort "$BATS_TEST_TMPDIR/orig") <(sort "$BATS_TEST_TMPDIR/copy")
}

@test "publish --ndjson takes {type,data,headers} drafts" {
  printf '%s\n' '{"type":"a.b","data":{"n":1},"headers":{"h":"v"}}' '' '{"type":"a.c","data":2,"id":"mine"}' | evt publish --ndjson
  [ "$(rcli XLEN "$(stream_key a.b)")" = 1 ]
  evt tail --json a.c | grep -q '"id":"mine"'
}

@test "a bad NDJSON line is reported with its number and nothing after it is sent" {
  run_evt publish --ndjson < <(printf '%s\n' '{"type":"a.b","data":1}' '{"type":"a.b","data":2}' '{"type":"a.b","data":' '{"type":"a.b","data":4}')
  [ "$status" -eq 65 ]
  [[ "$err" == *"evt: error: line 3: "* ]]
  [[ "$err" == *"published 2 events; stopped at line 3"* ]]
  [ "$(rcli XLEN "$(stream_key a.b)")" = 2 ]
}

@test "publish --ndjson --skip-invalid goes on past bad lines" {
  run_evt publish --ndjson --skip-invalid < <(printf '%s\n' 'nope' '{"type":"a.b","data":1}' '{"type":"Bad","data":1}' '{"type":"a.b","data":2}')
  [ "$status" -eq 65 ]
  [[ "$err" == *"line 1:"* && "$err" == *"line 3:"* && "$err" == *"skipped 2 invalid lines"* ]]
  [ "$(rcli XLEN "$(stream_key a.b)")" = 2 ]
}

@test "5,000 NDJSON events arrive complete and in order" {
  seq 1 5000 | sed 's/.*/{"type":"bulk.item","data":&}/' | evt publish --ndjson
  [ "$(rcli XLEN "$(stream_key bulk.item)")" = 5000 ]
  evt tail --json -n 5000 bulk.item | sed 's/.*"data":\([0-9]*\)}.*/\1/' | diff - <(seq 1 5000)
}

@test "--max-size raises or lowers the envelope limit" {
  big=$(printf '"%0900d"' 0)
  evt publish a.b --data "$big" --max-size 2k >/dev/null
  run_evt publish a.b --data "$big" --max-size 512
  [ "$status" -eq 65 ]
  assert_one_error_line "$err"
  [[ "$err" == *"over the limit of 512 bytes"* ]]
}

@test "publish --replicas: exit 75 saying how many replicas confirmed; with a replica, everything acknowledged is on it" {
  m=$(free_tcp_port)
  redis-server --port "$m" --bind 127.0.0.1 --save '' --repl-diskless-sync-delay 0 --dir "$BATS_TEST_TMPDIR" \
    --logfile "$BATS_TEST_TMPDIR/m.log" </dev/null >/dev/null 2>&1 &
  wait_for "redis-cli -p $m ping >/dev/null 2>&1"
  export EVT_REDIS_URL="redis://127.0.0.1:$m"
  run_evt publish a.b --data 1 --replicas 1 --replicas-timeout 200ms
  [ "$status" -eq 75 ]
  assert_one_error_line "$err"
  [[ "$err" == *"only 0 of 1 replica confirmed within 200ms; 1 event is on the master only"* ]]
  run_evt publish a.b --data 1 --replicas-timeout 200ms
  [ "$status" -eq 64 ]
  mkdir "$BATS_TEST_TMPDIR/r"
  r=$(free_tcp_port)
  redis-server --port "$r" --bind 127.0.0.1 --save '' --replicaof 127.0.0.1 "$m" --dir "$BATS_TEST_TMPDIR/r" \
    --logfile "$BATS_TEST_TMPDIR/r.log" </dev/null >/dev/null 2>&1 &
  wait_for "redis-cli -p $r info replication | grep -q master_link_status:up"
  evt publish a.b --data 2 --replicas 1 -q >/dev/null
  seq 1 3000 | sed 's/.*/{"type":"a.b","data":&}/' | evt publish --ndjson --replicas 1 -q
  [ "$(redis-cli -p "$r" XLEN "$(stream_key a.b)")" = 3002 ]
  # Two replicas asked, one there: the summary says what is on the master only.
  run_evt publish --ndjson --replicas 2 --replicas-timeout 100ms < <(seq 1 10 | sed 's/.*/{"type":"a.b","data":&}/')
  [ "$status" -eq 75 ]
  [[ "$err" == *"only 1 of 2 replicas confirmed within 100ms"*"10 events are on the master but not confirmed by enough replicas"* ]]
}
