# Shared by the benchmark scripts (source it after setting `repo`).

kiln_binary() {  # sets KILN_BIN: the given one, or an opt build of //:kiln
  if [ -z "${KILN_BIN:-}" ]; then
    (cd "$repo" && bazel build --config=bench --disk_cache="$HOME/.cache/kiln/bazel-disk" //:kiln \
      >/dev/null 2>&1)
    KILN_BIN="$repo/bazel-bin/src/server/kiln"
  fi
}

start_kiln() {  # start_kiln CONFIG LOG [ARGS...]: sets pid and url (the first http socket)
  local config="$1" log="$2"
  shift 2
  "$KILN_BIN" serve "$config" "$@" 2>"$log" &
  pid=$!
  url=""
  for _ in $(seq 1 200); do
    url="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //' || true)"
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "kiln did not start:"; cat "$log"; exit 1
}
