#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run warden's
# main job on a sample: trace a small shell pipeline that reads files, runs
# programs and talks to a loopback socket, then show what was recorded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/build.sh" warden   # only what the demo needs: the tests build with test.sh
warden="$root/build/cli/warden"
db=${WARDEN_DEMO_DB:-/tmp/warden-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
"$warden" run --db "$db" -- sh -c 'cat /etc/hostname >/dev/null; ls /etc | head -n 3; python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(); c=socket.create_connection(s.getsockname()); print(\"connected to\", s.getsockname())"'
echo; echo "=== recorded in $db: warden runs"
"$warden" runs --db "$db"
echo "--- warden query tree: the processes (first 15 lines)"
"$warden" query --db "$db" tree | head -n 15
echo "--- warden profile: what the run used (first 30 lines)"
"$warden" profile --db "$db" | head -n 30
echo "--- warden replay --path '/etc/**': its calls on /etc, as strace would print them"
"$warden" replay --db "$db" --path '/etc/**' | head -n 8
echo "--- warden export, network events only (NDJSON)"
"$warden" export --db "$db" --kind net | head -n 3

echo; echo "=== the same kind of run under a policy: cat may not read /etc/passwd (examples/cat-no-passwd.yaml)"
"$warden" policy check "$root/examples/cat-no-passwd.yaml"
"$warden" run --db "$db" --policy "$root/examples/cat-no-passwd.yaml" -- sh -c 'cat /etc/passwd >/dev/null; echo "cat exited with $?"; head -n 1 /etc/passwd' || true
echo "--- warden query denied: the policy's denials in that run"
"$warden" query --db "$db" denied

echo; echo "=== learn a policy from the first run, then judge the second run with it, offline"
learned=${db%.db}-learned.yaml
"$warden" learn --db "$db" --run 1 -o "$learned"
echo "--- $learned (first 24 lines)"
head -n 24 "$learned"
echo "--- warden policy test: what it would deny in run 2 (exit 1 when something)"
"$warden" policy test "$learned" --db "$db" --run 2 | tail -n 8 || true
