#!/usr/bin/env bash
# Safety measurements (numbers, not tests): (1) the time of 300 Durable Object writes with 1 and
# with 900 live objects, which used to grow with the number of objects; (2) RSS after 1,000
# dynamic workers that each use a CompressionStream, against 1,000 that do not. Loopback only,
# bounded. Env: KILN_BIN, WORKERS (1000).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
WORKERS="${WORKERS:-1000}"
source tools/bench/lib.sh
kiln_binary
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cp tools/bench/safety/bench.js "$work/"
cat > "$work/config.capnp" <<CONFIG
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "bench", worker = (
      modules = [(name = "bench.js", esModule = embed "bench.js")],
      compatibilityDate = "2024-09-01",
      durableObjectNamespaces = [(className = "Box", uniqueKey = "bench-box", enableSql = true)],
      durableObjectStorage = (inMemory = void),
      bindings = [
        (name = "BOX", durableObjectNamespace = "Box"),
        (name = "LOADER", workerLoader = ()),
      ],
    )),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "bench")],
);
CONFIG

start() { start_kiln "$work/config.capnp" "$work/log"; }
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
timed() { curl -s -m 60 -o /dev/null -w '%{time_total}' "$1" | awk '{printf "%.1f", $1 * 1000}'; }

start
curl -s -m 30 "$url/puts?n=1" >/dev/null
echo "300 puts, 1 live object:    $(timed "$url/puts?n=300") ms"
curl -s -m 60 "$url/warm?n=900" >/dev/null
echo "300 puts, 901 live objects: $(timed "$url/puts?n=300") ms"
stop

for kind in plain compress; do
  start
  curl -s -m 30 "$url/$kind" >/dev/null
  before="$(rss)"
  for _ in $(seq 1 "$WORKERS"); do curl -s -m 30 "$url/$kind" >/dev/null; done
  after="$(rss)"
  echo "RSS over $WORKERS dynamic workers ($kind): $before -> $after KiB (+$(( after - before )) KiB)"
  stop
done
