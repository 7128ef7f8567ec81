#!/usr/bin/env bash
# `kiln test` itself: every test is named before it runs, a test past its timeout fails with its
# name (a waiting one by the clock, a spinning one by the CPU limit the timeout also sets), the
# runner goes on to the next test, and a handler nothing can settle fails as hung at once.
set -uo pipefail
kiln="$(realpath "$1")"
config="$(realpath "$2")"
# check, expect_eq, finish_checks
source "$(dirname "$0")/../lib/check.sh"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

start=$(date +%s)
timeout 60 "$kiln" test "$config" --timeout=1 >"$out" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))
cat "$out" | grep -v '^20..-' | sed 's/^/  | /'

failed_with() {  # failed_with CHECK-NAME TEST-NAME REASON: the test failed, saying REASON
  grep -A1 "^\[ FAIL \] $2\$" "$out" | grep -q "$3"
  check "$1" $?
}

[ "$status" = 1 ]
check "exits 1 when tests fail (status $status)" $?
grep -q '^\[ RUN  \] slow:waitsForever$' "$out"
check "names a test before running it" $?
failed_with "a waiting test fails at its timeout, by name" slow:waitsForever "timed out after 1 s"
# Spinning JavaScript is sliced, so the timeout's timer can fire too: under load it may win.
failed_with "a spinning test is stopped by the CPU limit its timeout sets, or by the timeout" \
  spin:spinsForever "exceeded CPU time limit\\|timed out after 1 s"
grep -q '^\[ PASS \] quick:passes$' "$out"
check "the runner goes on after tests that time out" $?
failed_with "a test nothing can settle fails as hung" quick:neverSettles "would never generate a response"
failed_with "a test's dynamic worker is held to the test's timeout too" child:childSpinsForever \
  "exceeded CPU time limit\\|timed out after 1 s"
grep -q '^1 passed, 4 failed$' "$out"
check "closing line counts them" $?
[ "$elapsed" -lt 20 ]
check "all of it in well under the default timeout (${elapsed} s)" $?

timeout 60 "$kiln" test "$config" --timeout=0 >"$out" 2>&1
[ $? = 2 ] && grep -q -- "--timeout" "$out"
check "--timeout=0 is a usage error" $?

finish_checks
