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
"$warden" run --db "$db" -- sh -c 'cat /etc/hostname >/dev/null; ls /etc | head -n 3; python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(); c=socket.create_connection(s.getsockname()); print(\"connected to\", s.getsockname())"'
q() { sqlite3 -header -column "$db" "$1"; }
echo; echo "=== recorded in $db"
echo "--- processes (first 12)"
q "select pid, ppid, exe, exit_code from processes where is_thread=0 limit 12"
echo "--- files read or written (first 12)"
q "select exe, op, path from file_events where result>=0 and op in ('read','write','create','truncate') group by exe, op, path limit 12"
echo "--- network"
q "select exe, syscall, family, address, port, direction, result from net_events where address is not null"
echo "--- the same as NDJSON (warden export), network events only"
"$warden" export --db "$db" | grep '"kind":"net"' | grep '"addr"' | head -n 3

echo; echo "=== the same kind of run under a policy: cat may not read /etc/passwd (examples/cat-no-passwd.yaml)"
"$warden" policy check "$root/examples/cat-no-passwd.yaml"
"$warden" run --db "$db" --policy "$root/examples/cat-no-passwd.yaml" -- sh -c 'cat /etc/passwd >/dev/null; echo "cat exited with $?"; head -n 1 /etc/passwd' || true
echo "--- policy hits of that run"
q "select exe, syscall, action, rule, target, errno from policy_events where run_id=(select max(id) from runs)"

echo; echo "=== learn a policy from the first run, then judge the second run with it, offline"
learned=${db%.db}-learned.yaml
"$warden" learn --db "$db" --run 1 -o "$learned"
echo "--- $learned (first 24 lines)"
head -n 24 "$learned"
echo "--- warden policy test: what it would deny in run 2 (exit 1 when something)"
"$warden" policy test "$learned" --db "$db" --run 2 | tail -n 8 || true
