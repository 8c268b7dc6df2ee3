#!/usr/bin/env bash
# bench/learn_bench.sh: how long learn, expect and verify take on one run of
# about a million events (issue 10: each within 3 s). A benchmark, not a
# test: it records a real run (find over /usr, repeated inside one run until
# LEARN_EVENTS events), then times each command on it, best of LEARN_REPS.
#
#   bench/learn_bench.sh
#
# Environment: WARDEN (default build/cli/warden), LEARN_EVENTS (default
# 1000000), LEARN_REPS (default 3), LEARN_KEEP=1 keeps the scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
WARDEN=${WARDEN:-$root/build/cli/warden}
TARGET=${LEARN_EVENTS:-1000000}
REPS=${LEARN_REPS:-3}
[[ -x $WARDEN ]] || { echo "learn_bench: no warden at $WARDEN (build it or set WARDEN)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "learn_bench: needs the sqlite3 CLI" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/warden-learn-bench.XXXXXX")
[[ ${LEARN_KEEP:-0} == 1 ]] && trap 'echo "learn_bench: kept $tmp" >&2' EXIT || trap 'rm -rf "$tmp"' EXIT

events_sql="SELECT (SELECT count(*) FROM file_events) + (SELECT count(*) FROM syscall_events)
  + (SELECT count(*) FROM exec_events) + (SELECT count(*) FROM net_events)
  + (SELECT count(*) FROM processes)"
db=$tmp/big.db
# One find is ~70k file events and ~255k syscalls, of which ~95k are
# recorded: enough passes of it in one run to reach the target.
probe=$tmp/probe.db
"$WARDEN" run --db "$probe" -- find /usr -name '*.h' >/dev/null 2>&1
per=$(sqlite3 "$probe" "$events_sql")
passes=$(( (TARGET + per - 1) / per ))
echo "learn_bench: one find records $per events; recording $passes passes in one run" >&2
"$WARDEN" run --db "$db" -- /bin/sh -c "for i in \$(seq $passes); do find /usr -name '*.h' >/dev/null; done" >/dev/null 2>&1
events=$(sqlite3 "$db" "$events_sql")
file_events=$(sqlite3 "$db" "SELECT count(*) FROM file_events")
echo "learn_bench: run of $events events ($file_events file events)"

best() {  # best-of-REPS wall seconds of "$@"
  local b="" t s e
  for ((i = 0; i < REPS; i++)); do
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { local rc=$?; [[ $rc == 1 || $rc == 3 ]] || { echo "failed: $*" >&2; exit 1; }; }
    e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }')
    if [[ -z $b ]] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
  done
  echo "$b"
}

"$WARDEN" expect --db "$db" -o "$tmp/expect.json" >/dev/null
"$WARDEN" export --db "$db" --gzip -o "$tmp/run.ndjson.gz"
printf '%-36s %8s\n' command seconds
printf '%-36s %8s\n' "learn" "$(best "$WARDEN" learn --db "$db" -o "$tmp/p.yaml")"
printf '%-36s %8s\n' "learn --exact" "$(best "$WARDEN" learn --db "$db" --exact -o "$tmp/p.yaml")"
printf '%-36s %8s\n' "expect" "$(best "$WARDEN" expect --db "$db" -o "$tmp/e.json")"
printf '%-36s %8s\n' "verify --db" "$(best "$WARDEN" verify --expect "$tmp/expect.json" --db "$db")"
printf '%-36s %8s\n' "verify --observations (gzip NDJSON)" \
  "$(best "$WARDEN" verify --expect "$tmp/expect.json" --observations "$tmp/run.ndjson.gz")"
printf '%-36s %8s\n' "policy test (learned policy)" "$(best "$WARDEN" policy test "$tmp/p.yaml" --db "$db")"
