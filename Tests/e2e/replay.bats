#!/usr/bin/env bats
load helpers

fail_all() {  # dead-letters everything of group $1 on types $2…
  local g=$1
  shift
  evt subscribe --group "$g" --until-empty --max-attempts 1 --exec 'echo "mailer down for $EVT_ID" >&2; exit 1' "$@" >/dev/null 2>&1 || true
}

@test "replay-dlq after the handler is fixed: every dead letter handled once; another group receives nothing extra" {
  for i in 1 2 3; do evt publish user.joined --data "{\"n\":$i}" >/dev/null; done
  fail_all g1 user.joined
  [ "$(evt subscribe --group g2 --until-empty user.joined | wc -l)" = 3 ]
  [ "$(dlq_count g1)" = 3 ]

  [ "$(evt replay-dlq --list --json | wc -l)" = 3 ]
  evt replay-dlq --list --pretty | grep -q 'mailer down for'
  [ "$(dlq_count g1)" = 3 ]
  run_evt replay-dlq --group g1 --dry-run
  [ "$(printf '%s\n' "$out" | grep -c '^would replay')" = 3 ]
  [[ "$err" == *"3 dead letters would be replayed"* ]]
  [ "$(dlq_count g1)" = 3 ]

  run_evt replay-dlq --group g1
  [ "$status" -eq 0 ]
  [[ "$err" == *"replayed 3 dead letters"* ]]
  [ "$(dlq_count g1)" = 0 ]

  evt subscribe --group g1 --until-empty --exec "cat >> '$BATS_TEST_TMPDIR/handled'" user.joined
  [ "$(wc -l < "$BATS_TEST_TMPDIR/handled")" = 3 ]
  grep -c '"replayedAt":"' "$BATS_TEST_TMPDIR/handled" | grep -qx 3
  # Same ids as the originals.
  diff <(evt tail --json user.joined | sed 's/{"id":"\([^"]*\)".*/\1/' | sort) <(sed 's/{"id":"\([^"]*\)".*/\1/' "$BATS_TEST_TMPDIR/handled" | sort)
  [ "$(evt subscribe --group g2 --until-empty user.joined | wc -l)" = 0 ]
  [ "$(evt subscribe --group g1 --until-empty user.joined | wc -l)" = 0 ]
}

@test "replay-dlq filters by type, id, error text and limit" {
  evt publish a.one --data 1 --id first >/dev/null
  evt publish a.two --data 2 --id second >/dev/null
  evt publish a.two --data 3 --id third >/dev/null
  fail_all g 'a.*'
  [ "$(evt replay-dlq --list --json --type a.two | wc -l)" = 2 ]
  [ "$(evt replay-dlq --list --json --id first | wc -l)" = 1 ]
  [ "$(evt replay-dlq --list --json --error 'down for third' | wc -l)" = 1 ]
  [ "$(evt replay-dlq --list --json --limit 2 | wc -l)" = 2 ]
  [ "$(evt replay-dlq --list --json --since 2099-01-01 | wc -l)" = 0 ]
  evt replay-dlq --id second 2>/dev/null
  [ "$(dlq_count g)" = 2 ]
  [ "$(replay_count g)" = 1 ]
}

@test "replay-dlq --purge needs --yes when not on a terminal" {
  evt publish a.b --data 1 >/dev/null
  fail_all g a.b
  run_evt replay-dlq --purge < /dev/null
  [ "$status" -eq 64 ]
  assert_one_error_line "$err"
  [ "$(dlq_count g)" = 1 ]
  evt replay-dlq --purge --yes 2>/dev/null
  [ "$(dlq_count g)" = 0 ]
}

@test "dead letters that are not envelopes cannot be replayed, only purged" {
  evt publish a.b --data 1 >/dev/null
  rcli XADD "$(stream_key a.b)" '*' junk 1 >/dev/null
  evt subscribe --group g --until-empty a.b >/dev/null 2>&1 || true
  run_evt replay-dlq --group g
  [[ "$err" == *"is not an envelope; it can only be purged"* && "$err" == *"replayed 0 dead letters; 1 could not be replayed"* ]]
  [ "$(dlq_count g)" = 1 ]
}
