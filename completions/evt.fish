function __evt_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __evt_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __evt_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __evt_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __evt_parse_tokens -S
    set -l unparsed_tokens (__evt_tokens -pc)
    switch $unparsed_tokens[1]
    case 'evt'
        __evt_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'publish'
            __evt_parse_subcommand 1 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'd/data=' 'H/header=+' 'id=' 'ndjson' 'skip-invalid' 'max-size=' 'retry=' 'replicas=' 'replicas-timeout=' 'maxlen=' 'max-age=' 'q/quiet' 'version' 'h/help'
        case 'tail'
            __evt_parse_subcommand -r 1 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'json' 'pretty' 'line-buffered' 'n=' 'f/follow' 'since=' 'version' 'h/help'
        case 'subscribe'
            __evt_parse_subcommand -r 1 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'json' 'pretty' 'line-buffered' 'g/group=' 'consumer=' 'start=' 'exec=' 'max-attempts=' 'backoff-base=' 'backoff-max=' 'claim-idle=' 'max-deliveries=' 'shutdown-timeout=' 'log-level=' 'log-format=' 'metrics-addr=' 'heartbeat-file=' 'c/count=' 'until-empty' 'wait-pending' 'timeout=' 'version' 'h/help'
        case 'replay-dlq'
            __evt_parse_subcommand 0 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'json' 'pretty' 'g/group=' 'type=' 'id=' 'since=' 'error=' 'limit=' 'list' 'dry-run' 'purge' 'yes' 'version' 'h/help'
        case 'pending'
            __evt_parse_subcommand 0 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'json' 'pretty' 'g/group=' 'version' 'h/help'
        case 'create-user'
            __evt_parse_subcommand 0 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'name=' 'email=' 'd/data=' 'id=' 'correlation-id=' 'version' 'h/help'
        case 'get-user'
            __evt_parse_subcommand 1 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'version' 'h/help'
        case 'run-email-worker'
            __evt_parse_subcommand 0 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'outbox=' 'smtp=' 'smtp-password-file=' 'smtp-require-tls' 'from=' 'g/group=' 'consumer=' 'concurrency=' 'max-attempts=' 'backoff-base=' 'backoff-max=' 'claim-idle=' 'max-deliveries=' 'breaker-failures=' 'breaker-cool-down=' 'wait-pending' 'until-empty' 'timeout=' 'q/quiet' 'log-level=' 'log-format=' 'metrics-addr=' 'heartbeat-file=' 'version' 'h/help'
        case 'schema'
            __evt_parse_subcommand 1 'json' 'pretty' 'version' 'h/help'
        case 'bench'
            __evt_parse_subcommand 0 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'publishers=' 'subscribers=' 'group' 'size=' 'count=' 'rate=' 'pipeline=' 'json' 'version' 'h/help'
        case 'migrate'
            __evt_parse_subcommand 0 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'dry-run' 'version' 'h/help'
        case 'stats'
            __evt_parse_subcommand -r 1 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'json' 'watch' 'interval=' 'window=' 'check=' 'version' 'h/help'
        case 'trim'
            __evt_parse_subcommand -r 1 'redis-url=' 'password-file=' 'namespace=' 'connect-timeout=' 'command-timeout=' 'tls-ca-file=' 'tls-cert-file=' 'tls-key-file=' 'tls-server-name=' 'tls-insecure' 'maxlen=' 'max-age=' 'dead-letters' 'ignore-groups' 'dry-run' 'json' 'version' 'h/help'
        case 'help'
            __evt_parse_subcommand -r 1 'version'
        end
    end
end

function __evt_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __evt_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __evt_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __evt_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__evt_tokens -p)
    if test -z "$(__evt_tokens -t)"
        set -l index (count (__evt_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'evt' -f
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'publish' -d 'Publish an event, or many as NDJSON from standard input.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'tail' -d 'Print the latest events, and with -f new ones as they arrive.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'subscribe' -d 'Receive events: live, or durably as a member of a consumer group.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'replay-dlq' -d 'List, replay or purge dead letters.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'pending' -d 'Show what each consumer group has delivered but not acknowledged.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'create-user' -d 'Create a user and publish its user.created event, atomically.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'get-user' -d 'Print a user of the user service as JSON.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'run-email-worker' -d 'Run the email service: welcome mails and order confirmations.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'schema' -d 'Show the event contracts that publish and consumer groups enforce.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'bench' -d 'Measure publish and consume rates and end-to-end latency against this Redis.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'migrate' -d 'Move a namespace\'s data from the key layout of an earlier evt to the current one.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'stats' -d 'Show streams, consumer groups, lag, dead letters and processing times.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'trim' -d 'Remove old events that every consumer group has finished with.'
complete -c 'evt' -n '__evt_should_offer_completions_for_positional "evt" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" d data' -l 'data' -s 'd' -d 'Event data: JSON text, @FILE, or - for standard input.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish"' -s 'H' -l 'header' -d 'A header to add (repeatable).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" id' -l 'id' -d 'Event id to use instead of a new UUID.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" ndjson' -l 'ndjson' -d 'Read events as JSON lines from standard input.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" skip-invalid' -l 'skip-invalid' -d 'With --ndjson: report bad lines and go on instead of stopping at the first.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" max-size' -l 'max-size' -d 'Largest envelope accepted, in bytes (suffixes k and m).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" retry' -l 'retry' -d 'If Redis is unavailable or goes away, keep trying this long, like 30s (default: fail at once). With --ndjson, what Redis did not confirm is checked and sent again.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" replicas' -l 'replicas' -d 'Wait until this many replicas also have each event (Redis WAIT), so a failover to one keeps it; exit 75 when fewer confirm.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" replicas-timeout' -l 'replicas-timeout' -d 'How long --replicas waits, like 500ms (default 1s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" maxlen' -l 'maxlen' -d 'Trim the type\'s stream to about N entries (N ≥ 1) on each append (XADD MAXLEN ~; ignores groups: see evt trim).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" max-age' -l 'max-age' -d 'Trim entries older than this (at least 1s; by this machine\'s clock) on each append, like 7d (XADD MINID ~; ignores groups: see evt trim).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" q quiet' -l 'quiet' -s 'q' -d 'Print only the event id (with --ndjson: no summary).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt publish" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" json' -l 'json' -d 'Print JSON lines — events exactly as stored (the default when output is not a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" pretty' -l 'pretty' -d 'Print readable lines, coloured on a terminal (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" line-buffered' -l 'line-buffered' -d 'Write each event as soon as it is printed instead of a batch at a time (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" n' -s 'n' -d 'How many of the latest events to print (default 10).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" f follow' -l 'follow' -s 'f' -d 'Keep printing new events until interrupted.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" since' -l 'since' -d 'Start at an ISO-8601 time, a duration ago (15m) or a stream id.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt tail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" json' -l 'json' -d 'Print JSON lines — events exactly as stored (the default when output is not a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" pretty' -l 'pretty' -d 'Print readable lines, coloured on a terminal (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" line-buffered' -l 'line-buffered' -d 'Write each event as soon as it is printed instead of a batch at a time (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" g group' -l 'group' -s 'g' -d 'Consume durably as a member of this consumer group.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" consumer' -l 'consumer' -d 'Consumer name within the group (default: HOST-PID).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" start' -l 'start' -d 'Where a new group starts: beginning (default), latest, or a stream id.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" exec' -l 'exec' -d 'Run this shell command for each event (envelope on stdin).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" max-attempts' -l 'max-attempts' -d 'Attempts per event, the first included, before it is dead-lettered.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" backoff-base' -l 'backoff-base' -d 'Wait before the first retry, like 500ms; doubles each time, with jitter.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" backoff-max' -l 'backoff-max' -d 'Longest wait between retries.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" claim-idle' -l 'claim-idle' -d 'Claim events another consumer left pending this long.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" max-deliveries' -l 'max-deliveries' -d 'Dead-letter an event delivered more than N times: a poison message.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" shutdown-timeout' -l 'shutdown-timeout' -d 'On SIGINT/SIGTERM/SIGHUP, how long a running --exec command may finish before it is stopped and its event left pending.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error or critical (env: EVT_LOG_LEVEL; default info).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" log-format' -l 'log-format' -d 'Log lines as text, json or logfmt (env: EVT_LOG_FORMAT; default text).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" metrics-addr' -l 'metrics-addr' -d 'Serve /metrics (Prometheus), /healthz and /readyz on this address, like 127.0.0.1:9464 (with --group; :PORT is loopback, 0.0.0.0:PORT every interface).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" heartbeat-file' -l 'heartbeat-file' -d 'Touch this file on every turn of the consumer\'s loop, for liveness checks (with --group).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" c count' -l 'count' -s 'c' -d 'Exit after handling N events.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" until-empty' -l 'until-empty' -d 'Exit once every available event has been handled.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" wait-pending' -l 'wait-pending' -d 'With --until-empty and --group: wait while other consumers still hold events, instead of ending.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" timeout' -l 'timeout' -d 'Exit with code 75 when no event arrives for this long, like 30s or 1h30m.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt subscribe" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" json' -l 'json' -d 'Print JSON lines — events exactly as stored (the default when output is not a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" pretty' -l 'pretty' -d 'Print readable lines, coloured on a terminal (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" g group' -l 'group' -s 'g' -d 'Only this group\'s dead letters (default: every group).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" type' -l 'type' -d 'Only events of this type or glob.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" id' -l 'id' -d 'Only the event with this id.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" since' -l 'since' -d 'Only dead letters since an ISO-8601 time, a duration ago (15m) or a stream id.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" error' -l 'error' -d 'Only dead letters whose error contains this text.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" limit' -l 'limit' -d 'At most N dead letters (per group).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" list' -l 'list' -d 'Print the dead letters; change nothing.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" dry-run' -l 'dry-run' -d 'Say what would be replayed; change nothing.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" purge' -l 'purge' -d 'Delete the selected dead letters for good.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" yes' -l 'yes' -d 'Do not ask before purging (needed when not on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt replay-dlq" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" json' -l 'json' -d 'Print JSON lines — events exactly as stored (the default when output is not a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" pretty' -l 'pretty' -d 'Print readable lines, coloured on a terminal (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" g group' -l 'group' -s 'g' -d 'Only this consumer group.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt pending" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" name' -l 'name' -d 'The user\'s name.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" email' -l 'email' -d 'The user\'s email address.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" d data' -l 'data' -s 'd' -d 'The user as JSON {"name":…,"email":…}: text, @FILE, or - for standard input.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" id' -l 'id' -d 'The user\'s id, for imports (default: a new UUID); refused if taken.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" correlation-id' -l 'correlation-id' -d 'Correlation id for the user.created event (default: the event\'s id).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt create-user" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt get-user" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" outbox' -l 'outbox' -d 'Write mail as .eml files into this directory.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" smtp' -l 'smtp' -d 'Send mail through this SMTP server: smtp[s]://[user:password@]host[:port].' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" smtp-password-file' -l 'smtp-password-file' -d 'Read the SMTP password from this file (first line), so it is not visible to ps (env: EVT_SMTP_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" smtp-require-tls' -l 'smtp-require-tls' -d 'With --smtp: refuse to send unless STARTTLS succeeds.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" from' -l 'from' -d 'Sender address, like \'Shop <shop@example.com>\' (default: evt <noreply@evt.localhost>).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" g group' -l 'group' -s 'g' -d 'Consumer group.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" consumer' -l 'consumer' -d 'Consumer name prefix within the group (default: HOST-PID).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" concurrency' -l 'concurrency' -d 'Mails handled at once in this process.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" max-attempts' -l 'max-attempts' -d 'Attempts per event, the first included, before it is dead-lettered.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" backoff-base' -l 'backoff-base' -d 'Wait before the first retry, like 500ms; doubles each time, with jitter.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" backoff-max' -l 'backoff-max' -d 'Longest wait between retries.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" claim-idle' -l 'claim-idle' -d 'Claim events another consumer left pending this long.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" max-deliveries' -l 'max-deliveries' -d 'Dead-letter an event delivered more than N times: a poison message.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" breaker-failures' -l 'breaker-failures' -d 'Consecutive mailer failures that open the circuit; at most --max-attempts.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" breaker-cool-down' -l 'breaker-cool-down' -d 'How long the open circuit waits before a probe.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" wait-pending' -l 'wait-pending' -d 'With --until-empty: wait while other consumers still hold events, instead of ending.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" until-empty' -l 'until-empty' -d 'Exit once every available event has been handled.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" timeout' -l 'timeout' -d 'With --until-empty: give up after this long, leaving what is not handled pending (exit 75).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" q quiet' -l 'quiet' -s 'q' -d 'Log only circuit changes, dead letters and errors, not every mail.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error or critical (env: EVT_LOG_LEVEL; default info).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" log-format' -l 'log-format' -d 'Log lines as text, json or logfmt (env: EVT_LOG_FORMAT; default text).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" metrics-addr' -l 'metrics-addr' -d 'Serve /metrics (Prometheus), /healthz and /readyz on this address, like 127.0.0.1:9464 (with --group; :PORT is loopback, 0.0.0.0:PORT every interface).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" heartbeat-file' -l 'heartbeat-file' -d 'Touch this file on every turn of the consumer\'s loop, for liveness checks (with --group).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt run-email-worker" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt schema" json' -l 'json' -d 'Print JSON lines — events exactly as stored (the default when output is not a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt schema" pretty' -l 'pretty' -d 'Print readable lines, coloured on a terminal (the default on a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt schema" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt schema" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" publishers' -l 'publishers' -d 'Publishing threads (1 to 64).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" subscribers' -l 'subscribers' -d 'Subscribing threads (0 to 64).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" group' -l 'group' -d 'Subscribers share one consumer group (each event to one of them); otherwise each follows the stream live.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" size' -l 'size' -d 'Bytes of data per event, like 128 or 1k (up to 1m).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" count' -l 'count' -d 'Events to publish in all (1 to 100000000).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" rate' -l 'rate' -d 'Events per second over all publishers (default: as fast as they go).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" pipeline' -l 'pipeline' -d 'XADDs each publisher keeps in flight (1 to 10000; 1: a round trip per event).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" json' -l 'json' -d 'Print the result as one JSON object (the default when output is not a terminal).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" dry-run' -l 'dry-run' -d 'Only count what would be moved.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt migrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" json' -l 'json' -d 'Print one JSON object (with --watch, one per line).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" watch' -l 'watch' -d 'Redraw every --interval until interrupted (in place on a terminal, like top).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" interval' -l 'interval' -d 'With --watch: time between redraws.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" window' -l 'window' -d 'Processing figures over this last stretch (whole minutes, up to 2h).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" check' -l 'check' -d 'Exit 1 naming each threshold broken, like \'lag<1000,dlq=0,idle<5m\'.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" redis-url' -l 'redis-url' -d 'Redis to use: redis://[user[:password]@]host[:port][/db], rediss://… (TLS) or unix:///path/redis.sock[?db=N] (env: EVT_REDIS_URL; default redis://127.0.0.1:6379).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" password-file' -l 'password-file' -d 'Read the Redis password from this file (first line), so it is not visible to ps (env: EVT_REDIS_PASSWORD).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" namespace' -l 'namespace' -d 'Key namespace (env: EVT_NAMESPACE; default evt).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" connect-timeout' -l 'connect-timeout' -d 'How long to wait for a connection, like 5s or 500ms (env: EVT_CONNECT_TIMEOUT; default 5s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" command-timeout' -l 'command-timeout' -d 'How long to wait for a reply (env: EVT_COMMAND_TIMEOUT; default 10s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" tls-ca-file' -l 'tls-ca-file' -d 'PEM file of the CAs that sign the server\'s certificate (env: EVT_TLS_CA_FILE; default: the system\'s).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" tls-cert-file' -l 'tls-cert-file' -d 'PEM client certificate, for servers that require mutual TLS (env: EVT_TLS_CERT_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" tls-key-file' -l 'tls-key-file' -d 'PEM private key of --tls-cert-file (env: EVT_TLS_KEY_FILE).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" tls-server-name' -l 'tls-server-name' -d 'Name the server\'s certificate must carry (env: EVT_TLS_SERVER_NAME; default: the URL\'s host).' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" tls-insecure' -l 'tls-insecure' -d 'Do not verify the server\'s certificate — anyone in between can read and change the traffic (env: EVT_TLS_INSECURE=1).'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" maxlen' -l 'maxlen' -d 'Keep at most the newest N entries of each stream.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" max-age' -l 'max-age' -d 'Remove entries older than this, like 7d or 12h.' -rfka ''
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" dead-letters' -l 'dead-letters' -d 'Also trim each group\'s dead letters to --maxlen / --max-age.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" ignore-groups' -l 'ignore-groups' -d 'Trim to the target even where a group has not read or acknowledged the entries.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" dry-run' -l 'dry-run' -d 'Change nothing; say what would be removed.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" json' -l 'json' -d 'One JSON object per stream instead of a line of text.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" version' -l 'version' -d 'Show the version.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt trim" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'evt' -n '__evt_should_offer_completions_for_flags_or_options "evt help" version' -l 'version' -d 'Show the version.'
