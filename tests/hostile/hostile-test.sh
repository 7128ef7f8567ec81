#!/usr/bin/env bash
# Hostile-code regression suite: sends each attack of cases/*.js (and the parent routes of
# parent.js) to a Worker Loader child with cpuMs 200 and heapMb 64, and checks for each one, as
# separate PASS/FAIL lines so that the failure mode shows:
#   (a) the outcome the case's header asks for (`// expect: STATUSES REGEX`, see below),
#   (b) that the daemon is still alive,
#   (c) that a bystander worker, probed every 100 ms during the case, always answered,
#   (d) that a trivial child started afterwards still answers.
# A dead or stuck daemon is reported and restarted, so that later cases still run. Ends with a
# table per case and `N passed, N failed`; exits 1 on any failure.
#
# Case header lines (first lines of cases/NAME.js):
#   // expect: 500 exceeded CPU time limit   status (or `200|500`), then a case-insensitive
#                                             extended regex the body must match (a plain
#                                             substring is one; empty: any body)
#   // within-ms: 5000                        optional: the answer must come within this time
#                                             (curl then waits that long plus 1 s, not 30 s)
#   // client: stream                         the body never ends: read it for 3 s (curl -m 3);
#                                             it must still be streaming then, or have been cut
#                                             off visibly, never end as if it were complete
#   // outbound: parent                       the child keeps the parent's globalOutbound
#   // loader: heap                            runs under HEAP_LOADER (cpuMs 10000, heapMb 64)
#
# The daemon's logs are kept in $TEST_UNDECLARED_OUTPUTS_DIR under Bazel (or in HOSTILE_KEEP,
# a folder, when set).
# Usage: hostile-test.sh KILN hostile.capnp   (Bazel: //tests/hostile:hostile-test)
set -uo pipefail
kiln="$(realpath "$1")"
config="$(realpath "$2")"
here="$(dirname "$config")"
work="$(mktemp -d)"
pid=""
prober_pid=""
cleanup() {
  [ -n "$prober_pid" ] && kill "$prober_pid" 2>/dev/null
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  kill $(jobs -p) 2>/dev/null
  local keep="${HOSTILE_KEEP:-${TEST_UNDECLARED_OUTPUTS_DIR:-}}"
  [ -n "$keep" ] && mkdir -p "$keep" && cp "$work"/serve.*.log "$keep"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# check, expect_eq, finish_checks
source "$(dirname "$0")/../lib/check.sh"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A zombie still answers `kill -0`, so look at the process state.
alive() {
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true; }

starts=0
start_daemon() {  # sets pid, url (attacker) and by_url (bystander)
  starts=$((starts + 1))
  log="$work/serve.$starts.log"
  "$kiln" serve "$config" ${serve_args:-} 2>"$log" &
  pid=$!
  url=""; by_url=""
  for _ in $(seq 1 200); do
    url="$(grep -o 'listening on http://[0-9.:]* (socket "attacker"' "$log" | grep -o 'http://[0-9.:]*')"
    by_url="$(grep -o 'listening on http://[0-9.:]* (socket "bystander"' "$log" | grep -o 'http://[0-9.:]*')"
    [ -n "$url" ] && [ -n "$by_url" ] && return 0
    alive || break
    sleep 0.05
  done
  echo "  kiln did not start:"; sed 's/^/    /' "$log"
  return 1
}

# How the last daemon ended, for the table: "SIGSEGV", "exit 1", ...
death() {
  wait "$pid" 2>/dev/null
  local code=$?
  if [ "$code" -gt 128 ]; then echo "SIG$(kill -l $((code - 128)))"; else echo "exit $code"; fi
}

restart_daemon() {  # restart_daemon REASON
  echo "  restarting the daemon ($1); last lines of its log:"
  tail -n 5 "$log" | cut -c1-200 | sed 's/^/    /'
  alive && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  start_daemon || { echo "cannot restart kiln"; exit 1; }
}

# The bystander prober: one request every 100 ms until told to stop, always at least one, each
# line "BODY STATUS SECONDS"; anything but "ok" within 2 s counts as a failure.
start_prober() {
  rm -f "$work/probe.stop"
  : >"$work/probe.log"
  (
    for _ in $(seq 1 600); do
      echo "$(curl -s -m 2 -w ' %{http_code} %{time_total}' "$by_url/" 2>/dev/null)" >>"$work/probe.log"
      [ -e "$work/probe.stop" ] && break
      sleep 0.1
    done
  ) &
  prober_pid=$!
}
stop_prober() {  # sets probe_ok, probe_total, probe_max_ms
  touch "$work/probe.stop"
  wait "$prober_pid" 2>/dev/null
  prober_pid=""
  probe_total="$(wc -l <"$work/probe.log")"
  probe_ok="$(grep -c '^ok 200 ' "$work/probe.log")"
  probe_max_ms="$(awk '{ ms = $NF * 1000; if (ms > max) max = ms } END { printf "%d", max }' "$work/probe.log")"
}

HELLO='export default { fetch() { return new Response("hello"); } };'
load_source() {  # load_source SOURCE -> body of the child's answer (5 s at most)
  curl -s -m 5 -X POST --data-binary "$1" "$url/load"
}

# One client: the response's status goes to $work/status.N, its first 64 KiB to body.N, the
# number of bytes to bytes.N and curl's exit code to rc.N.
client() {  # client N MAX-SECONDS PATH CURL-ARGS...
  local n="$1" max="$2" path="$3"; shift 3
  : >"$work/headers.$n"
  curl -s -m "$max" -H 'Expect:' -D "$work/headers.$n" "$@" "$url$path" \
    | { head -c 65536 >"$work/body.$n"; wc -c >"$work/rest.$n"; }
  echo "${PIPESTATUS[0]}" >"$work/rc.$n"
  grep -a '^HTTP/' "$work/headers.$n" | tail -1 | awk '{print $2}' >"$work/status.$n"
  echo $(( $(wc -c <"$work/body.$n") + $(cat "$work/rest.$n") )) >"$work/bytes.$n"
}

printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "case" "outcome" "ms" "bystander" "max ms" "RSS KiB before" "after" >"$work/table"

# run_case NAME STATUSES REGEX WITHIN-MS MODE CLIENTS PATH CURL-ARGS...
#   MODE "normal": a complete answer within curl -m 30 (WITHIN-MS / 1000 + 1 when given);
#   "stream": curl -m 3, which must run out (see the header). CLIENTS send the same request at once.
run_case() {
  local name="$1" statuses="$2" regex="$3" within="$4" mode="$5" clients="$6" path="$7"
  shift 7
  alive || restart_daemon "dead before $name"
  local rss_before max=30 outcome why="" i
  [ "$mode" = stream ] && max=3
  [ -n "$within" ] && max=$(( within / 1000 + 1 ))
  rss_before="$(rss_kb)"
  start_prober
  local t0; t0="$(now_ms)"
  local pids=()
  for i in $(seq 1 "$clients"); do
    client "$i" "$max" "$path" "$@" &
    pids+=($!)
  done
  wait "${pids[@]}"
  local ms=$(( $(now_ms) - t0 ))
  stop_prober

  # (a) every client got the expected answer.
  local ok=0 status body rc
  for i in $(seq 1 "$clients"); do
    status="$(cat "$work/status.$i")"; rc="$(cat "$work/rc.$i")"
    body="$(head -c 300 "$work/body.$i" | tr '\n\r' '  ')"
    if [ "$mode" = stream ]; then
      # Still streaming when curl gives up (28) is the point. A stream the runtime had to stop
      # (a limit) should reach the client as a broken transfer (18, 56). Known limit: a body
      # cut off inside a dynamic worker reaches its parent through KJ 0.9's in-process HTTP
      # adapter as a plain end of stream, so the parent, passing it on, ends it cleanly (0).
      # The daemon-level checks below are what this case is about.
      case "$rc" in
        28|18|56|0) ;;
        *) why="curl exit $rc (expected 28: still streaming after ${max} s, or 18/56: cut off)" ;;
      esac
    elif [ "$rc" = 28 ]; then
      why="no complete answer in ${max} s"
    elif [ "$rc" != 0 ] && ! { [ "$mode" = early ] && [ "$rc" = 55 ]; }; then
      why="curl exit $rc"
    fi
    [ -z "$why" ] && case "|$statuses|" in *"|$status|"*) ;; *) why="status ${status:-none}, expected $statuses" ;; esac
    [ -z "$why" ] && [ -n "$regex" ] && ! grep -Eiqa -- "$regex" "$work/body.$i" && why="body does not match /$regex/"
    [ -z "$why" ] && [ -n "$within" ] && [ "$ms" -gt "$within" ] && why="took $ms ms, more than $within ms"
    [ -n "$why" ] && break
    ok=$((ok + 1))
  done
  status="$(cat "$work/status.1")"; rc="$(cat "$work/rc.1")"
  body="$(head -c 300 "$work/body.1" | tr '\n\r\t' '   ')"
  if [ "$mode" = stream ]; then
    outcome="${status:-none}, $(cat "$work/bytes.1") bytes in $ms ms (curl exit $rc)"
  elif [ "$rc" = 28 ]; then
    outcome="no answer in ${max} s"
  elif [ "$rc" != 0 ]; then
    outcome="curl exit $rc${status:+, status $status}"
  else
    outcome="$status ${body:0:70}"
  fi
  if [ -z "$why" ]; then
    check "$name: outcome ($statuses /$regex/)" 0
  else
    echo "  client $((ok + 1)) of $clients: $why"
    echo "  got: status ${status:-none}, curl exit $rc, body: ${body:0:200}"
    check "$name: outcome ($statuses /$regex/)" 1
  fi

  # (b) the daemon survived.
  local rss_after dead=""
  if alive; then
    rss_after="$(rss_kb)"
    check "$name: daemon alive" 0
  else
    dead="$(death)"
    rss_after="-"
    outcome="daemon died ($dead); $outcome"
    check "$name: daemon alive (died: $dead)" 1
  fi

  # (c) the bystander answered throughout.
  [ "$probe_total" -gt 0 ] && [ "$probe_ok" = "$probe_total" ]
  check "$name: bystander answered ($probe_ok/$probe_total ok, max ${probe_max_ms} ms)" $?

  # (d) the next child works; a daemon that does not start one is stuck and gets restarted.
  if [ -n "$dead" ]; then
    check "$name: next child answers (daemon dead)" 1
    restart_daemon "it died during $name"
  else
    local next; next="$(load_source "$HELLO")"
    if [ "$next" = hello ]; then
      check "$name: next child answers" 0
    else
      echo "  got: ${next:0:200}"
      check "$name: next child answers" 1
      outcome="stuck; $outcome"
      restart_daemon "it did not start a child after $name"
    fi
  fi
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$name" "$outcome" "$ms" "$probe_ok/$probe_total" \
    "$probe_max_ms" "${rss_before:--}" "${rss_after:--}" >>"$work/table"
}

header() {  # header FILE KEY -> the value of the first `// KEY: value` line
  sed -n "s|^// $2: *||p" "$1" | head -1
}

run_file_case() {  # run_file_case FILE [CLIENTS [NAME]]
  local file="$1" clients="${2:-1}" name="${3:-$(basename "$1" .js)}"
  local expect; expect="$(header "$file" expect)"
  local mode; mode="$(header "$file" client)"
  local path=/load
  [ "$(header "$file" outbound)" = parent ] && path="/load?outbound=parent"
  # `// loader: heap`: a loader with CPU to spare, so that a heap bomb meets the memory limit.
  [ -n "$(header "$file" loader)" ] && path="/load?loader=$(header "$file" loader)"
  run_case "$name" "${expect%% *}" "$(echo "${expect#"${expect%% *}"}" | sed 's/^ *//')" \
    "$(header "$file" within-ms)" "${mode:-normal}" "$clients" "$path" -X POST --data-binary "@$file"
}

start_daemon
check "daemon starts and prints both sockets" $?
[ -n "$url" ] || exit 1
echo "  attacker $url, bystander $by_url"
expect_hello="$(load_source "$HELLO")"
[ "$expect_hello" = hello ]
check "a trivial child answers before any attack" $?

for file in "$here"/cases/*.js; do
  run_file_case "$file"
  case "$(basename "$file" .js)" in
    prototype-pollution)
      # The polluted isolate must be the only one to see it.
      [ "$(curl -s -m 5 "$url/pollution")" = clean ]
      check "prototype-pollution: the parent's prototypes are clean" $?
      [ "$(curl -s -m 5 "$by_url/pollution")" = clean ]
      check "prototype-pollution: the bystander's prototypes are clean" $?
      fresh_ok=0
      for _ in 1 2 3 4 5; do
        fresh="$(load_source '
          export default {
            fetch() {
              const dirty = [];
              if ({}.polluted !== undefined || [].polluted !== undefined) dirty.push("Object/Array.prototype");
              if (" a ".trim() !== "a") dirty.push("String.prototype.trim");
              if (JSON.parse("1") !== 1) dirty.push("JSON.parse");
              if (Response.prototype.polluted !== undefined) dirty.push("Response.prototype");
              return new Response(dirty.length ? "dirty: " + dirty.join(", ") : "clean");
            },
          };')"
        if [ "$fresh" = clean ]; then fresh_ok=$((fresh_ok + 1)); else echo "  fresh child: ${fresh:0:200}"; fi
      done
      [ "$fresh_ok" = 5 ]
      check "prototype-pollution: 5 fresh children see clean prototypes ($fresh_ok/5)" $?
      ;;
    stream-forever)
      # Reported to SIGSEGV the daemon: many clients walking away from endless streams. It can
      # take a second burst, so there are three.
      for round in 1 2 3; do run_file_case "$file" 10 "stream-forever x10 #$round"; done
      ;;
  esac
done

# Cases that need the parent's help (parent.js).
run_case many-loads 200 "200/200 answered" "" normal 1 "/many-loads?n=200"
run_case exports-self 500 "Subrequest depth limit exceeded|exceeded CPU time limit" 10000 normal 1 /exports-self

truncate -s 100M "$work/big.bin"
truncate -s 1M "$work/1m.bin"
# The child answers before the upload ends; the server then closes the connection instead of
# reading 100 MB nobody wants, which curl reports as a failed send (55) after the full answer.
run_case big-body-ignored 200 "^ignored$" "" early 1 "/big-body?read=none" -X POST -T "$work/big.bin"
run_case big-body-streamed 200 "^read 104857600$" "" normal 1 "/big-body?read=stream" -X POST -T "$work/big.bin"
run_case big-body-buffered 500 "exceeded memory limit|RangeError|exceeded CPU time limit" "" normal 1 "/big-body?read=buffer" -X POST -T "$work/big.bin"
# The Dynamic Workers starter's pattern: the request, body and all, forwarded to a child that
# never reads it.
run_case unread-body 200 "^ignored$" "" normal 1 /unread-body -X POST --data-binary "@$work/1m.bin"
run_case unread-body-small 200 "^ignored$" "" normal 1 /unread-body -X POST --data-binary "tiny"
run_case unread-body-204 204 "" "" normal 1 "/unread-body?status=204" -X POST --data-binary "@$work/1m.bin"
run_case unread-body-204-small 204 "" "" normal 1 "/unread-body?status=204" -X POST --data-binary "tiny"

# SQL in the Durable Object: what reaches outside the object's own database must be refused
# (Workers' authorizer answers "not authorized"), and a file named in a query must not appear.
sql() {  # sql NAME STATUSES REGEX WITHIN-MS QUERY [CURL-ARGS...]
  local name="$1" statuses="$2" regex="$3" within="$4" query="$5"; shift 5
  run_case "$name" "$statuses" "$regex" "$within" normal 1 /sql -G --data-urlencode "q=$query" "$@"
}
sql sql-attach 500 "not authorized" "" "ATTACH DATABASE '$work/attached.db' AS evil"
[ ! -e "$work/attached.db" ]
check "sql-attach: no file was created" $?
sql sql-vacuum-into 500 "not authorized" "" "VACUUM INTO '$work/vacuumed.db'"
[ ! -e "$work/vacuumed.db" ]
check "sql-vacuum-into: no file was created" $?
sql sql-writable-schema 500 "not authorized" "" "PRAGMA writable_schema = ON"
sql sql-load-extension 500 "not authorized|no such function" "" "SELECT load_extension('libm.so.6')"
# Workers: "access to _cf_KV.key is prohibited: SQLITE_AUTH".
sql sql-internal-table 500 "is prohibited|not authorized" "" "SELECT * FROM _cf_KV"
sql sql-huge-blob 500 "too big" "" "SELECT zeroblob(1000000000) AS b"
# A query that never ends, in a facet of a dynamic worker so that LOADER's 200 ms CPU limit
# applies (a configured object has no CPU limit in kiln, and Workers' 30 s would be too slow
# here): SQLite's loop must be interrupted like JavaScript's.
sql sql-runaway-facet 500 "exceeded CPU time limit" 5000 \
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" \
  -d facet=1

# Fair CPU (timeslice.h): on a one-thread daemon, children that loop under the default 30 s CPU
# limit are suspended after each slice, so the bystander keeps answering (before: 0 of 1 probes
# in 5 s). Then their clients hang up while they are suspended: the loops must unwind without
# taking the daemon or the bystander down. Latency numbers are tools/bench's business
# (tests/hostile/fairness.sh); this checks that the bystander is served at all.
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
serve_args="--threads 1"
start_daemon || exit 1
# Five kinds of endless JavaScript: a handler, a timer callback, a response body's pull(), a
# getter that a native (the serializer) calls, and an RPC method while a second call to the same
# child looks up its entrypoint (which used to finish the suspended loop first).
SPINNERS=(
  'export default { fetch() { for (;;) {} } };'
  'export default { fetch() { return new Promise(() => setTimeout(() => { for (;;) {} }, 1)); } };'
  'export default { fetch() { return new Response(new ReadableStream({ pull() { for (;;) {} } })); } };'
  'export default { fetch() { structuredClone({ get x() { for (;;) {} } }); } };'
)
spinners=()
for code in "${SPINNERS[@]}"; do
  curl -s -m 20 -o /dev/null -X POST --data-binary "$code" "$url/load?loader=default" &
  spinners+=($!)
done
curl -s -m 20 -o /dev/null "$url/named-spin" &
spinners+=($!)
sleep 0.3
start_prober
sleep 2
stop_prober
[ "$probe_total" -ge 10 ] && [ "$probe_ok" = "$probe_total" ]
check "fairness: 5 looping tenants on one thread, the bystander answered ($probe_ok/$probe_total, max $probe_max_ms ms)" $?
kill "${spinners[@]}" 2>/dev/null
wait "${spinners[@]}" 2>/dev/null
sleep 0.5
alive
check "fairness: clients hanging up on suspended loops leave the daemon alive" $?
[ "$(load_source "$HELLO")" = hello ]
check "fairness: a new child answers after the canceled loops" $?
start_prober
sleep 1
stop_prober
[ "$probe_ok" = "$probe_total" ] && [ "$probe_total" -ge 5 ]
check "fairness: the bystander still answers ($probe_ok/$probe_total)" $?
# Module evaluation is sliced too, and Workers' 1 s startup limit still stops a top-level loop
# whatever the loader's cpuMs. Three such loads at once held the thread for 3 s before slicing
# (the bystander's probes timed out); now each probe waits a slice or two.
loops=()
for i in 1 2 3; do
  ( t0="$(now_ms)"
    body="$(curl -s -m 10 -X POST --data-binary 'for (;;) {} export default {};' "$url/load?loader=default")"
    echo "$(( $(now_ms) - t0 )) $body" >"$work/toplevel.$i" ) &
  loops+=($!)
done
sleep 0.2
start_prober
wait "${loops[@]}"
stop_prober
[ "$probe_total" -ge 5 ] && [ "$probe_ok" = "$probe_total" ] && [ "$probe_max_ms" -lt 500 ]
check "fairness: 3 top-level loops at once, the bystander answered ($probe_ok/$probe_total, max $probe_max_ms ms)" $?
for i in 1 2 3; do
  read -r ms body <"$work/toplevel.$i"
  echo "$body" | grep -q "exceeded CPU time limit" && [ "$ms" -lt 8000 ]
  check "fairness: top-level loop $i under a 30 s cpuMs stops at the 1 s startup limit (${ms} ms: $body)" $?
done

echo
column -t -s $'\t' "$work/table" 2>/dev/null || cat "$work/table"
echo
echo "daemon starts: $starts"
finish_checks
