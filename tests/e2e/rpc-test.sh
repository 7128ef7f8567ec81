#!/usr/bin/env bash
# External Cap'n Proto RPC: kiln serves a capnp socket and tools/rpc-client calls it.
set -uo pipefail
kiln="$(realpath "$1")"
client="$(realpath "$2")"
config="$(realpath "$3")"
child="$(realpath "$4")"
broken="$(realpath "$5")"
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

# One event loop: warm named workers live per event-loop thread.
"$kiln" serve "$config" --threads 1 --socket-addr "local=unix:$work/rpc.sock" 2>"$work/log" &
pid=$!
addr=""
for _ in $(seq 1 100); do
  addrs="$(grep -o 'listening on capnp://[0-9.:]*' "$work/log" | sed 's|listening on capnp://||' || true)"
  [ "$(printf '%s\n' "$addrs" | grep -c .)" = 2 ] && grep -q 'capnp+unix:' "$work/log" && break
  sleep 0.05
done
# Sockets are listed in config order.
addr="$(printf '%s\n' "$addrs" | sed -n 1p)"
loader="$(printf '%s\n' "$addrs" | sed -n 2p)"
expect "daemon serves the capnp socket" "$addr" "^127.0.0.1:[0-9]+$"
expect "and the one granting a loader" "$loader" "^127.0.0.1:[0-9]+$"

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

# Worker Loader over Cap'n Proto (capnp = (workerLoader = "LOADER")).
expect "a socket without a grant has no loader" \
  "$("$client" "$addr" load "$child" add '[1, 2]' 2>&1)" "this socket grants no Worker Loader"
expect "load() then call, env from JSON" \
  "$("$client" "$loader" load --env '{"BASE": 100}' "$child" add '[2, 3]' 2>&1)" '^105$'
expect "props reach ctx.props of the dynamic worker" \
  "$("$client" "$loader" load --props '{"user": "ann"}' "$child" whoami '[]' 2>&1)" \
  '^\{"user":"ann"\}$'
expect "a named entrypoint" \
  "$("$client" "$loader" load --entrypoint Greeter "$child" greet '["kiln"]' 2>&1)" '^"hello kiln"$'
expect "no network unless allowed" "$("$client" "$loader" load "$child" tryFetch '[]' 2>&1)" \
  "not permitted to access the internet"
first="$("$client" "$loader" load --id counter "$child" count '[]' 2>&1)"
second="$("$client" "$loader" load --id counter "$child" count '[]' 2>&1)"
expect "get(id) keeps a named worker warm across connections" "$first $second" '^1 2$'
expect "load() starts a fresh worker each time" \
  "$("$client" "$loader" load "$child" count '[]' 2>&1)" '^1$'
out="$("$client" "$loader" load "$broken" add '[]' 2>&1)"; code=$?
expect "code that does not parse fails the call with Workers' message" "$out" \
  "Error: Failed to start Worker: SyntaxError"
expect "and the client exits non-zero" "$code" "^1$"
expect "a mainModule that is not among the modules is a TypeError" \
  "$("$client" "$loader" load --main missing.js "$child" add '[]' 2>&1)" \
  'TypeError: WorkerCode.mainModule "missing.js" is not one of WorkerCode.modules'
expect "an unknown entrypoint is refused" \
  "$("$client" "$loader" load --entrypoint Nope "$child" add '[]' 2>&1)" \
  "Worker has no such entrypoint: Nope"
expect "the loader's CPU limit applies" "$("$client" "$loader" load "$child" spin '[]' 2>&1)" \
  "exceeded CPU time limit"
expect "bad env JSON fails the start" \
  "$("$client" "$loader" load --env '[1]' "$child" add '[]' 2>&1)" "env must be a JSON object"
expect "a capnp socket on a unix socket" "$("$client" "unix:$work/rpc.sock" call add '[2, 3]' 2>&1)" \
  '^500$'
expect "the daemon serves on after all that" "$("$client" "$addr" call add '[1, 1]' 2>&1)" '^20$'

kill -TERM "$pid"; wait "$pid"
expect "daemon exits 0" "$?" "^0$"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
