#!/usr/bin/env bats
# The map of the house (ARCHITECTURE.md, README's Development section) against the code.
# No Redis needed.
load helpers
setup() { :; }
teardown() { :; }

@test "ARCHITECTURE.md names only files, folders and types that exist; every target is listed; no old key spelling" {
  run "$EVT_ROOT/scripts/check-architecture"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "the check fails when a named file or type is gone, a target is left out, or the old key spelling comes back" {
  copy=$BATS_TEST_TMPDIR/house
  mkdir -p "$copy/scripts"
  cp -r "$EVT_ROOT/Sources" "$EVT_ROOT/ARCHITECTURE.md" "$EVT_ROOT/README.md" "$EVT_ROOT/Package.swift" "$copy/"
  cp "$EVT_ROOT/scripts/"* "$copy/scripts/"
  cp -r "$EVT_ROOT/packaging" "$EVT_ROOT/man" "$copy/"
  mkdir -p "$copy/Tests/e2e" && touch "$copy/Tests/e2e/house.bats"
  run "$copy/scripts/check-architecture" "$copy"
  [ "$status" -eq 0 ]

  rm "$copy/Sources/EvtBus/Groups/ClaimKeeper.swift"
  run "$copy/scripts/check-architecture" "$copy"
  [ "$status" -eq 1 ]
  [[ "$output" == *"EvtBus/Groups/ClaimKeeper.swift"*"not in the repository"* ]]
  cp "$EVT_ROOT/Sources/EvtBus/Groups/ClaimKeeper.swift" "$copy/Sources/EvtBus/Groups/"

  sed -i 's/public final class CircuitBreaker/public final class GateKeeper/' "$copy/Sources/EvtBus/Groups/CircuitBreaker.swift"
  run "$copy/scripts/check-architecture" "$copy"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no type CircuitBreaker is declared"* ]]
  cp "$EVT_ROOT/Sources/EvtBus/Groups/CircuitBreaker.swift" "$copy/Sources/EvtBus/Groups/"

  sed -i 's/`EvtCodec`/`EvtKodek`/g' "$copy/README.md"
  run "$copy/scripts/check-architecture" "$copy"
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not list the target \`EvtCodec\`"* ]]
  cp "$EVT_ROOT/README.md" "$copy/"

  echo '/// Events live in `NS:stream:<type>`.' >> "$copy/Sources/EvtBus/Writing/Publisher.swift"
  run "$copy/scripts/check-architecture" "$copy"
  [ "$status" -eq 1 ]
  [[ "$output" == *"Publisher.swift"*"the old key spelling"* ]]
}
