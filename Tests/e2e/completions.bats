#!/usr/bin/env bats
load helpers

@test "completions/ matches what evt generates (run scripts/completions to refresh)" {
  for shell in bash zsh fish; do
    diff <(evt --generate-completion-script $shell) "$EVT_ROOT/completions/evt.$shell"
  done
}
