#compdef evt

__evt_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__evt_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __evt_complete "${completions[@]:0:-1}"
    fi
}

__evt_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_evt() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'publish:Publish an event, or many as NDJSON from standard input.'
            'tail:Print the latest events, and with -f new ones as they arrive.'
            'subscribe:Receive events: live, or durably as a member of a consumer group.'
            'replay-dlq:List, replay or purge dead letters.'
            'pending:Show what each consumer group has delivered but not acknowledged.'
            'create-user:Create a user and publish its user.created event, atomically.'
            'get-user:Print a user of the user service as JSON.'
            'run-email-worker:Run the email service: welcome mails and order confirmations.'
            'schema:Event contracts: JSON Schemas with versions, for the built-in types and your own.'
            'bench:Measure publish and consume rates and end-to-end latency against this Redis.'
            'migrate:Move a namespace'\''s data from the key layout of an earlier evt to the current one.'
            'stats:Show streams, consumer groups, lag, dead letters and processing times.'
            'trim:Remove old events that every consumer group has finished with.'
            'dashboard:Serve web pages of streams, groups, lag and dead letters.'
            'version:Print evt'\''s version; with --json, what a bug report needs.'
            'context:Save connection settings under a name and use them with --context.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        publish|tail|subscribe|replay-dlq|pending|create-user|get-user|run-email-worker|schema|bench|migrate|stats|trim|dashboard|version|context|help)
            "_evt_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_evt_publish() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion publish -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        '(--data -d)'{--data,-d}'[Event data\: JSON text, @FILE, or - for standard input.]:json:'
        '*'{-H,--header}'[A header to add (repeatable).]:key=value:'
        '--id[Event id to use instead of a new UUID.]:id:'
        '--schema-version[Check the data against this version of the type'\''s schema (default\: the latest).]:n:'
        '--ndjson[Read events as JSON lines from standard input.]'
        '--skip-invalid[With --ndjson\: report bad lines and go on instead of stopping at the first.]'
        '--max-size[Largest envelope accepted, in bytes (suffixes k and m).]:size:'
        '--retry[If Redis is unavailable or goes away, keep trying this long, like 30s (default\: fail at once). With --ndjson, what Redis did not confirm is checked and sent again.]:duration:'
        '--replicas[Wait until this many replicas also have each event (Redis WAIT), so a failover to one keeps it; exit 75 when fewer confirm.]:n:'
        '--replicas-timeout[How long --replicas waits, like 500ms (default 1s).]:duration:'
        '--maxlen[Trim the type'\''s stream to about N entries (N ≥ 1) on each append (XADD MAXLEN ~; ignores groups\: see evt trim).]:n:'
        '--max-age[Trim entries older than this (at least 1s; by this machine'\''s clock) on each append, like 7d (XADD MINID ~; ignores groups\: see evt trim).]:duration:'
        '(--quiet -q)'{--quiet,-q}'[Print only the event id (with --ndjson\: no summary).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_tail() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion tail -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--json[Print JSON lines — events exactly as stored (the default when output is not a terminal).]'
        '--pretty[Print readable lines, coloured on a terminal (the default on a terminal).]'
        '--line-buffered[Write each event as soon as it is printed instead of a batch at a time (the default on a terminal).]'
        '*:type|pattern:'
        '-n[How many of the latest events to print (default 10).]:n:'
        '(--follow -f)'{--follow,-f}'[Keep printing new events until interrupted.]'
        '--since[Start at an ISO-8601 time, a duration ago (15m) or a stream id.]:time|id:'
        '--validate[Check each event against its schema version and report a breach on standard error; every event is still printed.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_subscribe() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion subscribe -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--json[Print JSON lines — events exactly as stored (the default when output is not a terminal).]'
        '--pretty[Print readable lines, coloured on a terminal (the default on a terminal).]'
        '--line-buffered[Write each event as soon as it is printed instead of a batch at a time (the default on a terminal).]'
        '*:type|pattern:'
        '(--group -g)'{--group,-g}'[Consume durably as a member of this consumer group.]:group:'
        '--consumer[Consumer name within the group (default\: HOST-PID).]:name:'
        '--start[Where a new group starts\: beginning (default), latest, or a stream id.]:where:'
        '--exec[Run this shell command for each event (envelope on stdin).]:command:'
        '--validate[Without --group\: check each event against its schema version and log a breach; every event is still handled.]'
        '--max-attempts[Attempts per event, the first included, before it is dead-lettered.]:n:'
        '--backoff-base[Wait before the first retry, like 500ms; doubles each time, with jitter.]:duration:'
        '--backoff-max[Longest wait between retries.]:duration:'
        '--claim-idle[Claim events another consumer left pending this long.]:duration:'
        '--max-deliveries[Dead-letter an event delivered more than N times\: a poison message.]:n:'
        '--shutdown-timeout[On SIGINT/SIGTERM/SIGHUP, how long a running --exec command may finish before it is stopped and its event left pending.]:duration:'
        '--log-level[Log level\: trace, debug, info, notice, warning, error or critical (env\: EVT_LOG_LEVEL; default info).]:level:'
        '--log-format[Log lines as text, json or logfmt (env\: EVT_LOG_FORMAT; default text).]:format:'
        '--metrics-addr[Serve /metrics (Prometheus), /healthz and /readyz on this address, like 127.0.0.1\:9464 (with --group; \:PORT is loopback, 0.0.0.0\:PORT every interface).]:host\:port:'
        '--heartbeat-file[Touch this file on every turn of the consumer'\''s loop, for liveness checks (with --group).]:path:'
        '(--count -c)'{--count,-c}'[Exit after handling N events.]:n:'
        '--until-empty[Exit once every available event has been handled.]'
        '--wait-pending[With --until-empty and --group\: wait while other consumers still hold events, instead of ending.]'
        '--timeout[Exit with code 75 when no event arrives for this long, like 30s or 1h30m.]:duration:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_replay-dlq() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion replay-dlq -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--json[Print JSON lines — events exactly as stored (the default when output is not a terminal).]'
        '--pretty[Print readable lines, coloured on a terminal (the default on a terminal).]'
        '(--group -g)'{--group,-g}'[Only this group'\''s dead letters (default\: every group).]:group:'
        '--type[Only events of this type or glob.]:type:'
        '--id[Only the event with this id.]:id:'
        '--since[Only dead letters since an ISO-8601 time, a duration ago (15m) or a stream id.]:time:'
        '--error[Only dead letters whose error contains this text.]:text:'
        '--limit[At most N dead letters (per group).]:n:'
        '--list[Print the dead letters; change nothing.]'
        '--dry-run[Say what would be replayed; change nothing.]'
        '--purge[Delete the selected dead letters for good.]'
        '--yes[Do not ask before purging (needed when not on a terminal).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_pending() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion pending -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--json[Print JSON lines — events exactly as stored (the default when output is not a terminal).]'
        '--pretty[Print readable lines, coloured on a terminal (the default on a terminal).]'
        '(--group -g)'{--group,-g}'[Only this consumer group.]:group:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_create-user() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion create-user -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--name[The user'\''s name.]:name:'
        '--email[The user'\''s email address.]:address:'
        '(--data -d)'{--data,-d}'[The user as JSON {"name"\:…,"email"\:…}\: text, @FILE, or - for standard input.]:json:'
        '--id[The user'\''s id, for imports (default\: a new UUID); refused if taken.]:id:'
        '--correlation-id[Correlation id for the user.created event (default\: the event'\''s id).]:id:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_get-user() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion get-user -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':id|email:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_run-email-worker() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion run-email-worker -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--outbox[Write mail as .eml files into this directory.]:dir:'
        '--smtp[Send mail through this SMTP server\: smtp\[s\]\://\[user\:password@\]host\[\:port\].]:url:'
        '--smtp-password-file[Read the SMTP password from this file (first line), so it is not visible to ps (env\: EVT_SMTP_PASSWORD).]:path:'
        '--smtp-require-tls[With --smtp\: refuse to send unless STARTTLS succeeds.]'
        '--from[Sender address, like '\''Shop <shop@example.com>'\'' (default\: evt <noreply@evt.localhost>).]:address:'
        '(--group -g)'{--group,-g}'[Consumer group.]:group:'
        '--consumer[Consumer name prefix within the group (default\: HOST-PID).]:name:'
        '--concurrency[Mails handled at once in this process.]:n:'
        '--max-attempts[Attempts per event, the first included, before it is dead-lettered.]:n:'
        '--backoff-base[Wait before the first retry, like 500ms; doubles each time, with jitter.]:duration:'
        '--backoff-max[Longest wait between retries.]:duration:'
        '--claim-idle[Claim events another consumer left pending this long.]:duration:'
        '--max-deliveries[Dead-letter an event delivered more than N times\: a poison message.]:n:'
        '--breaker-failures[Consecutive mailer failures that open the circuit; at most --max-attempts.]:n:'
        '--breaker-cool-down[How long the open circuit waits before a probe.]:duration:'
        '--wait-pending[With --until-empty\: wait while other consumers still hold events, instead of ending.]'
        '--until-empty[Exit once every available event has been handled.]'
        '--timeout[With --until-empty\: give up after this long, leaving what is not handled pending (exit 75).]:duration:'
        '(--quiet -q)'{--quiet,-q}'[Log only circuit changes, dead letters and errors, not every mail.]'
        '--log-level[Log level\: trace, debug, info, notice, warning, error or critical (env\: EVT_LOG_LEVEL; default info).]:level:'
        '--log-format[Log lines as text, json or logfmt (env\: EVT_LOG_FORMAT; default text).]:format:'
        '--metrics-addr[Serve /metrics (Prometheus), /healthz and /readyz on this address, like 127.0.0.1\:9464 (with --group; \:PORT is loopback, 0.0.0.0\:PORT every interface).]:host\:port:'
        '--heartbeat-file[Touch this file on every turn of the consumer'\''s loop, for liveness checks (with --group).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'list:List the types that have a schema, with their versions; with TYPE, print its schema.'
            'contracts:Print the built-in contracts (JSON Schemas) that publish and consumer groups enforce.'
            'register:Register a JSON Schema (draft 2020-12) as the next version of a type'\''s contract.'
            'check:Check a candidate schema before registering it: the compatibility rule, and the events already stored.'
            'show:Print a registered schema of a type: the latest version, or --version V.'
            'versions:List the registered versions of a type'\''s schema, oldest first (exit 66 when it has none).'
            'mode:Print or set the compatibility rule of a type'\''s schema versions.'
            'delete:Delete one version of a type'\''s schema.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        list|contracts|register|check|show|versions|mode|delete)
            "_evt_schema_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_evt_schema_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema list -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--json[Print JSON lines — events exactly as stored (the default when output is not a terminal).]'
        '--pretty[Print readable lines, coloured on a terminal (the default on a terminal).]'
        ':type:'
        '--version[With TYPE\: the version to print.]:n:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_contracts() {
    local -i ret=1
    local -ar arg_specs=(
        '--json[Print JSON lines — events exactly as stored (the default when output is not a terminal).]'
        '--pretty[Print readable lines, coloured on a terminal (the default on a terminal).]'
        ':type:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_register() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema register -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        ':file:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_check() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema check -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        ':file:'
        '--stored[Check the last N stored events (default 1000; at most 100000).]:n:'
        '--since[Check every stored event since this time, duration ago or stream id.]:when:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_show() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema show -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        '--version[The version to print.]:n:'
        '--json[Print only the schema itself (JSON).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_versions() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema versions -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_mode() {
    local -i ret=1
    local -ar _mode=('backward' 'forward' 'full' 'none')
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema mode -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        ':mode:{__evt_complete "${_mode[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_schema_delete() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion schema delete -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        ':type:'
        '--version[The version to delete.]:n:'
        '--force[Delete it even while unacknowledged events carry it.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_bench() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion bench -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--publishers[Publishing threads (1 to 64).]:n:'
        '--subscribers[Subscribing threads (0 to 64).]:n:'
        '--group[Subscribers share one consumer group (each event to one of them); otherwise each follows the stream live.]'
        '--size[Bytes of data per event, like 128 or 1k (up to 1m).]:size:'
        '--count[Events to publish in all (1 to 100000000).]:n:'
        '--rate[Events per second over all publishers (default\: as fast as they go).]:n:'
        '--pipeline[XADDs each publisher keeps in flight (1 to 10000; 1\: a round trip per event).]:n:'
        '--json[Print the result as one JSON object (the default when output is not a terminal).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_migrate() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion migrate -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--dry-run[Only count what would be moved.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_stats() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion stats -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '*:type|pattern:'
        '--json[Print one JSON object (with --watch, one per line).]'
        '--watch[Redraw every --interval until interrupted (in place on a terminal, like top).]'
        '--interval[With --watch\: time between redraws.]:duration:'
        '--window[Processing figures over this last stretch (whole minutes, up to 2h).]:duration:'
        '--check[Exit 1 naming each threshold broken, like '\''lag<1000,dlq=0,idle<5m'\''.]:thresholds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_trim() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion trim -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '*:type|pattern:'
        '--maxlen[Keep at most the newest N entries of each stream.]:n:'
        '--max-age[Remove entries older than this, like 7d or 12h.]:duration:'
        '--dead-letters[Also trim each group'\''s dead letters to --maxlen / --max-age.]'
        '--ignore-groups[Trim to the target even where a group has not read or acknowledged the entries.]'
        '--dry-run[Change nothing; say what would be removed.]'
        '--json[One JSON object per stream instead of a line of text.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_dashboard() {
    local -i ret=1
    local -ar arg_specs=(
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion dashboard -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--listen[Address to listen on (port 0\: any free port).]:host\:port:'
        '--allow-actions[Allow replaying and purging dead letters from the pages (with the token).]'
        '--token-file[Read the token from this file (first line, 16 characters or more) instead of generating one.]:path:'
        '--interval[How often Redis is read for the figures.]:duration:'
        '--check[A group breaking one of these thresholds is red.]:thresholds:'
        '--warn[A group breaking one of these thresholds (and no --check one) is amber.]:thresholds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_version() {
    local -i ret=1
    local -ar arg_specs=(
        '--json[Print one JSON object.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_context() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'save:Save the connection options given under NAME (replacing a context of that name).'
            'list:List the contexts; '\''*'\'' marks the one in use.'
            'show:Print a context'\''s settings (the one in use by default); secrets are masked.'
            'use:Use this context when --context is not given.'
            'rm:Delete a context.'
            'edit:Edit a context in $VISUAL or $EDITOR; it is saved only when it is still valid.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        save|list|show|use|rm|edit)
            "_evt_context_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_evt_context_save() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--redis-url[Redis to use\: redis\://\[user\[\:password\]@\]host\[\:port\]\[/db\], rediss\://… (TLS) or unix\:///path/redis.sock\[?db=N\] (env\: EVT_REDIS_URL; default redis\://127.0.0.1\:6379).]:url:'
        '--password-file[Read the Redis password from this file (first line), so it is not visible to ps (env\: EVT_REDIS_PASSWORD).]:path:'
        '--namespace[Key namespace (env\: EVT_NAMESPACE; default evt).]:name:'
        '--connect-timeout[How long to wait for a connection, like 5s or 500ms (env\: EVT_CONNECT_TIMEOUT; default 5s).]:duration:'
        '--command-timeout[How long to wait for a reply (env\: EVT_COMMAND_TIMEOUT; default 10s).]:duration:'
        '--tls-ca-file[PEM file of the CAs that sign the server'\''s certificate (env\: EVT_TLS_CA_FILE; default\: the system'\''s).]:path:'
        '--tls-cert-file[PEM client certificate, for servers that require mutual TLS (env\: EVT_TLS_CERT_FILE).]:path:'
        '--tls-key-file[PEM private key of --tls-cert-file (env\: EVT_TLS_KEY_FILE).]:path:'
        '--tls-server-name[Name the server'\''s certificate must carry (env\: EVT_TLS_SERVER_NAME; default\: the URL'\''s host).]:name:'
        '--tls-insecure[Do not verify the server'\''s certificate — anyone in between can read and change the traffic (env\: EVT_TLS_INSECURE=1).]'
        '--context[Connection settings saved with '\''evt context save'\'' (env\: EVT_CONTEXT; default\: the one '\''evt context use'\'' chose).]:name:{__evt_custom_complete ---completion context save -- --context "${current_word_index}" "$(__evt_cursor_index_in_current_word)"}'
        '--password-env[Take the password from this environment variable when the context is used.]:variable:'
        '--store-password[Write a password given in --redis-url into the context file (default\: refuse it).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_context_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_context_show() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_context_use() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_context_rm() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_context_edit() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_evt_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _evt ]]; then
    _evt "${@}"
else
    compdef _evt evt
fi
