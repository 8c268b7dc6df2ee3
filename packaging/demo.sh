#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run warden's
# main job on a sample: trace a small shell pipeline that reads files, runs
# programs and talks to a loopback socket, then show what was recorded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/build.sh"
warden="$root/build/cli/warden"
db=${WARDEN_DEMO_DB:-/tmp/warden-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
if "$warden" run --help >/dev/null 2>&1; then
  "$warden" run --db "$db" -- sh -c 'cat /etc/hostname >/dev/null; ls /etc | head -n 3; python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(); c=socket.create_connection(s.getsockname()); print(\"connected to\", s.getsockname())"'
  echo "--- recorded in $db (first 15 events):"
  "$warden" export --db "$db" | head -n 15
else
  "$warden" syscalls openat
fi
