#!/usr/bin/env bash
# Installs what kiln needs to build and test on a fresh Debian 12 machine. Idempotent and quiet
# when everything is already present. V8 comes from Node 18's libnode (Debian's libnode108), which
# cannot be installed beside the machine's Node 20, so its .debs are unpacked into a cache folder.
set -euo pipefail

KILN_CACHE="${KILN_CACHE:-$HOME/.cache/kiln}"
LIBNODE_DIR="$KILN_CACHE/libnode"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  bazel-bootstrap capnproto libcapnp-dev libsqlite3-dev zlib1g-dev libgtest-dev
  libssl-dev libuv1 libicu72 libc-ares2 libnghttp2-14 libbrotli1 libssl3 wrk sqlite3 curl
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

apt_updated=0
apt_update() {
  if [ "$apt_updated" = 0 ]; then
    $SUDO apt-get update -qq >/dev/null
    apt_updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "kiln setup: installing ${missing[*]}" >&2
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if [ ! -f "$LIBNODE_DIR/.complete" ]; then
  echo "kiln setup: unpacking libnode108 + libnode-dev into $LIBNODE_DIR" >&2
  apt_update
  tmp="$(mktemp -d)"
  # apt's download user must be able to write here.
  chmod 755 "$tmp"
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  (cd "$tmp" && apt-get download -qq libnode108 libnode-dev >/dev/null)
  rm -rf "$LIBNODE_DIR"
  mkdir -p "$LIBNODE_DIR"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$LIBNODE_DIR"; done
  rm -rf "$tmp"
  touch "$LIBNODE_DIR/.complete"
fi

# Bazel reaches the unpacked libnode through a stable symlink inside the repository's third_party
# folder (git-ignored), so WORKSPACE needs no absolute path.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
link="$repo/third_party/libnode/root"
mkdir -p "$(dirname "$link")"
if [ "$(readlink "$link" 2>/dev/null)" != "$LIBNODE_DIR" ]; then
  ln -sfn "$LIBNODE_DIR" "$link"
fi
