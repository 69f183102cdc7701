# The corpus of bad invocations checked by corpus.bats: every command, every kind of option,
# values from argv, the environment, files and standard input, bytes that are not UTF-8.
#   bad CODE [VAR=VALUE …] -- ARGS…      runs evt ARGS with those variables set
#   bad_in CODE INPUT -- ARGS…           the same with INPUT on standard input
# Each must exit with CODE, print exactly one line (evt: error: …) on standard error and
# nothing on standard output, never show $SECRET, and leave every key in Redis unchanged.
SECRET=Pw-S3cr3t-9
deep=$(printf '[%.0s' {1..257})$(printf ']%.0s' {1..257})

# publish: names, data, ids, headers
bad 65 -- publish User.Created --data '{}'
bad 65 -- publish 'a b' --data 1
bad 65 -- publish a..b --data 1
bad 65 -- publish a.b. --data 1
bad 65 -- publish a.b --data '{'
bad 65 -- publish a.b --data ''
bad 65 -- publish a.b --data '01'
bad 65 -- publish a.b --data '"\ud800"'
bad 65 -- publish a.b --data '{"a":1,"a":2}'
bad 65 -- publish a.b --data '{"a":1,"\u0061":2}'
bad 65 -- publish a.b --data 'nul'
bad 65 -- publish a.b --data '[1,]'
bad 65 -- publish a.b --data "$deep"
bad 65 -- publish a.b --data @/nonexistent/file.json
bad 65 -- publish a.b --data @/
bad 65 -- publish a.b --data 1 --id ''
bad 65 -- publish a.b --data 1 --id 'has space'
bad 65 -- publish a.b --data 1 --id $'tab\there'
bad 65 -- publish a.b --data 1 --id "$(printf 'x%.0s' {1..201})"
bad 64 -- publish a.b --data 1 --header novalue
bad 65 -- publish a.b --data 1 --header '=v'
bad 65 -- publish a.b --data 1 --header 'a b=v'
bad 65 -- publish a.b --data 1 -H k=1 -H k=2
# publish: contracts
bad 65 -- publish order.placed --data '{"orderId":"o"}'
bad 65 -- publish order.placed --data '{"orderId":"o","userId":"u","total":"9"}'
bad 65 -- publish order.placed --data '{"orderId":"o","userId":"u","userId":5}'
bad 65 -- publish user.created --data '{"userId":"u","email":"x","name":"n"}'
bad 65 -- publish user.created --data '{"userId":"u","email":"a@b.co>\r\nBcc: e@evil.com","name":"n"}'
bad 65 -- publish user.created --data '{"userId":"u","email":"a@b.co","name":"\u202e"}'
bad 65 -- publish email.sent --data '{}'
bad 65 -- publish event.failed --data '[]'
# publish: options
bad 64 -- publish a.b
bad 64 -- publish --data 1
bad 64 -- publish a.b --data 1 --ndjson
bad 64 -- publish --ndjson --id x
bad 64 -- publish a.b --data 1 --skip-invalid
bad 64 -- publish a.b --data 1 --max-size 0
bad 64 -- publish a.b --data 1 --max-size -1
bad 64 -- publish a.b --data 1 --max-size 1g
bad 64 -- publish a.b --data 1 --max-size 9999999999999m
bad 64 -- publish a.b --data 1 --max-size ''
bad 64 -- publish a.b --data 1 --retry 0
bad 64 -- publish a.b --data 1 --retry -1
bad 64 -- publish a.b --data 1 --retry inf
bad 64 -- publish a.b --data 1 --retry 2d
bad 64 -- publish a.b --data 1 --retry 1x
bad 64 -- publish a.b --data 1 --connect-timeout 0
bad 64 -- publish a.b --data 1 --command-timeout nan
bad 64 -- publish a.b --data 1 --command-timeout 1e300
bad 64 -- publish --dta '{}'
bad 64 -- publish a.b --data 1 --frobnicate
# connection options and secrets
bad 64 -- publish a.b --data 1 --namespace ''
bad 64 -- publish a.b --data 1 --namespace 'a:b'
bad 64 -- publish a.b --data 1 --namespace 'a b'
bad 64 -- publish a.b --data 1 --namespace "$(printf 'n%.0s' {1..65})"
bad 64 -- publish a.b --data 1 --redis-url 'http://localhost'
bad 64 -- publish a.b --data 1 --redis-url "redis://u:$SECRET@host:notaport"
bad 64 -- publish a.b --data 1 --redis-url "redis:/u:$SECRET@127.0.0.1:1"
bad 64 -- publish a.b --data 1 --redis-url "redis//u:$SECRET@127.0.0.1:1"
bad 69 -- publish a.b --data 1 --redis-url "rediss://u:$SECRET@127.0.0.1:1"
bad 64 -- publish a.b --data 1 --redis-url "rediss://u:$SECRET@h:1" --tls-ca-file /nonexistent/ca.crt
bad 64 -- publish a.b --data 1 --redis-url "rediss://u:$SECRET@h:1" --tls-cert-file /dev/null
bad 64 -- publish a.b --data 1 --redis-url "rediss://u:$SECRET@h:1" --tls-server-name 'a b'
bad 64 -- publish a.b --data 1 --tls-insecure
bad 64 -- tail --tls-ca-file /dev/null
bad 64 EVT_TLS_INSECURE=maybe -- publish a.b --data 1 --redis-url "rediss://u:$SECRET@h:1"
bad 64 EVT_TLS_KEY_FILE=/nonexistent -- publish a.b --data 1 --redis-url "rediss://u:$SECRET@h:1"
bad 64 -- publish a.b --data 1 --redis-url "unix://relative.sock?password=$SECRET"
bad 64 -- publish a.b --data 1 --redis-url "unix:///x.sock?password=$SECRET&zz=1"
bad 64 -- publish a.b --data 1 --redis-url 'redis://h:1/-1'
bad 64 -- publish a.b --data 1 --redis-url 'redis://[::1'
bad 64 -- publish a.b --data 1 --password-file /nonexistent/pw
bad 64 -- publish a.b --data 1 --password-file /dev/null
bad 69 -- publish a.b --data 1 --redis-url redis://127.0.0.1:1
bad 69 -- publish a.b --data 1 --redis-url "redis://u:$SECRET@127.0.0.1:1"
bad 69 -- publish a.b --data 1 --redis-url unix:///nonexistent.sock
bad 69 EVT_REDIS_PASSWORD=$SECRET -- publish a.b --data 1 --redis-url redis://127.0.0.1:1
# not UTF-8
bad 64 -- publish a.b --data $'"\xff"'
bad 64 -- publish $'a\xfe' --data 1
bad 64 -- create-user --name $'Ev\xffe' --email e@example.com
bad 64 -- tail $'\xc3'
# the environment
bad 64 EVT_COMMAND_TIMEOUT=soon -- publish a.b --data 1
bad 64 EVT_CONNECT_TIMEOUT=-1 -- publish a.b --data 1
bad 64 EVT_CONNECT_TIMEOUT=1e999 -- tail
bad 64 EVT_COMMAND_TIMEOUT=0 -- tail
bad 64 EVT_NAMESPACE=a:b -- tail
bad 64 EVT_NAMESPACE=$'n\xff' -- tail
bad 64 EVT_REDIS_URL="redis://u:$SECRET@h:x" -- tail
bad 64 EVT_REDIS_URL=$'redis://\xff' -- tail
bad 64 EVT_REDIS_PASSWORD=$'\xff' -- tail
bad 64 EVT_SMTP_PASSWORD=$'\xff' -- run-email-worker --smtp smtp://127.0.0.1:1
# standard input and NDJSON
bad_in 65 'not json' -- publish a.b --data -
bad_in 65 $'"\xff"' -- publish a.b --data -
bad_in 65 '{"type":"a.b"}' -- publish --ndjson -q
bad_in 65 '[1]' -- publish --ndjson -q
bad_in 65 '{"type":"A","data":1}' -- publish --ndjson -q
bad_in 65 '{"type":"a.b","data":1,"data":2}' -- publish --ndjson -q
bad_in 65 $'\xff\xfe' -- publish --ndjson -q
bad_in 65 '{"id":"x","type":"a.b","version":"1.0","timestamp":"2026-02-31T00:00:00Z","data":1}' -- publish --ndjson -q
bad_in 65 '{"name":"Ada"}' -- create-user --data -
# tail
bad 64 -- tail -n -1
bad 64 -- tail -n x
bad 64 -- tail -n 99999999999
bad 64 -- tail --since yesterday
bad 64 -- tail --since 2026-02-31
bad 64 -- tail --since 2026-13-01
bad 64 -- tail --since 999999999999999d
bad 64 -- tail --since 1e9
bad 64 -- tail 'BAD*'
bad 64 -- tail 'a b'
bad 64 -- tail --json --pretty
bad 64 -- tail --bogus
# subscribe
bad 64 -- subscribe
bad 64 -- subscribe a.b --consumer c
bad 64 -- subscribe a.b --start latest
bad 64 -- subscribe a.b --group g --start sometime
bad 64 -- subscribe a.b --count 0
bad 64 -- subscribe a.b --count -1
bad 64 -- subscribe a.b --count x
bad 64 -- subscribe a.b --timeout 0
bad 64 -- subscribe a.b --timeout inf
bad 64 -- subscribe a.b --timeout -5
bad 64 -- subscribe a.b --timeout 9.3e15
bad 64 -- subscribe a.b --group 'a b'
bad 64 -- subscribe a.b --group 'a:b'
bad 64 -- subscribe a.b --group ''
bad 64 -- subscribe a.b --group g --consumer 'a b'
bad 64 -- subscribe a.b --exec '   '
bad 64 -- subscribe a.b --group g --max-attempts 0
bad 64 -- subscribe a.b --group g --max-deliveries 0
bad 64 -- subscribe a.b --group g --claim-idle 0
bad 64 -- subscribe a.b --group g --claim-idle 31d
bad 64 -- subscribe a.b --group g --backoff-base -1
bad 64 -- subscribe a.b --group g --backoff-max 2d
bad 64 -- subscribe a.b --shutdown-timeout 2d
bad 64 -- subscribe a.b --group g --wait-pending
bad 64 -- subscribe 'A.B'
# replay-dlq and pending
bad 64 -- replay-dlq --list --dry-run
bad 64 -- replay-dlq --limit 0
bad 64 -- replay-dlq --limit -1
bad 64 -- replay-dlq --since soon --list
bad 64 -- replay-dlq --since 99999999999999d --list
bad 64 -- replay-dlq --type 'A' --list
bad 64 -- replay-dlq --group 'a:b' --list
bad 64 -- replay-dlq --purge
bad 64 -- pending --json --pretty
bad 64 -- pending extra
bad 64 -- migrate extra
bad 64 -- migrate --dry-run --frobnicate
bad 64 -- migrate --namespace "a:b"
bad 64 -- publish a.b --data 1 --replicas 0
bad 64 -- publish a.b --data 1 --replicas 101
bad 64 -- publish a.b --data 1 --replicas 99999999999999999999
bad 64 -- publish a.b --data 1 --replicas 1 --replicas-timeout 0
bad 64 -- publish a.b --data 1 --replicas 1 --replicas-timeout 2d
# bench
bad 64 -- bench --count 0
bad 64 -- bench --count 100000001
bad 64 -- bench --count 99999999999999999999
bad 64 -- bench --publishers 0
bad 64 -- bench --publishers 65
bad 64 -- bench --subscribers -1
bad 64 -- bench --rate 0
bad 64 -- bench --rate -5
bad 64 -- bench --pipeline 0
bad 64 -- bench --pipeline 10001
bad 64 -- bench --size 2m
bad 64 -- bench --size 0
bad 64 -- bench --size 1x
bad 64 -- bench extra
bad 64 -- bench --namespace 'a:b'
# create-user and get-user
bad 64 -- create-user
bad 64 -- create-user --name Ada
bad 64 -- create-user --data '{}' --name Ada
bad 65 -- create-user --name ' ' --email a@example.com
bad 65 -- create-user --name Ada --email bad
bad 65 -- create-user --name Ada --email a@localhost
bad 65 -- create-user --name $'A\xc2\x85B' --email a@example.com
bad 65 -- create-user --name "a$(printf '\xcc\x81%.0s' {1..500})" --email a@example.com
bad 65 -- create-user --name Ada --email a@example.com --id 'bad id'
bad 65 -- create-user --data '{"name":1,"email":"a@example.com"}'
bad 65 -- create-user --data 'x'
bad 65 -- create-user --data @/nonexistent
bad 65 -- create-user --data '{"name":"n","email":"a@example.com","name":"m"}'
bad 73 -- create-user --name Other --email SEED@example.com
bad 73 -- create-user --name Other --email other@example.com --id seed-user
bad 66 -- get-user nobody
bad 64 -- get-user
# run-email-worker
bad 64 -- run-email-worker
bad 64 -- run-email-worker --outbox o --smtp smtp://h:25
bad 64 -- run-email-worker --outbox o --smtp-require-tls
bad 64 -- run-email-worker --outbox o --concurrency 0
bad 64 -- run-email-worker --outbox o --concurrency 257
bad 64 -- run-email-worker --outbox o --breaker-failures 0
bad 64 -- run-email-worker --outbox o --breaker-failures 5
bad 64 -- run-email-worker --outbox o --breaker-cool-down 0
bad 64 -- run-email-worker --outbox o --from 'not an address'
bad 64 -- run-email-worker --outbox o --group 'a b'
bad 64 -- run-email-worker --outbox o --wait-pending
bad 64 -- run-email-worker --smtp ftp://h
bad 64 -- run-email-worker --smtp "smtpx://u:$SECRET@h"
bad 64 -- run-email-worker --outbox /proc/nonexistent/outbox
bad 64 -- run-email-worker --smtp smtp://h:25 --smtp-password-file /nonexistent
# schema and the root command
bad 66 -- schema user.deleted
bad 64 -- schema --json --pretty
bad 64 -- nosuchcommand
bad 64 -- pubish a.b
bad 64 -- --bogus

# issue 12: stats, trim, caps on publish, logs, metrics, heartbeats
bad 64 -- stats --check ''
bad 64 -- stats --check 'lag'
bad 64 -- stats --check 'lag<'
bad 64 -- stats --check 'lag<-1'
bad 64 -- stats --check 'lag<1e99'
bad 64 -- stats --check 'lag<99999999999999999999'
bad 64 -- stats --check 'idle<forever'
bad 64 -- stats --check 'speed<3'
bad 64 -- stats --check 'lag=>3'
bad 64 -- stats --check 'lag<1' --watch
bad 64 -- stats --interval 0
bad 64 -- stats --window 1s
bad 64 -- stats --window 3h
bad 64 -- trim
bad 64 -- trim --maxlen 1 --max-age 1d
bad 64 -- trim --maxlen -1
bad 64 -- trim --maxlen 99999999999999999999
bad 64 -- trim --max-age 0
bad 64 -- trim --max-age inf
bad 64 -- publish a.b --data 1 --maxlen -1
bad 64 -- publish a.b --data 1 --max-age 1s --maxlen 3
bad 64 -- publish a.b --data 1 --max-age never
bad 64 -- subscribe --log-level loud a.b
bad 64 EVT_LOG_LEVEL=chatty -- subscribe a.b
bad 64 -- subscribe --log-format xml a.b
bad 64 EVT_LOG_FORMAT=yaml -- run-email-worker --outbox /tmp
bad 64 -- subscribe --metrics-addr 127.0.0.1:9464 a.b
bad 64 -- subscribe --heartbeat-file /tmp/hb a.b
bad 64 -- subscribe --group g --metrics-addr nonsense a.b
bad 64 -- subscribe --group g --metrics-addr 127.0.0.1:99999 a.b
bad 64 -- subscribe --group g --heartbeat-file /nonexistent/dir/hb a.b
bad 64 -- run-email-worker --outbox /tmp --metrics-addr 999.1.1.1:80

# issue 18: caps that would remove the event being written; namespaces with an empty hash tag
bad 64 -- publish a.b --data 1 --maxlen 0
bad 64 -- publish a.b --data 1 --max-age 500ms
bad_in 64 '{"type":"a.b","data":{}}' -- publish --ndjson --maxlen 0
bad 64 -- publish a.b --data 1 --namespace '{}'
bad 64 -- publish a.b --data 1 --namespace 'a{}'
bad 64 EVT_NAMESPACE='{}x' -- tail a.b
bad 64 -- create-user --name A --email a@example.com --namespace 'x{}{y}'
bad 65 -- publish a.b --data 1 --header "correlationId=$(printf 'x%.0s' {1..257})"
bad 65 -- publish a.b --data 1 --header $'correlationId=a\nb'
bad 65 -- publish a.b --data 1 --header x-y=1 --header x_y=2
bad 65 EVT_CORRELATION_ID=$'a\nb' -- publish a.b --data 1
bad_in 65 '{"type":"a.b","data":{},"headers":{"A":"1","a":"2"}}' -- publish --ndjson -q
bad 64 -- create-user --name A --email a@example.com --correlation-id $'a\nb'
bad 64 -- pending --group 'a:b'
bad 64 -- bench --size -1
bad 64 -- run-email-worker --outbox /tmp --timeout 3s
bad 64 -- run-email-worker --outbox /tmp --until-empty --timeout 0
bad 64 -- run-email-worker --outbox /tmp --until-empty --timeout -1s

# dashboard: addresses, thresholds, the token file
bad 64 -- dashboard --listen 0.0.0.0:8080
bad 64 -- dashboard --listen '[::]:8080'
bad 64 -- dashboard --listen nonsense
bad 64 -- dashboard --listen 127.0.0.1:65536
bad 64 -- dashboard --listen $'127.0.0.1\n:80'
bad 64 -- dashboard --check 'lag<<1'
bad 64 -- dashboard --warn 'speed<1'
bad 64 -- dashboard --interval 0s
bad 64 -- dashboard --interval 2h
bad 64 -- dashboard --listen 0.0.0.0:0 --token-file /nonexistent/token

# context: names, options, the variable
bad 64 -- context save ../x
bad 64 -- context save 'a/b'
bad 64 -- context save .hidden
bad 64 -- context save ''
bad 64 -- context save "x$(printf 'y%.0s' {1..70})"
bad 64 -- context save p --redis-url "redis://:$SECRET@127.0.0.1:6379"
bad 64 -- context save p --redis-url 'http://x'
bad 64 -- context save p --namespace 'a:b'
bad 64 -- context save p --password-env 'A B'
bad 78 -- context use nope
bad 78 -- context show nope
bad 64 -- context use ../etc
bad 78 -- publish a.b --data 1 --context nope
bad 78 EVT_CONTEXT=nope -- publish a.b --data 1
bad 64 EVT_CONTEXT=../x -- tail a.b
bad 64 -- version --jsn
