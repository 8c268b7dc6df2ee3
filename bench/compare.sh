#!/usr/bin/env bash
# Before/after: several warden binaries on the same workloads, interleaved
# run by run (untraced, then each binary), so that drift in the machine
# hits them alike. Prints the median wall time of each and its ratio to the
# untraced median of the same invocation.
#
#   bench/compare.sh OLD/cli/warden NEW/cli/warden [-- WORKLOAD...]
#   COMPARE_RUNS=7 COMPARE_OPTS="--pin" bench/compare.sh A B -- find cc
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
runs="${COMPARE_RUNS:-5}"
opts=(${COMPARE_OPTS:-})
bins=()
while [[ $# -gt 0 && "$1" != "--" ]]; do bins+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
workloads=("$@")
[[ ${#workloads[@]} -gt 0 ]] || mapfile -t workloads < <("$here/workloads.sh" list)
[[ ${#bins[@]} -gt 0 ]] || { echo "usage: compare.sh WARDEN... [-- WORKLOAD...]" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

ns() { date +%s%N; }
# Seconds of one run of "$@" (a failed run counts, and says so on stderr).
timed() {
  local s e
  s=$(ns)
  "$@" >/dev/null 2>"$tmp/err" || echo "compare: failed: $* ($(tail -1 "$tmp/err"))" >&2
  e=$(ns)
  echo "$(( (e - s) / 1000 ))"
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

header="| workload | untraced s"
for b in "${bins[@]}"; do header+=" | $b | ratio"; done
echo "$header |"
sep="|---|---:"; for _ in "${bins[@]}"; do sep+="|---:|---:"; done; echo "$sep|"
for w in "${workloads[@]}"; do
  "$here/workloads.sh" "$w" >/dev/null 2>&1 || true  # warm-up
  : >"$tmp/u"; for i in "${!bins[@]}"; do : >"$tmp/b$i"; done
  for ((r = 0; r < runs; r++)); do
    timed "$here/workloads.sh" "$w" >>"$tmp/u"
    for i in "${!bins[@]}"; do
      rm -f "$tmp"/w.db*
      timed "${bins[$i]}" run "${opts[@]}" --db "$tmp/w.db" -- "$here/workloads.sh" "$w" >>"$tmp/b$i"
    done
  done
  u=$(median <"$tmp/u")
  row="| $w | $(awk -v u="$u" 'BEGIN{printf "%.3f", u/1e6}')"
  for i in "${!bins[@]}"; do
    m=$(median <"$tmp/b$i")
    row+=" | $(awk -v m="$m" 'BEGIN{printf "%.3f", m/1e6}') | $(awk -v m="$m" -v u="$u" 'BEGIN{printf "%.2fx", m/u}')"
  done
  echo "$row |"
done
