#!/usr/bin/env bash
# Durable Object storage survives a restart and a kill -9 in the middle of a write burst: every
# write whose response reached the client is there afterwards, and the file passes
# PRAGMA integrity_check.
set -uo pipefail
kiln="$(realpath "$1")"
here="$(dirname "$(realpath "$2")")"
work="$(mktemp -d)"
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/data"
cp "$here/counter.js" "$work/"
cat > "$work/config.capnp" <<CONFIG
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "counter.js", esModule = embed "counter.js")],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [(className = "Counter", uniqueKey = "e2e-counter", enableSql = true,
                                  evictAfterIdleMs = 200)],
      durableObjectStorage = (localDisk = "data"),
      bindings = [(name = "COUNTER", durableObjectNamespace = "Counter")],
    )),
    (name = "data", disk = (path = "$work/data", writable = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:0", http = (), service = "main"),
    (name = "admin", address = "127.0.0.1:0", admin = ()),
  ],
);
CONFIG

passed=0
failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "[ PASS ] $1"; else failed=$((failed + 1)); echo "[ FAIL ] $1"; fi; }
start() {
  "$kiln" serve "$work/config.capnp" 2>>"$work/log" &
  pid=$!
  url=""
  for _ in $(seq 1 100); do
    # The log is emptied before each start; the http socket is listed first.
    url="$(grep -o 'listening on http://[0-9.:]*' "$work/log" | head -1 | sed 's/listening on //' || true)"
    [ -n "$url" ] && curl -s "$url/count" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

start; check "daemon starts with a disk-backed namespace" $?
for i in $(seq 1 20); do curl -s "$url/hit?n=$i" >/dev/null; done
[ "$(curl -s "$url/count")" = 20 ]; check "20 writes stored" $?
metrics_url="$(grep -o 'listening on http://[0-9.:]*/metrics' "$work/log" | tail -1 | sed 's/listening on //')"
curl -s "$metrics_url" | grep -qE '^kiln_sqlite_bytes\{namespace="e2e-counter"\} [1-9][0-9]*$'
check "/metrics reports the namespace's SQLite bytes" $?
sleep 0.8
curl -s "$metrics_url" | grep -qE '^kiln_object_evictions_total [1-9]'
check "an idle object is evicted from memory" $?
[ "$(curl -s "$url/count")" = 20 ]; check "and comes back from its file" $?
[ "$(curl -s "$url/arm")" = armed ]; check "an alarm is set a second ahead" $?
[ "$(curl -s "$url/facet-arm")" = armed ]; check "a facet's alarm is set a second ahead" $?
kill -TERM "$pid"; wait "$pid"
: > "$work/log"
start; check "daemon restarts" $?
[ "$(curl -s "$url/count")" = 20 ]; check "the writes survive a restart" $?
alarmed=0
for _ in $(seq 1 40); do
  [ "$(curl -s "$url/alarmed")" = 1 ] && { alarmed=1; break; }
  sleep 0.1
done
[ "$alarmed" = 1 ]; check "the alarm set before the restart fires after it" $?
# A facet starts when its supervisor asks for it; its stored alarm is scheduled then.
alarmed=0
for _ in $(seq 1 40); do
  [ "$(curl -s "$url/facet-alarmed")" = 1 ] && { alarmed=1; break; }
  sleep 0.1
done
[ "$alarmed" = 1 ]; check "a facet's alarm set before the restart fires once it starts again" $?

# A burst of writes, killed with SIGKILL part-way; remember which responses arrived.
: > "$work/acked"
( for i in $(seq 1000 1999); do
    if [ "$(curl -s "$url/hit?n=$i")" = "stored $i" ]; then echo "$i" >> "$work/acked"; fi
  done ) &
burst=$!
sleep 0.5
kill -9 "$pid"
wait "$pid" 2>/dev/null
wait "$burst" 2>/dev/null
acked="$(wc -l < "$work/acked")"
echo "  $acked writes acknowledged before the kill"
[ "$acked" -gt 0 ]; check "some writes were acknowledged before the kill" $?

# The object's own file, not its facet's (<id>.<n>.sqlite).
db="$(ls "$work"/data/e2e-counter/*.sqlite | grep -E '/[0-9a-f]+\.sqlite$' | head -1)"
[ -f "$db" ] && [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
check "the object's file exists and PRAGMA integrity_check is ok" $?
missing=0
while read -r n; do
  [ "$(sqlite3 "$db" "SELECT count(*) FROM hits WHERE n = $n")" = 1 ] || missing=$((missing + 1))
done < "$work/acked"
[ "$missing" = 0 ]; check "every acknowledged write is in the file ($missing missing)" $?
: > "$work/log"
start; check "daemon restarts after kill -9" $?
total="$(curl -s "$url/count")"
[ "$total" -ge $((21 + acked)) ]; check "the restarted daemon sees them ($total rows)" $?
kill -TERM "$pid"; wait "$pid"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
