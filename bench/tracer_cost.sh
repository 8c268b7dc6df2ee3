#!/usr/bin/env bash
# Per-event cost of warden's tracer thread: CPU seconds of the tracer (the
# main thread of `warden run`) divided by the syscall events recorded,
# sampled with perf (Debian's linux-perf) at 10 kHz. Also the writer
# thread's. Not a test: prints one table.
#
#   bench/tracer_cost.sh                 # find, default options and --pin
#   TRACER_COST_RUNS=5 bench/tracer_cost.sh
#   WARDEN=build-x/cli/warden bench/tracer_cost.sh -- ls -lR /usr/share/doc
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
WARDEN="${WARDEN:-$root/build/cli/warden}"
runs="${TRACER_COST_RUNS:-3}"
cmd=(find /usr -name '*.h')
if [[ "${1:-}" == "--" ]]; then shift; cmd=("$@"); fi
command -v perf >/dev/null || { echo "tracer_cost: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
# The kernel's name of warden's threads: the binary's name, 15 bytes at most.
comm="$(basename "$WARDEN" | cut -c1-15)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Prints "tracer_us writer_us events" for one run with options "$@".
one() {
  rm -f "$tmp"/w.db*
  perf record -q -F 10000 -e task-clock -o "$tmp/perf.data" -- \
    "$WARDEN" run "$@" --db "$tmp/w.db" -- "${cmd[@]}" >/dev/null 2>&1 || true
  local events
  events=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from syscall_events").fetchone()[0])' "$tmp/w.db")
  # pid:comm sample counts per thread; the tracer is the thread whose tid
  # is the process id (warden's main thread), the writer the other one.
  perf report -i "$tmp/perf.data" --sort pid -n --stdio 2>/dev/null |
    awk -v ev="$events" -v comm="$comm" '
      $3 ~ ":" comm "$" { split($3, a, ":"); n[a[1]] = $2 }
      END {
        main = 0; for (t in n) if (main == 0 || t + 0 < main + 0) main = t
        w = 0; for (t in n) if (t != main && n[t] > w) w = n[t]
        printf "%.2f %.2f %d\n", n[main] * 100 / ev, w * 100 / ev, ev
      }'
}

printf '| options | tracer µs/event | writer µs/event | events |\n|---|---:|---:|---:|\n'
for opts in "" "--pin"; do
  rows=()
  for ((i = 0; i < runs; i++)); do rows+=("$(one $opts)"); done
  # Median by tracer cost.
  med=$(printf '%s\n' "${rows[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  read -r t w e <<<"$med"
  printf '| %s | %s | %s | %s |\n' "${opts:-(default)}" "$t" "$w" "$e"
done
