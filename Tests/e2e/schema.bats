#!/usr/bin/env bats
# Issue 20: JSON Schemas of your own types, registered in Redis (single, cluster and TLS).
load helpers

v1='{"type":"object","required":["invoiceId","amount"],"properties":{"invoiceId":{"type":"string"},"amount":{"type":"number","minimum":0}}}'
v2_optional='{"type":"object","required":["invoiceId","amount"],"properties":{"invoiceId":{"type":"string"},"amount":{"type":"number","minimum":0},"note":{"type":"string"}}}'
v2_required='{"type":"object","required":["invoiceId","amount","customer"],"properties":{"invoiceId":{"type":"string"},"amount":{"type":"number","minimum":0},"customer":{"type":"string"}}}'

@test "schema register: v1, the same again, an optional field (accepted), a required field (refused under backward, with the reason)" {
  echo "$v1" > "$BATS_TEST_TMPDIR/v1.json"
  run_evt schema register invoice.paid "$BATS_TEST_TMPDIR/v1.json"
  [ "$status" -eq 0 ]
  [ "$out" = "invoice.paid version 1" ]
  run_evt schema register invoice.paid "$BATS_TEST_TMPDIR/v1.json"
  [ "$status" -eq 0 ]
  [ "$out" = "invoice.paid version 1 (already the latest)" ]
  out=$(echo "$v2_optional" | evt schema register invoice.paid -)
  [ "$out" = "invoice.paid version 2" ]
  run_evt schema register invoice.paid - <<< "$v2_required"
  [ "$status" -eq 65 ]
  assert_one_error_line "$err"
  [[ "$err" == *"backward compatibility with invoice.paid version 2"*'property "customer" became required'* ]]
  [ "$(evt schema versions invoice.paid | tr '\n' ' ')" = "1 2 " ]
  # With no rule, the same schema is accepted as version 3.
  [ "$(evt schema mode invoice.paid none)" = none ]
  [ "$(echo "$v2_required" | evt schema register invoice.paid -)" = "invoice.paid version 3" ]
  [ "$(evt schema show invoice.paid --version 1 --json)" = "$v1" ]
  evt schema show invoice.paid | head -n 1 | grep -qx 'invoice.paid version 3 (compatibility: none)'
  run_evt schema show invoice.paid --version 9
  [ "$status" -eq 66 ]
  assert_one_error_line "$err"
  # On the type's slot, beside its stream.
  [ "$(rcli CLUSTER KEYSLOT "$EVT_NAMESPACE:{invoice.paid}:schemas" 2>/dev/null || echo x)" = "$(rcli CLUSTER KEYSLOT "$(stream_key invoice.paid)" 2>/dev/null || echo x)" ]
  [ "$(rcli HGET "$EVT_NAMESPACE:{invoice.paid}:schemas" latest)" = 3 ]
}

@test "bad schemas are refused with one line and exit 65; Redis is unchanged" {
  big=$BATS_TEST_TMPDIR/big.json
  python3 -c 'import json; print(json.dumps({"description": "x" * (1 << 20)}))' > "$big"
  deep=$(python3 -c 'print("{\"not\":" * 70 + "true" + "}" * 70)')
  for schema in '{' '[1]' '"a"' '{"$id":"x"}' '{"properties":{"a":{"unevaluatedProperties":false}}}' '{"$ref":"#/$defs/none"}' \
    '{"$ref":"#"}' '{"$ref":"https://example.com/s.json"}' '{"pattern":"("}' '{"pattern":"^(a+)+$"}' '{"format":"hostname"}' \
    '{"minimum":"0"}' "$deep"; do
    run_evt schema register a.b - <<< "$schema"
    echo "$schema -> $status $err"
    [ "$status" -eq 65 ]
    assert_one_error_line "$err"
  done
  run_evt schema register a.b "$big"
  [ "$status" -eq 65 ]
  assert_one_error_line "$err"
  run_evt schema register 'bad type' - <<< '{}'
  [ "$status" -eq 64 ]
  run_evt schema register a.b "$BATS_TEST_TMPDIR/missing.json"
  [ "$status" -eq 65 ]
  run_evt schema mode a.b sideways
  [ "$status" -eq 64 ]
  [ -z "$(rcli_each --scan --pattern "$EVT_NAMESPACE:*")" ]
}

@test "evt schema lists every type with its versions; built-in contracts are registered by the same path on first use" {
  evt schema register invoice.paid - <<< "$v1" > /dev/null
  evt schema --pretty | grep -qx 'invoice.paid  versions 1 (latest 1, backward)'
  evt schema --pretty | grep -qx 'user.created  built-in, not used yet (version 1 once used)'
  [ "$(evt schema --json | jq -r 'select(.type == "invoice.paid") | .versions | join(",")')" = 1 ]
  [ "$(evt schema invoice.paid)" = "$v1" ]
  # A built-in type is checked on publish and stamped with the version its contract became.
  run_evt publish user.created --data '{"userId":"u1","email":"not an address","name":"A"}'
  [ "$status" -eq 65 ]
  assert_one_error_line "$err"
  [[ "$err" == *'data/email: "not an address" is not a valid email'* ]]
  evt publish user.created --data '{"userId":"u1","email":"a@example.com","name":"A"}' | grep -q '"version":"1"'
  evt schema --pretty | grep -qx 'user.created  versions 1 (latest 1, backward, built-in)'
  [ "$(evt schema versions user.created)" = 1 ]
  # Control characters in text that reaches terminals and mail are refused by the contract.
  run_evt publish user.created --data '{"userId":"u2","email":"b@example.com","name":"A\u001b[2J"}'
  [ "$status" -eq 65 ]
  [[ "$err" == *'data/name: '*'does not match pattern'* ]]
}

@test "tail --validate and subscribe --validate report a breach on standard error and go on" {
  evt schema register invoice.paid - <<< "$v1" > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i1","amount":5}' -q
  rcli XADD "$(stream_key invoice.paid)" '*' event '{"id":"x2","type":"invoice.paid","version":"1","timestamp":"2026-12-01T00:00:00.000Z","data":{"invoiceId":"i2","amount":-1}}' > /dev/null
  rcli XADD "$(stream_key invoice.paid)" '*' event '{"id":"x3","type":"invoice.paid","version":"9","timestamp":"2026-12-01T00:00:01.000Z","data":{}}' > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i4","amount":6}' -q
  run_evt tail --validate --json invoice.paid
  [ "$status" -eq 0 ]
  [ "$(echo "$out" | wc -l)" -eq 4 ]
  [ "$(echo "$err" | wc -l)" -eq 2 ]
  [[ "$err" == *'invoice.paid event x2: breaks invoice.paid schema version 1: data/amount: -1 is less than minimum 0'* ]]
  [[ "$err" == *'invoice.paid event x3: invoice.paid version 9 is not a registered schema version'* ]]
  # Without --validate nothing is said.
  run_evt tail --json invoice.paid
  [ -z "$err" ]
  # A live subscriber: every event printed, the breach logged.
  evt subscribe --validate --count 2 --json invoice.paid > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
  pid=$!
  sleep 1
  rcli XADD "$(stream_key invoice.paid)" '*' event '{"id":"x5","type":"invoice.paid","version":"1","timestamp":"2026-12-01T00:00:02.000Z","data":{"amount":1}}' > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i6","amount":6}' -q
  wait "$pid"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/out")" -eq 2 ]
  grep -q 'invoice.paid event x5: breaks invoice.paid schema version 1: data: the required property \\"invoiceId\\" is missing' "$BATS_TEST_TMPDIR/err" ||
    grep -q 'invoice.paid event x5: breaks invoice.paid schema version 1: data: the required property "invoiceId" is missing' "$BATS_TEST_TMPDIR/err"
  [ "$(grep -c 'breaks' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
  run_evt subscribe --validate --group g invoice.paid
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
}

@test "schema delete: refused while unacknowledged events carry the version, unless --force; versions are never given out again" {
  evt schema register invoice.paid - <<< "$v1" > /dev/null
  evt schema register invoice.paid - <<< "$v2_optional" > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i1","amount":5}' --schema-version 1 -q
  evt subscribe --group billing --until-empty invoice.paid > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i2","amount":5}' --schema-version 1 -q
  run_evt schema delete invoice.paid --version 1
  [ "$status" -eq 73 ]
  assert_one_error_line "$err"
  [[ "$err" == *'1 unacknowledged invoice.paid event carry version 1'*'in group billing'*'--force'* ]]
  [ "$(evt schema versions invoice.paid | tr '\n' ' ')" = "1 2 " ]
  # Once the group has it, version 1 may go.
  evt subscribe --group billing --until-empty invoice.paid > /dev/null
  run_evt schema delete invoice.paid --version 1
  [ "$status" -eq 0 ]
  [ "$out" = "deleted invoice.paid version 1; the latest is now version 2" ]
  run_evt schema delete invoice.paid --version 1
  [ "$status" -eq 66 ]
  # A pending event of version 2 (delivered, not acknowledged): refused; --force deletes.
  evt publish invoice.paid --data '{"invoiceId":"i3","amount":5}' -q
  rcli XREADGROUP GROUP billing c1 COUNT 10 STREAMS "$(stream_key invoice.paid)" '>' > /dev/null
  run_evt schema delete invoice.paid --version 2
  [ "$status" -eq 73 ]
  run_evt schema delete invoice.paid --version 2 --force
  [ "$status" -eq 0 ]
  [ "$out" = "deleted invoice.paid version 2; no version is left: its data is free-form" ]
  evt publish invoice.paid --data '{"anything":true}' | grep -q '"version":"1.0"'
  # The next version is 3, not 1 again.
  [ "$(evt schema register invoice.paid - <<< "$v1")" = "invoice.paid version 3" ]
  run_evt schema delete invoice.paid --version 0
  [ "$status" -eq 64 ]
}

@test "schema check: the stored events a candidate would break, with id and reason, and the compatibility reason; exit 0 when clean" {
  evt schema register invoice.paid - <<< "$v1" > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i1","amount":10,"customer":"c1"}' -q > /dev/null
  id2=$(evt publish invoice.paid --data '{"invoiceId":"i2","amount":20}' -q)
  evt publish invoice.paid --data '{"invoiceId":"i3","amount":30,"customer":"c3"}' -q > /dev/null
  run_evt schema check invoice.paid - <<< "$v2_required"
  [ "$status" -eq 65 ]
  echo "$out"
  [ "$(echo "$out" | wc -l)" -eq 2 ]
  echo "$out" | grep -q '^compatibility: backward against version 1: .*property "customer" became required'
  echo "$out" | grep -q "^event $id2 (.*): data: the required property \"customer\" is missing$"
  [[ "$err" == *"checked 3 stored events: 2 findings"* ]]
  # Only the last stored event (i3, which has a customer): just the compatibility reason.
  run_evt schema check invoice.paid - --stored 1 <<< "$v2_required"
  [ "$status" -eq 65 ]
  [ "$(echo "$out" | wc -l)" -eq 1 ]
  # A candidate that adds an optional field breaks nothing.
  run_evt schema check invoice.paid - <<< "$v2_optional"
  [ "$status" -eq 0 ]
  [ -z "$out" ]
  [[ "$err" == *"checked 3 stored events: 0 findings"* ]]
  # Nothing was registered by checking.
  [ "$(evt schema versions invoice.paid)" = 1 ]
  run_evt schema check invoice.paid - --stored -1 <<< "$v1"
  [ "$status" -eq 64 ]
}

@test "publish stamps the schema version and refuses data that breaks it, naming keyword and place; a consumer dead-letters an unknown version or a breach" {
  evt schema register invoice.paid - <<< "$v1" > /dev/null
  run_evt publish invoice.paid --data '{"invoiceId":"i1","amount":-5}'
  [ "$status" -eq 65 ]
  assert_one_error_line "$err"
  [[ "$err" == *"invoice.paid version 1: data/amount: -5 is less than minimum 0"* ]]
  [ "$(rcli XLEN "$(stream_key invoice.paid)")" = 0 ]
  evt publish invoice.paid --data '{"invoiceId":"i1","amount":5}' | grep -q '"version":"1"'
  evt schema register invoice.paid - <<< "$v2_optional" > /dev/null
  evt publish invoice.paid --data '{"invoiceId":"i2","amount":6,"note":"n"}' | grep -q '"version":"2"'
  evt publish invoice.paid --data '{"invoiceId":"i3","amount":7}' --schema-version 1 | grep -q '"version":"1"'
  run_evt publish invoice.paid --data '{"invoiceId":"i4","amount":7}' --schema-version 9
  [ "$status" -eq 66 ]
  # Types without a schema stay free-form, version 1.0.
  evt publish other.thing --data '[1,2]' | grep -q '"version":"1.0"'
  # Written behind evt's back: a version nobody registered, and data that breaks version 1.
  rcli XADD "$(stream_key invoice.paid)" '*' event '{"id":"x7","type":"invoice.paid","version":"7","timestamp":"2026-12-01T00:00:00.000Z","data":{"invoiceId":"i7","amount":1}}' > /dev/null
  rcli XADD "$(stream_key invoice.paid)" '*' event '{"id":"x8","type":"invoice.paid","version":"1","timestamp":"2026-12-01T00:00:00.000Z","data":{"invoiceId":"i8"}}' > /dev/null
  run_evt subscribe --group billing --until-empty --json invoice.paid
  [ "$status" -eq 1 ]
  [ "$(echo "$out" | wc -l)" -eq 3 ]
  [ "$(dlq_count billing)" = 2 ]
  evt replay-dlq --group billing --list --json > "$BATS_TEST_TMPDIR/dlq"
  grep -q 'invoice.paid version 7 is not a registered schema version' "$BATS_TEST_TMPDIR/dlq"
  grep -q 'breaks invoice.paid schema version 1: data: the required property \\"amount\\" is missing' "$BATS_TEST_TMPDIR/dlq"
}

@test "publish --ndjson checks each line like publish: the line number and the reason; the rest stamped" {
  evt schema register invoice.paid - <<< "$v1" > /dev/null
  printf '%s\n' '{"type":"invoice.paid","data":{"invoiceId":"i1","amount":1}}' \
    '{"type":"invoice.paid","data":{"invoiceId":"i2","amount":-1}}' \
    '{"type":"free.form","data":[1]}' \
    '{"id":"e9","type":"invoice.paid","version":"9","timestamp":"2026-12-01T00:00:00.000Z","data":{"invoiceId":"i9","amount":9}}' \
    '{"type":"invoice.paid","data":{"invoiceId":"i3","amount":3}}' > "$BATS_TEST_TMPDIR/in.ndjson"
  run_evt publish --ndjson --skip-invalid < "$BATS_TEST_TMPDIR/in.ndjson"
  [ "$status" -eq 65 ]
  [[ "$err" == *"line 2: invoice.paid version 1: data/amount: -1 is less than minimum 0"* ]]
  [[ "$err" == *"line 4: invoice.paid has no schema version 9"* ]]
  [ "$(rcli XLEN "$(stream_key invoice.paid)")" = 2 ]
  [ "$(evt tail --json invoice.paid | grep -c '"version":"1"')" = 2 ]
  evt tail --json free.form | grep -q '"version":"1.0"'
  # Without --skip-invalid the import stops at the first bad line.
  run_evt publish --ndjson < "$BATS_TEST_TMPDIR/in.ndjson"
  [ "$status" -eq 65 ]
  [ "$(rcli XLEN "$(stream_key invoice.paid)")" = 3 ]
}

@test "the README's contract table is the one made from the built-in schemas" {
  expected=$("$BATS_TEST_DIRNAME/../../scripts/contract-table" "$EVT_BIN")
  actual=$(sed -n '/<!-- contracts:begin -->/,/<!-- contracts:end -->/p' "$BATS_TEST_DIRNAME/../../README.md" | sed '1d;$d')
  [ "$actual" = "$expected" ]
}
