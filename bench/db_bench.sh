#!/usr/bin/env bash
# bench/db_bench.sh: what the database costs (issue 5): bytes on disk per
# recorded event on the find workload, and how long the forensic commands
# take on a database of ~10 million events. A benchmark, not a test.
#
#   bench/db_bench.sh [size|queries|all]        (default: all)
#
# Environment: WARDEN (default build/cli/warden), DB_EVENTS (target events
# for `queries`, default 10000000), DB_KEEP=1 keeps the scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
WARDEN=${WARDEN:-$root/build/cli/warden}
TARGET=${DB_EVENTS:-10000000}
WORKLOADS=${WORKLOADS:-$here/workloads.sh}
[[ -x $WARDEN ]] || { echo "db_bench: no warden at $WARDEN (build it or set WARDEN)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "db_bench: needs the sqlite3 CLI" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/warden-db-bench.XXXXXX")
[[ ${DB_KEEP:-0} == 1 ]] && trap 'echo "db_bench: kept $tmp" >&2' EXIT || trap 'rm -rf "$tmp"' EXIT

events_sql="SELECT (SELECT count(*) FROM file_events) + (SELECT count(*) FROM syscall_events)
  + (SELECT count(*) FROM exec_events) + (SELECT count(*) FROM net_events)
  + (SELECT count(*) FROM policy_events) + (SELECT count(*) FROM processes)"

# Bytes per event: the file after a checkpoint (WAL folded in), divided by
# every row of every event table (processes included).
size() {
  local db=$tmp/find.db
  "$WARDEN" run --db "$db" -- "$WORKLOADS" find >/dev/null 2>&1
  sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  local bytes events
  bytes=$(stat -c %s "$db")
  events=$(sqlite3 "$db" "$events_sql")
  echo "size: find workload: $bytes bytes, $events events: $(awk -v b="$bytes" -v e="$events" 'BEGIN { printf "%.1f", b / e }') bytes per event"
  sqlite3 "$db" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8" 2>/dev/null |
    awk -F'|' '{ printf "  %-28s %8.2f MB\n", $1, $2 / 1048576 }' || true
}

# A ~10M-event database: one real run of the find workload, then copies of
# its rows as further runs (SQL, no tracing), until DB_EVENTS is reached.
build_big() {
  local db=$tmp/big.db per copies
  "$WARDEN" run --db "$db" -- "$WORKLOADS" find >/dev/null 2>&1
  per=$(sqlite3 "$db" "$events_sql")
  copies=$(( (TARGET + per - 1) / per - 1 ))
  echo "queries: seed run has $per events; adding $copies copies" >&2
  local cols_e cols_n cols_p cols_c cols_s
  cols() { sqlite3 "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('$1') WHERE name NOT IN ('id','run_id')"; }
  cols_e=$(cols exec_events); cols_p=$(cols processes)
  # File, network and syscall events (schema 5): calls, nets and strings
  # rows, whose ids are run_id << 40 | n, copied under the new run's id.
  cols_c=$(cols calls); cols_n=$(cols nets); cols_s=$(cols strings)
  {
    echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN;"
    for ((i = 1; i <= copies; i++)); do
      echo "INSERT INTO runs(argv,cwd,host,warden_version,start_ns,end_ns,exit_code,exit_signal,lost_events,stops)
              SELECT argv,cwd,host,warden_version,start_ns+$i*1000000000000,end_ns+$i*1000000000000,exit_code,exit_signal,lost_events,stops FROM runs WHERE id=1;"
      for t in exec_events:$cols_e processes:$cols_p; do
        echo "INSERT INTO ${t%%:*}(run_id,${t#*:}) SELECT (SELECT max(id) FROM runs),${t#*:} FROM ${t%%:*} WHERE run_id=1;"
      done
      for t in calls:$cols_c nets:$cols_n strings:$cols_s; do
        echo "INSERT INTO ${t%%:*}(id,${t#*:}) SELECT ((SELECT max(id) FROM runs) << 40) | (id & 1099511627775),${t#*:} FROM ${t%%:*} WHERE id BETWEEN 1 << 40 AND (2 << 40) - 1;"
      done
      ((i % 10 == 0)) && echo "COMMIT; BEGIN;"
    done
    echo "COMMIT;"
  } | sqlite3 "$db" >/dev/null
  echo "$db"
}

median_ms() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

time_cmd() { # LABEL CMD...
  local label=$1 t0 t1 samples=()
  shift
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    samples+=($(( (t1 - t0) / 1000000 )))
  done
  echo "  $label: $(printf '%s\n' "${samples[@]}" | median_ms) ms (median of 5; ${samples[*]})"
}

queries() {
  local db
  db=$(build_big)
  echo "queries: $(sqlite3 "$db" "$events_sql") events in $(sqlite3 "$db" 'SELECT count(*) FROM runs') runs, $(( $(stat -c %s "$db") / 1048576 )) MB"
  local run
  run=$(sqlite3 "$db" "SELECT max(id) FROM runs")
  time_cmd "who /usr/include/linux/*" "$WARDEN" query --db "$db" --run "$run" who '/usr/include/linux/*'
  time_cmd "tree" "$WARDEN" query --db "$db" --run "$run" tree
  time_cmd "profile" "$WARDEN" profile --db "$db" --run "$run"
}

case ${1:-all} in
  size) size ;;
  queries) queries ;;
  all) size; queries ;;
  *) echo "usage: bench/db_bench.sh [size|queries|all]" >&2; exit 2 ;;
esac
