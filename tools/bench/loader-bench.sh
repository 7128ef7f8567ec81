#!/usr/bin/env bash
# Worker Loader benchmark: cold load()+fetch latency, load-per-request and warm get() throughput
# against a static worker, RSS per idle named worker, and RSS over many load() cycles.
# Loopback only, bounded durations. Usage: tools/bench/loader-bench.sh
# Env: KILN_BIN (skip the build), DURATION (s per wrk run, default 10), CYCLES (load() cycles
# for the RSS curve, default 10000), IDLE (named workers for RSS per idle worker, default 500).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
DURATION="${DURATION:-10}"
CYCLES="${CYCLES:-10000}"
IDLE="${IDLE:-500}"
if [ -z "${KILN_BIN:-}" ]; then
  bazel build --config=bench --disk_cache="$HOME/.cache/kiln/bazel-disk" //:kiln >/dev/null 2>&1
  KILN_BIN="$repo/bazel-bin/src/server/kiln"
fi
log="$(mktemp)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -f "$log"
}
trap cleanup EXIT

start() {  # start THREADS
  "$KILN_BIN" serve tools/bench/loader/config.capnp --threads "$1" 2>"$log" &
  pid=$!
  for _ in $(seq 1 200); do
    url="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //' || true)"
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "kiln did not start:"; cat "$log"; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }

# wrk PATH CONNECTIONS -> "req/s p50 p99"
measure() {
  local out
  out="$(wrk --latency -t "$3" -c "$2" -d "${DURATION}s" "$url$1")"
  if echo "$out" | grep -qE "Non-2xx|Socket errors: connect [1-9]|read [1-9]"; then
    echo "$out" >&2; echo "wrk reported errors" >&2; exit 1
  fi
  local rps p50 p99 timeouts
  timeouts="$(echo "$out" | grep -o 'timeout [0-9]*' | awk '{print $2}')"
  [ -n "$timeouts" ] && [ "$timeouts" != 0 ] && echo "  ($1: $timeouts requests over wrk's 2 s timeout)" >&2
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  echo "$rps $p50 $p99"
}

echo "kiln loader benchmark: $(nproc) cores, ${DURATION}s per run, binary $KILN_BIN"
start 2
for path in /static /bound /load /get; do wrk -t 1 -c 4 -d 1s "$url$path" >/dev/null; done
printf "%-34s %12s %10s %10s\n" "run" "req/s" "p50" "p99"
read -r rps p50 p99 <<<"$(measure /load 1 1)"
printf "%-34s %12s %10s %10s\n" "cold load()+fetch, 1 connection" "$rps" "$p50" "$p99"
for path in /static /bound /load /get; do
  read -r rps p50 p99 <<<"$(measure "$path" 16 2)"
  printf "%-34s %12s %10s %10s\n" "$path, 16 connections" "$rps" "$p50" "$p99"
done
stop

# RSS per idle named worker: one thread, so that every warm worker lives in one cache.
start 1
curl -s "$url/warm?n=10&base=pre" >/dev/null
before="$(rss_kb)"
curl -s "$url/warm?n=$IDLE" >/dev/null
after="$(rss_kb)"
echo "RSS per idle hello-world worker: $(( (after - before) / IDLE )) KiB ($IDLE workers: ${before} -> ${after} KiB)"
stop

# RSS over many load() cycles: should level off, not climb.
start 1
echo "RSS over $CYCLES load()+fetch cycles (KiB):"
step=$(( CYCLES / 10 ))
printf "  %6s %8s\n" "cycles" "RSS"
printf "  %6d %8d\n" 0 "$(rss_kb)"
for i in $(seq 1 10); do
  for _ in $(seq 1 "$step"); do printf 'url = "%s/load"\noutput = "/dev/null"\n' "$url"; done > "$log.curl"
  curl -s -K "$log.curl"
  printf "  %6d %8d\n" $(( i * step )) "$(rss_kb)"
done
rm -f "$log.curl"
stop
