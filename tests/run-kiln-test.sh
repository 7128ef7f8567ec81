#!/usr/bin/env bash
# Bazel wrapper for `kiln test`: runs one config's JavaScript tests.
set -euo pipefail
kiln="$1"
config="$2"
shift 2
exec "$kiln" test "$config" "$@"
