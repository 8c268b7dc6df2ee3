#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, run every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/install-deps.sh" --browser   # Chromium for the report tests
"$root/packaging/build.sh"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@"
