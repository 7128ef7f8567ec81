#!/usr/bin/env bash
# Durable Objects: requests/s for a plain DO counter and for the same counter in a facet (each
# request: one SQLite write + read, response after the write is committed to the WAL), and
# SQLite writes/s inside one object. Loopback only, bounded. Env: KILN_BIN, DURATION (s, 5).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
DURATION="${DURATION:-5}"
source tools/bench/lib.sh
kiln_binary
work="$(mktemp -d)"
mkdir -p "$work/data"
cp tools/bench/durable/bench.js "$work/"
cat > "$work/config.capnp" <<CONFIG
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "bench", worker = (
      modules = [(name = "bench.js", esModule = embed "bench.js")],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [
        (className = "Counter", uniqueKey = "bench-counter", enableSql = true),
        (className = "Supervisor", uniqueKey = "bench-supervisor", enableSql = true),
      ],
      durableObjectStorage = (localDisk = "data"),
      bindings = [
        (name = "COUNTER", durableObjectNamespace = "Counter"),
        (name = "SUPERVISOR", durableObjectNamespace = "Supervisor"),
        (name = "LOADER", workerLoader = ()),
      ],
    )),
    (name = "data", disk = (path = "$work/data", writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "bench")],
);
CONFIG
pid=""
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
start_kiln "$work/config.capnp" "$work/log"
echo "kiln Durable Object benchmark: $(nproc) cores, ${DURATION}s per run (one event loop: DOs)"
for path in /do /facet; do
  curl -s "$url$path" >/dev/null
  out="$(wrk --latency -t 2 -c 16 -d "${DURATION}s" "$url$path")"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  printf "%-8s %10s req/s   p50 %8s   p99 %8s\n" "$path" "$rps" "$p50" "$p99"
done
echo "SQLite writes inside one object: $(curl -s "$url/burst?n=20000")"
