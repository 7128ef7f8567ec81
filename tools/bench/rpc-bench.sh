#!/usr/bin/env bash
# JS RPC round trips per second, parent -> warm dynamic child, for a small call and for a call
# carrying 1 MiB. Loopback only; bounded by the call counts. Env: KILN_BIN (skip the build).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
if [ -z "${KILN_BIN:-}" ]; then
  bazel build --config=bench --disk_cache="$HOME/.cache/kiln/bazel-disk" //:kiln >/dev/null 2>&1
  KILN_BIN="$repo/bazel-bin/src/server/kiln"
fi
log="$(mktemp)"
"$KILN_BIN" serve tools/bench/rpc/config.capnp --threads 1 2>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 200); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //' || true)"
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { cat "$log"; exit 1; }
curl -s "$url/rpc?n=200" >/dev/null
# A configured worker may make 1,000 subrequests per request (RPC calls count), so each run
# stays under that.
for i in 1 2 3; do
  echo "small call (two numbers):   $(curl -s "$url/rpc?n=900")"
done
for i in 1 2 3; do
  echo "1 MiB ArrayBuffer per call: $(curl -s "$url/rpc?n=300&bytes=1048576")"
done
