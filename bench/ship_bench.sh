#!/usr/bin/env bash
# bench/ship_bench.sh: `warden ship` into a local PostgreSQL server
# (packaging/pg-test-server.sh, loopback, fsync off as a test server):
# events per second for the find workload's database, one shipper and 8
# shippers at once (8 copies of the file, each its own run), and the bytes
# PostgreSQL stores per event (events partitions, indexes included).
# A benchmark, not a test. WARDEN=path/to/warden (default build/cli/warden),
# SHIP_RUNS=N repetitions of the single-shipper figure (default 3; median).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
warden=${WARDEN:-$here/../build/cli/warden}
runs=${SHIP_RUNS:-3}
work=$(mktemp -d /tmp/warden-ship-bench.XXXXXX)
chmod 755 "$work"
pgdir=$work/pg
cleanup() { "$here/../packaging/pg-test-server.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
admin=$("$here/../packaging/pg-test-server.sh" start "$pgdir")
[[ $admin == SKIP:* ]] && { echo "ship_bench: $admin" >&2; exit 1; }
base=${admin%/postgres}
export PGOPTIONS="-c client_min_messages=warning"
psql() { command psql -X -q -At "$@"; }

echo "recording the find workload..." >&2
"$warden" run --db "$work/find.db" -- bash "$here/workloads.sh" find >/dev/null 2>&1
events=$(sqlite3 "$work/find.db" "SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM exec_events) + (SELECT count(*) FROM policy_events)")
now() { date +%s%N; }

rates=()
for i in $(seq "$runs"); do
  psql "$admin" -c "DROP DATABASE IF EXISTS b$i" -c "CREATE DATABASE b$i"
  "$warden" ship --db "$work/find.db" --to "$base/b$i" --run 1 >/dev/null 2>&1 || true  # schema
  psql "$base/b$i" -c "TRUNCATE events, processes, ship_cursors, runs CASCADE"
  t0=$(now); "$warden" ship --db "$work/find.db" --to "$base/b$i" 2>/dev/null; t1=$(now)
  rates+=($(( events * 1000000000 / (t1 - t0) )))
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
bytes=$(psql "$base/b1" -c "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'events'::regclass")
stored=$(psql "$base/b1" -c "SELECT count(*) FROM events")

# 8 shippers at once, into one database: 8 files, each its own run.
psql "$admin" -c "DROP DATABASE IF EXISTS b8" -c "CREATE DATABASE b8"
"$warden" ship --db "$work/find.db" --to "$base/b8" >/dev/null 2>&1
psql "$base/b8" -c "TRUNCATE events, processes, ship_cursors, runs CASCADE"
for k in $(seq 8); do
  cp "$work/find.db" "$work/f$k.db"
  sqlite3 "$work/f$k.db" "UPDATE runs SET uuid = '00000000-0000-4000-8000-00000000000$k'"
done
t0=$(now)
for k in $(seq 8); do "$warden" ship --db "$work/f$k.db" --to "$base/b8" 2>/dev/null & done
wait
t1=$(now)
stored8=$(psql "$base/b8" -c "SELECT count(*) FROM events")
rate8=$(( stored8 * 1000000000 / (t1 - t0) ))

printf 'workload find: %d events in the file\n' "$events"
printf '1 shipper:  %d events/s (median of %d: %s)\n' "$median" "$runs" "${rates[*]}"
printf '8 shippers: %d events/s in all (%d events in %.2f s)\n' "$rate8" "$stored8" "$(echo "($t1 - $t0) / 1000000000" | bc -l)"
printf 'storage:    %d bytes per event (%d bytes for %d events, indexes included)\n' \
  $(( bytes / stored )) "$bytes" "$stored"
