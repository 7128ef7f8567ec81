#!/usr/bin/env bash
# Fairness measurement (not a test): how a bystander on the same event loop fares while N dynamic
# children spin. Runs the daemon with --threads 1, starts N children that loop for ever under the
# default CPU limit (DEFAULT_LOADER, cpuMs 30000, so nothing stops them within the window),
# probes the bystander every 100 ms for WINDOW seconds and prints the success ratio and the
# p50/p99/max latency. N = 0 is the baseline. The daemon is killed after each N, since its loop
# may still be busy with the children. Loopback only; every curl and loop is bounded.
# Usage: tests/hostile/fairness.sh [KILN]   (default: bazel-bin/src/server/kiln)
# Env: WINDOW (s of probing per N, default 5), COUNTS (default "0 1 2 4"), SPIN (see below).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kiln="${1:-$here/../../bazel-bin/src/server/kiln}"
WINDOW="${WINDOW:-5}"
COUNTS="${COUNTS:-0 1 2 4}"
work="$(mktemp -d)"
pid=""
clients=()
cleanup() {
  for c in "${clients[@]}"; do kill "$c" 2>/dev/null; done
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

start() {
  "$kiln" serve "$here/hostile.capnp" --threads 1 2>"$work/serve.log" &
  pid=$!
  for _ in $(seq 1 200); do
    url="$(grep -o 'listening on http://[0-9.:]* (socket "attacker"' "$work/serve.log" | grep -o 'http://[0-9.:]*')"
    by_url="$(grep -o 'listening on http://[0-9.:]* (socket "bystander"' "$work/serve.log" | grep -o 'http://[0-9.:]*')"
    [ -n "$url" ] && [ -n "$by_url" ] && return 0
    sleep 0.05
  done
  echo "kiln did not start:"; cat "$work/serve.log"; exit 1
}

# SPIN: the children's code, e.g. SPIN='for (;;) {} export default {};' for a top-level loop
# (which Workers' 1 s startup limit ends).
DEFAULT_SPIN='export default { fetch() { for (;;) {} } };'
SPIN="${SPIN:-$DEFAULT_SPIN}"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

printf "%-9s %7s %9s %9s %9s %9s\n" "children" "probes" "ok" "p50 ms" "p99 ms" "max ms"
for n in $COUNTS; do
  start
  clients=()
  for _ in $(seq 1 "$n"); do
    curl -s -m $((WINDOW + 3)) -o /dev/null -X POST --data-binary "$SPIN" "$url/load?loader=default" &
    clients+=($!)
  done
  sleep 0.3  # let the children get going
  : >"$work/probes"
  end=$(( $(now_ms) + WINDOW * 1000 ))
  for _ in $(seq 1 $((WINDOW * 10))); do
    [ "$(now_ms)" -ge "$end" ] && break
    # A probe that the loop cannot serve fails at curl's 5 s timeout, and counts with that time.
    curl -s -m 5 -w ' %{time_total}\n' "$by_url/" >>"$work/probes" 2>/dev/null
    sleep 0.1
  done
  total="$(wc -l <"$work/probes")"
  ok="$(grep -c '^ok ' "$work/probes")"
  read -r p50 p99 max <<<"$(awk '{print $NF * 1000}' "$work/probes" | sort -n | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "- - -"; exit }
      i50 = int((NR - 1) * 0.50) + 1; i99 = int((NR - 1) * 0.99) + 1
      printf "%d %d %d\n", v[i50], v[i99], v[NR]
    }')"
  printf "%-9s %7s %9s %9s %9s %9s\n" "$n" "$total" "$ok/$total" "$p50" "$p99" "$max"
  for c in "${clients[@]}"; do kill "$c" 2>/dev/null; done
  clients=()
  kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
done
