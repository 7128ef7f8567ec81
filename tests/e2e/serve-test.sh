#!/usr/bin/env bash
# End-to-end: starts `kiln serve` on an ephemeral loopback port and talks real HTTP to it, then
# checks that bad configs fail with file:line:col and exit code 2.
set -uo pipefail
kiln="$(realpath "$1")"
here="$(dirname "$(realpath "$2")")"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

# check, expect_eq, finish_checks
source "$(dirname "$0")/../lib/check.sh"

start_kiln() {  # start_kiln LOG ARGS... ; sets pid and url
  local log="$1"; shift
  "$kiln" serve "$@" 2>"$log" &
  pid=$!
  url=""
  for _ in $(seq 1 100); do
    url="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //')"
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

start_kiln "$work/serve.log" "$here/e2e.capnp" --threads 2
check "daemon starts and prints where it listens" $?
echo "  $url"

expect_eq "GET returns the worker's response" "$(curl -s "$url/hello")" "hello"
expect_eq "POST body reaches the worker" "$(curl -s -X POST --data-binary 'ping-body' "$url/echo")" "ping-body"
expect_eq "unknown path gives the worker's 404" "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")" "404"

expect_eq "a throwing handler gives 500" "$(curl -s -o /dev/null -w '%{http_code}' "$url/throw")" "500"
grep -q "Uncaught Error: boom at request time" "$work/serve.log"
check "the uncaught error is logged" $?
grep -A1 "boom at request time" "$work/serve.log" | grep -q "at .*worker.js"
check "the log carries the JS stack" $?
expect_eq "a non-Response result gives 500" "$(curl -s -o /dev/null -w '%{http_code}' "$url/not-a-response")" "500"
expect_eq "the daemon goes on after errors" "$(curl -s "$url/hello")" "hello"
expect_eq "a console flood still answers" "$(curl -s "$url/flood")" "flooded"
flood_lines="$(grep -c "flood line" "$work/serve.log")"
if [ "$flood_lines" -le 10000 ] && grep -q "console output limit reached" "$work/serve.log"; then
  check "console output is capped per request ($flood_lines of 20000 lines logged)" 0
else
  check "console output is capped per request ($flood_lines of 20000 lines logged)" 1
fi

metrics_url="$(grep -o 'listening on http://[0-9.:]*/metrics' "$work/serve.log" | head -1 | sed 's/listening on //')"
metrics="$(curl -s "$metrics_url")"
ok_count="$(printf '%s\n' "$metrics" | grep '^kiln_requests_total{worker="main",outcome="ok"}' | awk '{print $2}')"
if [ -n "$ok_count" ] && [ "$ok_count" -ge 3 ]; then
  check "admin /metrics counts requests by worker and outcome ($ok_count ok)" 0
else
  echo "$metrics" | head -30; check "admin /metrics counts requests by worker and outcome" 1
fi
printf '%s\n' "$metrics" | grep -q '^kiln_requests_total{worker="main",outcome="exception"} [1-9]'
check "admin /metrics counts failed requests" $?
printf '%s\n' "$metrics" | grep -qE '^kiln_live_isolates [1-9]'
check "admin /metrics reports live isolates" $?
printf '%s\n' "$metrics" | grep -qE '^kiln_cpu_seconds_total\{worker="main"\} [0-9.]+'
check "admin /metrics reports CPU time per worker" $?
expect_eq "admin /healthz" "$(curl -s "${metrics_url%/metrics}/healthz")" "ok"
grep -qE 'info \[main\] #[0-9]+ GET http://127.0.0.1:[0-9]+/hello 200 ok [0-9.]+ ms' "$work/serve.log"
check "one log line per request with status, outcome and duration" $?

port="${url##*:}"
reply="$( (exec 3<>/dev/tcp/127.0.0.1/"$port"; printf 'GET / HTTP/1.1\r\nthis line is not a header\r\n\r\n' >&3; timeout 5 cat <&3) 2>/dev/null | head -1 | tr -d '\r')"
case "$reply" in "HTTP/1.1 400"*) check "malformed HTTP gets 400" 0 ;; *) echo "  got: $reply"; check "malformed HTTP gets 400" 1 ;; esac
expect_eq "the daemon goes on after malformed HTTP" "$(curl -s "$url/hello")" "hello"

# Many requests over both threads.
ok=0
for i in $(seq 1 50); do [ "$(curl -s "$url/hello")" = "hello" ] && ok=$((ok + 1)); done
expect_eq "50 sequential requests succeed" "$ok" "50"

# Graceful shutdown: an in-flight request completes, then the process exits 0.
curl -s "$url/slow" >"$work/slow.out" &
curl_pid=$!
sleep 0.15
kill -TERM "$pid"
wait "$curl_pid"
expect_eq "SIGTERM lets the in-flight request finish" "$(cat "$work/slow.out")" "slow done"
wait "$pid"
expect_eq "kiln exits 0 after SIGTERM" "$?" "0"

# A client that hangs up cancels its request: the socket is closed at once, not left in
# CLOSE-WAIT while the worker waits out its minute.
start_kiln "$work/hangup.log" "$here/e2e.capnp" --threads 1
hangup_port="${url##*:}"
for _ in 1 2 3; do curl -s -m 0.5 "$url/wait" >/dev/null; done
sleep 0.5
close_wait="$(ss -Htan state close-wait "( sport = :$hangup_port )" | wc -l)"
expect_eq "clients that hang up leave no socket in CLOSE-WAIT" "$close_wait" "0"
expect_eq "the daemon serves on after they left" "$(curl -s "$url/hello")" "hello"

# SIGTERM's drain has a deadline: work that never ends is abandoned after 30 s and the process
# exits 0 all the same.
curl -s -m 60 "$url/forever" >/dev/null &
sleep 0.3
drain_start=$(date +%s)
kill -TERM "$pid"
wait "$pid"
drain_status=$?
drain_seconds=$(( $(date +%s) - drain_start ))
expect_eq "SIGTERM with never-ending work still exits 0" "$drain_status" "0"
if [ "$drain_seconds" -ge 29 ] && [ "$drain_seconds" -le 40 ]; then
  check "the drain gave up at its 30 s deadline (${drain_seconds} s)" 0
else
  check "the drain gave up at its 30 s deadline (${drain_seconds} s)" 1
fi
grep -q "drain deadline of 30 s passed" "$work/hangup.log"
check "the abandoned drain is logged" $?

# --log-format=json: one JSON object per line, with the event's fields.
start_kiln "$work/json.log" "$here/e2e.capnp" --threads 1 --log-format=json
curl -s "$url/hello" >/dev/null
kill -TERM "$pid"; wait "$pid"
grep -qE '^\{"time":"[^"]+","level":"info","source":"main","event":"fetch","requestId":[0-9]+,"method":"GET","url":"[^"]+/hello","status":200,"durationMs":[0-9.]+,"cpuMs":[0-9.]+,"outcome":"ok"\}$' "$work/json.log"
check "--log-format=json writes machine-readable event lines" $?

# --socket-addr overrides the config's address.
start_kiln "$work/override.log" "$here/e2e.capnp" --threads 1 --socket-addr http=127.0.0.1:0
check "--socket-addr override starts" $?
busy_port="${url##*:}"
expect_eq "served on the overridden address" "$(curl -s "$url/hello")" "hello"

# Port in use: a second daemon on the first one's port fails with exit 2.
"$kiln" serve "$here/e2e.capnp" --socket-addr "http=127.0.0.1:$busy_port" 2>"$work/busy.log"
expect_eq "port in use exits 2" "$?" "2"
grep -qE "e2e.capnp:[0-9]+:[0-9]+: .*Address already in use" "$work/busy.log"
check "port in use names file:line:col" $?
kill -INT "$pid"; wait "$pid"
expect_eq "kiln exits 0 after SIGINT" "$?" "0"

bad_config() {  # bad_config NAME FILE PATTERN
  "$kiln" serve "$here/bad/$2" >"$work/out.log" 2>&1
  local code=$?
  if [ "$code" = 2 ] && grep -qE "$3" "$work/out.log"; then
    check "$1" 0
  else
    echo "  exit $code:"; sed 's/^/    /' "$work/out.log"; check "$1" 1
  fi
}
bad_config "syntax error" syntax.capnp 'syntax.capnp:3:[0-9]+: '
bad_config "unknown service" unknown-service.capnp 'unknown-service.capnp:7:[0-9]+: .*unknown service "nowhere"'
bad_config "unknown field" unknown-field.capnp 'unknown-field.capnp:7:[0-9]+: .*wasmModules'
bad_config "missing embedded file" missing-embed.capnp 'missing-embed.capnp:5:[0-9]+: .*does-not-exist.js'
bad_config "bad address" bad-address.capnp 'bad-address.capnp:9:[0-9]+: .*127.0.0.1:99999'
bad_config "worker throws at startup" throws-at-startup.capnp 'throws-at-startup.capnp:4:[0-9]+: worker "explodes" failed to start: TypeError: cannot start: missing thing'
bad_config "JS syntax error is reported" js-syntax.capnp 'worker "broken" failed to start: SyntaxError: Unexpected token'
bad_config "JS syntax error names module, line and column" js-syntax.capnp '^    at lib.js:1:11$'
bad_config "globalOutbound cycle" outbound-cycle.capnp 'globalOutbound cycle: a -> b -> a'
bad_config "unknown entrypoint" unknown-entrypoint.capnp 'Worker has no such entrypoint: Missing'
bad_config "duplicate module names" duplicate-names.capnp 'duplicate-names.capnp:5:[0-9]+: worker "a" has two modules named "w.js"'
bad_config "duplicate binding names" duplicate-names.capnp 'worker "a" has two bindings named "B"'
bad_config "duplicate socket names" duplicate-names.capnp 'duplicate socket name "s"'
bad_config "capnp socket granting a non-loader binding" loader-grant.capnp 'loader-grant.capnp:[0-9]+:[0-9]+: socket "rpc": capnp.workerLoader "KEY" is not a workerLoader binding of service "a"'
bad_config "two namespaces with one uniqueKey" duplicate-unique-key.capnp 'duplicate-unique-key.capnp:8:[0-9]+: two Durable Object namespaces use the uniqueKey "same-key"'
"$kiln" serve "$work/no-such-file.capnp" >"$work/out.log" 2>&1
expect_eq "missing config file exits 2" "$?" "2"
"$kiln" frobnicate >"$work/out.log" 2>&1
expect_eq "unknown command exits 2" "$?" "2"

finish_checks
