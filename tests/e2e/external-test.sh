#!/usr/bin/env bash
# An `external` service: the request a worker's fetch() sends to it has the path in its request
# line and the URL's host in Host (workerd's "host" style), not the absolute URL. A one-shot
# loopback server (python3) records what arrives.
set -uo pipefail
kiln="$(realpath "$1")"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "$0")/../lib/check.sh"

cat >"$work/server.py" <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(20)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept()
data = b""
while b"\r\n\r\n" not in data:
    chunk = c.recv(4096)
    if not chunk:
        break
    data += chunk
open(sys.argv[2], "wb").write(data)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
c.close()
PY
python3 "$work/server.py" "$work/port" "$work/request" &
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port="$(cat "$work/port")"

cat >"$work/main.js" <<'JS'
export default {
  async test(ctrl, env) {
    const response = await env.EXT.fetch("http://some.host/path?q=1", { headers: { "x-a": "1" } });
    if (await response.text() !== "ok") throw new Error("unexpected answer");
  },
};
JS
cat >"$work/config.capnp" <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      compatibilityDate = "2026-04-01",
      modules = [(name = "main.js", esModule = embed "main.js")],
      bindings = [(name = "EXT", service = "ext")],
    )),
    (name = "ext", external = (address = "127.0.0.1:$port", http = ())),
  ],
);
CAPNP
"$kiln" test "$work/config.capnp" >"$work/test.log" 2>&1
check "the worker's fetch() through the external service succeeds" $?
wait
first="$(head -1 "$work/request" | tr -d '\r')"
expect_eq "the request line carries the path alone" "$first" "GET /path?q=1 HTTP/1.1"
grep -qi "^host: some.host" "$work/request"
check "the URL's host is the Host header" $?
grep -qi "^x-a: 1" "$work/request"
check "the worker's headers arrive" $?
finish_checks
