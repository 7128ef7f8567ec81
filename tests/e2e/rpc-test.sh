#!/usr/bin/env bash
# External Cap'n Proto RPC: kiln serves a capnp socket and tools/rpc-client calls it.
set -uo pipefail
kiln="$(realpath "$1")"
client="$(realpath "$2")"
config="$(realpath "$3")"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0
expect() {  # expect NAME ACTUAL PATTERN
  if printf '%s' "$2" | grep -qE "$3"; then
    passed=$((passed + 1)); echo "[ PASS ] $1"
  else
    failed=$((failed + 1)); echo "[ FAIL ] $1"; echo "  got: $2"
  fi
}

"$kiln" serve "$config" --threads 2 2>"$work/log" &
pid=$!
addr=""
for _ in $(seq 1 100); do
  addr="$(grep -o 'listening on capnp://[0-9.:]*' "$work/log" | head -1 | sed 's|listening on capnp://||' || true)"
  [ -n "$addr" ] && break
  sleep 0.05
done
expect "daemon serves the capnp socket" "$addr" "^127.0.0.1:[0-9]+$"

expect "a method call returns its result, props applied" "$("$client" "$addr" call add '[2, 3]' 2>&1)" '^50$'
expect "async methods and objects come back as JSON" \
  "$("$client" "$addr" call describe '["kiln"]' 2>&1)" '^\{"hello":"kiln","scale":10\}$'
out="$("$client" "$addr" call divide '[1, 0]' 2>&1)"; code=$?
expect "a thrown error reaches the caller with its type and message" "$out" "RangeError: division by zero"
expect "and the client exits non-zero" "$code" "^1$"
expect "an unknown method is refused" "$("$client" "$addr" call nope '[]' 2>&1)" \
  'TypeError: The RPC receiver does not implement the method "nope"'
expect "fetch goes to the entrypoint's fetch()" "$("$client" "$addr" fetch http://calc/x 2>&1)" \
  "calculator at /x"
expect "bad JSON params are refused" "$("$client" "$addr" call add 'not json' 2>&1)" "TypeError"

kill -TERM "$pid"; wait "$pid"
expect "daemon exits 0" "$?" "^0$"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
