#!/bin/bash

__evt_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__evt_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__evt_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__evt_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_evt() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __evt_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    publish|tail|subscribe|replay-dlq|pending|create-user|get-user|run-email-worker|schema|bench|migrate|stats|trim|dashboard|version|context|help)
        # Offer subcommand argument completions
        "_evt_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'publish tail subscribe replay-dlq pending create-user get-user run-email-worker schema bench migrate stats trim dashboard version context help' -- "${cur}"))
        ;;
    esac
}

_evt_publish() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --ndjson --skip-invalid --quiet -q --version -h --help)
    repeating_options=(-H --header)
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --data -d --id --schema-version --max-size --retry --replicas --replicas-timeout --maxlen --max-age)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion publish -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--data'|'-d')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--id')
        return
        ;;
    '--schema-version')
        return
        ;;
    '--max-size')
        return
        ;;
    '--retry')
        return
        ;;
    '--replicas')
        return
        ;;
    '--replicas-timeout')
        return
        ;;
    '--maxlen')
        return
        ;;
    '--max-age')
        return
        ;;
    esac
}

_evt_tail() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --pretty --line-buffered --follow -f --validate --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context -n --since)
    __evt_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion tail -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '-n')
        return
        ;;
    '--since')
        return
        ;;
    esac
}

_evt_subscribe() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --pretty --line-buffered --validate --until-empty --wait-pending --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --group -g --consumer --start --exec --max-attempts --backoff-base --backoff-max --claim-idle --max-deliveries --shutdown-timeout --log-level --log-format --metrics-addr --heartbeat-file --count -c --timeout)
    __evt_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion subscribe -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--group'|'-g')
        return
        ;;
    '--consumer')
        return
        ;;
    '--start')
        return
        ;;
    '--exec')
        return
        ;;
    '--max-attempts')
        return
        ;;
    '--backoff-base')
        return
        ;;
    '--backoff-max')
        return
        ;;
    '--claim-idle')
        return
        ;;
    '--max-deliveries')
        return
        ;;
    '--shutdown-timeout')
        return
        ;;
    '--log-level')
        return
        ;;
    '--log-format')
        return
        ;;
    '--metrics-addr')
        return
        ;;
    '--heartbeat-file')
        return
        ;;
    '--count'|'-c')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_evt_replay-dlq() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --pretty --list --dry-run --purge --yes --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --group -g --type --id --since --error --limit)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion replay-dlq -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--group'|'-g')
        return
        ;;
    '--type')
        return
        ;;
    '--id')
        return
        ;;
    '--since')
        return
        ;;
    '--error')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_evt_pending() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --pretty --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --group -g)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion pending -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--group'|'-g')
        return
        ;;
    esac
}

_evt_create-user() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --name --email --data -d --id --correlation-id)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion create-user -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--name')
        return
        ;;
    '--email')
        return
        ;;
    '--data'|'-d')
        return
        ;;
    '--id')
        return
        ;;
    '--correlation-id')
        return
        ;;
    esac
}

_evt_get-user() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion get-user -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_evt_run-email-worker() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --smtp-require-tls --wait-pending --until-empty --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --outbox --smtp --smtp-password-file --from --group -g --consumer --concurrency --max-attempts --backoff-base --backoff-max --claim-idle --max-deliveries --breaker-failures --breaker-cool-down --timeout --log-level --log-format --metrics-addr --heartbeat-file)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion run-email-worker -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--outbox')
        return
        ;;
    '--smtp')
        return
        ;;
    '--smtp-password-file')
        return
        ;;
    '--from')
        return
        ;;
    '--group'|'-g')
        return
        ;;
    '--consumer')
        return
        ;;
    '--concurrency')
        return
        ;;
    '--max-attempts')
        return
        ;;
    '--backoff-base')
        return
        ;;
    '--backoff-max')
        return
        ;;
    '--claim-idle')
        return
        ;;
    '--max-deliveries')
        return
        ;;
    '--breaker-failures')
        return
        ;;
    '--breaker-cool-down')
        return
        ;;
    '--timeout')
        return
        ;;
    '--log-level')
        return
        ;;
    '--log-format')
        return
        ;;
    '--metrics-addr')
        return
        ;;
    '--heartbeat-file')
        return
        ;;
    esac
}

_evt_schema() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|contracts|register|check|show|versions|mode|delete)
        # Offer subcommand argument completions
        "_evt_schema_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list contracts register check show versions mode delete' -- "${cur}"))
        ;;
    esac
}

_evt_schema_list() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --pretty --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --version)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema list -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--version')
        return
        ;;
    esac
}

_evt_schema_contracts() {
    repeating_flags=()
    non_repeating_flags=(--json --pretty --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 1
}

_evt_schema_register() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context)
    __evt_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema register -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_evt_schema_check() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --stored --since)
    __evt_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema check -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--stored')
        return
        ;;
    '--since')
        return
        ;;
    esac
}

_evt_schema_show() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --version)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema show -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--version')
        return
        ;;
    esac
}

_evt_schema_versions() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema versions -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_evt_schema_mode() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context)
    __evt_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema mode -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    2)
        __evt_add_completions -W 'backward'$'\n''forward'$'\n''full'$'\n''none'
        return
        ;;
    esac
}

_evt_schema_delete() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --force --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --version)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion schema delete -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--version')
        return
        ;;
    esac
}

_evt_bench() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --group --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --publishers --subscribers --size --count --rate --pipeline)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion bench -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--publishers')
        return
        ;;
    '--subscribers')
        return
        ;;
    '--size')
        return
        ;;
    '--count')
        return
        ;;
    '--rate')
        return
        ;;
    '--pipeline')
        return
        ;;
    esac
}

_evt_migrate() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion migrate -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_evt_stats() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --json --watch --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --interval --window --check)
    __evt_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion stats -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--interval')
        return
        ;;
    '--window')
        return
        ;;
    '--check')
        return
        ;;
    esac
}

_evt_trim() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --dead-letters --ignore-groups --dry-run --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --maxlen --max-age)
    __evt_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion trim -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--maxlen')
        return
        ;;
    '--max-age')
        return
        ;;
    esac
}

_evt_dashboard() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --allow-actions --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --listen --token-file --interval --check --warn)
    __evt_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion dashboard -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--listen')
        return
        ;;
    '--token-file')
        return
        ;;
    '--interval')
        return
        ;;
    '--check')
        return
        ;;
    '--warn')
        return
        ;;
    esac
}

_evt_version() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 0
}

_evt_context() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    save|list|show|use|rm|edit)
        # Offer subcommand argument completions
        "_evt_context_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'save list show use rm edit' -- "${cur}"))
        ;;
    esac
}

_evt_context_save() {
    repeating_flags=()
    non_repeating_flags=(--tls-insecure --store-password --version -h --help)
    repeating_options=()
    non_repeating_options=(--redis-url --password-file --namespace --connect-timeout --command-timeout --tls-ca-file --tls-cert-file --tls-key-file --tls-server-name --context --password-env)
    __evt_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--redis-url')
        return
        ;;
    '--password-file')
        return
        ;;
    '--namespace')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--command-timeout')
        return
        ;;
    '--tls-ca-file')
        return
        ;;
    '--tls-cert-file')
        return
        ;;
    '--tls-key-file')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--context')
        __evt_add_completions -W "$(__evt_custom_complete ---completion context save -- --context "${COMP_CWORD}" "$(__evt_cursor_index_in_current_word)")"
        return
        ;;
    '--password-env')
        return
        ;;
    esac
}

_evt_context_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 0
}

_evt_context_show() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 1
}

_evt_context_use() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 1
}

_evt_context_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 1
}

_evt_context_edit() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options 1
}

_evt_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __evt_offer_flags_options -1
}

complete -o filenames -F _evt evt
