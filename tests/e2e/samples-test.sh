#!/usr/bin/env bash
# Every sample starts and answers as its README says (loopback, ephemeral ports).
set -uo pipefail
kiln="$(realpath "$1")"
root="$(dirname "$(realpath "$2")")/../.."
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0
check() {  # check NAME ACTUAL PATTERN
  if printf '%s' "$2" | grep -qE "$3"; then
    passed=$((passed + 1)); echo "[ PASS ] $1"
  else
    failed=$((failed + 1)); echo "[ FAIL ] $1"; echo "  got: $(printf '%s' "$2" | head -c 400)"
  fi
}
serve() {  # serve SAMPLE; sets url and pid
  "$kiln" serve "$root/samples/$1/config.capnp" --socket-addr http=127.0.0.1:0 --threads 1 \
    2>"$work/$1.log" &
  pid=$!
  url=""
  for _ in $(seq 1 100); do
    url="$(grep -o 'listening on http://[0-9.:]*' "$work/$1.log" | head -1 | sed 's/listening on //')"
    [ -n "$url" ] && return 0
    sleep 0.05
  done
}
stop() { kill -TERM "$pid"; wait "$pid"; }

serve hello
check "hello answers" "$(curl -s "$url/x")" "^Hello from kiln! You asked for /x"
check "hello /json" "$(curl -s "$url/json")" '"hello":"world"'
stop

serve dynamic-starter
check "dynamic-starter runs posted code" \
  "$(curl -s "$url/api/run" -d '{"code": "export default { fetch() { return new Response(\"hi from child\"); } }"}')" \
  "^hi from child$"
check "dynamic-starter child has no network" \
  "$(curl -s "$url/api/run" -d '{"code": "export default { async fetch() { try { await fetch(\"http://example.com/\"); return new Response(\"reached\"); } catch (e) { return new Response(e.message); } } }"}')" \
  "not permitted to access the internet"
check "dynamic-starter serves its page" "$(curl -s "$url/")" "<textarea"
stop

serve warm-reuse
first="$(curl -si "$url/")"
second="$(curl -si "$url/")"
check "warm-reuse first request is cold" "$first" "x-cold-start: yes"
check "warm-reuse second request is warm" "$second" "x-cold-start: no"
stop

serve egress-gateway
check "egress-gateway injects the credential the child never sees" \
  "$(curl -s "$url/?tenant=alice")" '"childSeesToken":false.*"authorized":true.*"x-tenant":"alice"'
stop

# app-runner keeps its files under /tmp/kiln-app-runner; use a scratch copy of the config.
mkdir -p "$work/app-runner-data" "$work/app-runner"
cp "$root/samples/app-runner/worker.js" "$work/app-runner/"
sed "s|/tmp/kiln-app-runner|$work/app-runner-data|" "$root/samples/app-runner/config.capnp" \
  > "$work/app-runner/config.capnp"
"$kiln" serve "$work/app-runner/config.capnp" --socket-addr http=127.0.0.1:0 2>"$work/ar.log" &
pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$work/ar.log" | head -1 | sed 's/listening on //')"
  [ -n "$url" ] && break
  sleep 0.05
done
check "app-runner (the docs' facets example) counts in its facet" \
  "$( (curl -s "$url/"; curl -s "$url/") | tr '\n' ' ')" "You have made 1 requests. You have made 2 requests."
check "the facet has its own SQLite file next to the supervisor's" \
  "$(ls "$work"/app-runner-data/app-runner/)" '\.1\.sqlite'
stop

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
