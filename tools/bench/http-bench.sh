#!/usr/bin/env bash
# HTTP throughput and latency of samples/hello/config.capnp under wrk, on loopback only.
#
#   tools/bench/http-bench.sh [--rss]
#
# Builds an optimized kiln (bazel --config=bench) unless KILN_BIN names a binary to use as is.
# Environment: KILN_BIN, DURATION (seconds per path, default 10), CONNECTIONS (default 32),
# THREADS (wrk threads, default 2), WARMUP (seconds, default 2), KILN_THREADS (kiln's
# --threads; default: kiln's own, one event loop per core).
# --rss also reports the daemon's resident memory before the warm-up and after the last run.
# Prints a table; exits non-zero if kiln does not start, wrk fails, or wrk reports errors.
set -euo pipefail

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

rss=0
for arg in "$@"; do
  case "$arg" in
    --rss) rss=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "http-bench: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

duration="${DURATION:-10}"
connections="${CONNECTIONS:-32}"
wrk_threads="${THREADS:-2}"
warmup="${WARMUP:-2}"
for pair in "DURATION=$duration" "CONNECTIONS=$connections" "THREADS=$wrk_threads" \
            "WARMUP=$warmup" ${KILN_THREADS:+"KILN_THREADS=$KILN_THREADS"}; do
  if ! [[ "${pair#*=}" =~ ^[0-9]+$ ]] || [ "${pair#*=}" -eq 0 ]; then
    echo "http-bench: ${pair%%=*} must be a positive whole number, got \"${pair#*=}\"" >&2
    exit 2
  fi
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
config="samples/hello/config.capnp"
paths=(/ /json)

command -v wrk >/dev/null || { echo "http-bench: wrk is not installed (tools/setup.sh installs it)" >&2; exit 1; }

if [ -n "${KILN_BIN:-}" ]; then
  bin="$KILN_BIN"
  built="given by KILN_BIN"
else
  echo "http-bench: building kiln (--config=bench)..." >&2
  bazel build --config=bench --disk_cache="$HOME/.cache/kiln/bazel-disk" //:kiln >&2
  bin="$repo/bazel-bin/src/server/kiln"
  built="built with --config=bench"
fi
[ -x "$bin" ] || { echo "http-bench: $bin is not an executable" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/kiln-http-bench.XXXXXX")"
kiln_pid=""

# SIGTERM, then wait for the drain; SIGKILL only if it has not exited after 10 s.
stop_kiln() {
  [ -n "$kiln_pid" ] || return 0
  local pid="$kiln_pid" status=0
  kiln_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "http-bench: kiln did not stop within 10 s of SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || status=$?
  return "$status"
}
cleanup() {
  stop_kiln || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo "?"; }

kiln_args=(serve "$config" --socket-addr http=127.0.0.1:0)
[ -n "${KILN_THREADS:-}" ] && kiln_args+=(--threads "$KILN_THREADS")
"$bin" "${kiln_args[@]}" 2>"$work/kiln.log" &
kiln_pid=$!

# kiln prints `listening on http://127.0.0.1:PORT (socket "http", N threads)` once every
# event loop has started its workers.
port=""
for _ in $(seq 300); do
  if ! kill -0 "$kiln_pid" 2>/dev/null; then
    break
  fi
  line="$(grep -m1 -o 'listening on http://127\.0\.0\.1:[0-9]*.*' "$work/kiln.log" || true)"
  if [ -n "$line" ]; then
    port="$(sed -E 's|listening on http://127\.0\.0\.1:([0-9]+).*|\1|' <<<"$line")"
    event_loops="$(sed -nE 's|.*, ([0-9]+) threads\).*|\1|p' <<<"$line")"
    break
  fi
  sleep 0.1
done
if [ -z "$port" ]; then
  if kill -0 "$kiln_pid" 2>/dev/null; then
    echo "http-bench: kiln did not report a listening address within 30 s" >&2
  else
    wait "$kiln_pid" && status=0 || status=$?
    kiln_pid=""
    echo "http-bench: kiln exited (status $status) before listening" >&2
  fi
  sed 's/^/  kiln: /' "$work/kiln.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"
os_threads="$(awk '/^Threads:/ {print $2}' "/proc/$kiln_pid/status")"
rss_before="$(rss_kb "$kiln_pid")"

# The first requests compile the handler and grow the heap; keep them out of the numbers.
for path in "${paths[@]}"; do
  if ! wrk -t1 -c4 -d"${warmup}s" "$base$path" >"$work/warmup.txt" 2>&1; then
    echo "http-bench: wrk failed during warm-up of $path:" >&2
    cat "$work/warmup.txt" >&2
    exit 1
  fi
done

# Latency as wrk prints it ("850.00us", "1.20ms", "1.02s", "1.50m") -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

failed=0
rows=()
for path in "${paths[@]}"; do
  out="$work/wrk$(tr / _ <<<"$path").txt"
  if ! wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$base$path" >"$out" 2>&1; then
    echo "http-bench: wrk failed on $path:" >&2
    cat "$out" >&2
    exit 1
  fi
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p50="$(awk '$1 == "50%" {print $2}' "$out")"
  p99="$(awk '$1 == "99%" {print $2}' "$out")"
  total="$(awk '/requests in/ {print $1}' "$out")"
  errors="$(grep -E '^ *(Socket errors|Non-2xx or 3xx responses):' "$out" || true)"
  if [ -n "$errors" ]; then
    echo "http-bench: wrk reported errors on $path:" >&2
    sed 's/^ */  /' <<<"$errors" >&2
    failed=1
  fi
  if [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ] || [ "${total:-0}" = 0 ]; then
    echo "http-bench: no results from wrk for $path:" >&2
    cat "$out" >&2
    exit 1
  fi
  rows+=("$(printf '%-8s %12s %10s %10s %10s' "$path" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$total")")
done
rss_after="$(rss_kb "$kiln_pid")"

if ! stop_kiln; then
  echo "http-bench: kiln did not exit cleanly after SIGTERM:" >&2
  sed 's/^/  kiln: /' "$work/kiln.log" >&2
  failed=1
fi

echo "kiln HTTP bench: $config on 127.0.0.1"
echo "binary:  $bin ($built)"
echo "wrk:     ${duration}s per path after ${warmup}s warm-up, $connections connections, $wrk_threads threads"
echo "machine: nproc $(nproc); kiln: ${event_loops:-?} event-loop threads, $os_threads OS threads (wrk shares the cores)"
echo
printf '%-8s %12s %10s %10s %10s\n' path "requests/s" "p50 ms" "p99 ms" requests
printf '%s\n' "${rows[@]}"
if [ "$rss" = 1 ]; then
  echo
  echo "RSS:     ${rss_before} kB before warm-up, ${rss_after} kB after the last run"
fi
exit "$failed"
