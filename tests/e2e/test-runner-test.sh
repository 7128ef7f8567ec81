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

[ "$status" = 1 ]
check "exits 1 when tests fail (status $status)" $?
grep -q '^\[ RUN  \] slow:waitsForever$' "$out"
check "names a test before running it" $?
grep -A1 '^\[ FAIL \] slow:waitsForever$' "$out" | grep -q 'timed out after 1 s'
check "a waiting test fails at its timeout, by name" $?
grep -A1 '^\[ FAIL \] spin:spinsForever$' "$out" | grep -q 'exceeded CPU time limit'
check "a spinning test is stopped by the CPU limit its timeout sets" $?
grep -q '^\[ PASS \] quick:passes$' "$out"
check "the runner goes on after tests that time out" $?
grep -A1 '^\[ FAIL \] quick:neverSettles$' "$out" | grep -q 'would never generate a response'
check "a test nothing can settle fails as hung" $?
grep -A1 '^\[ FAIL \] child:childSpinsForever$' "$out" | grep -q 'exceeded CPU time limit'
check "a test's dynamic worker is held to the test's timeout too" $?
grep -q '^1 passed, 4 failed$' "$out"
check "closing line counts them" $?
[ "$elapsed" -lt 20 ]
check "all of it in well under the default timeout (${elapsed} s)" $?

timeout 60 "$kiln" test "$config" --timeout=0 >"$out" 2>&1
[ $? = 2 ] && grep -q -- "--timeout" "$out"
check "--timeout=0 is a usage error" $?

finish_checks
