#!/usr/bin/env bash
# bench/unwatched.sh: what an unwatched syscall costs under warden, against
# the same call under an allow-all seccomp filter. Goal: warden's unwatched
# call at most 5 ns above allow-all. A benchmark, not a test.
#
#   bench/unwatched.sh                 # the modes table
#   bench/unwatched.sh --experiments   # also the experiments that take the
#                                      # difference apart (see bench/README.md)
#
# bench/unwatched.c (compiled here with gcc, -lseccomp) times N getppid()
# and N 1-byte read()s of /dev/zero. Modes, interleaved in each repetition:
#   untraced    the program as is
#   allow-all   the program with seccomp_init(SCMP_ACT_ALLOW) loaded
#   warden      `warden run --db TMP/x.db -- unwatched`
#   warden-pin  the same with --pin
# Each cell is the median of BENCH_RUNS runs: ns per call over the whole
# loop (wall-clock), and "best": the fastest twentieth of the loop in CPU
# time (steadier on a shared machine), each with its difference to
# allow-all; CPU/wall is the loop's CPU time over its wall time (under 100%:
# it waited for a CPU).
#
# Environment: WARDEN (default build/cli/warden, else
# build-bench/cli/warden), BENCH_RUNS (default 5), UNWATCHED_N (calls per
# loop, default 5000000), BENCH_KEEP=1 keeps the scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
RUNS=${BENCH_RUNS:-5}
N=${UNWATCHED_N:-5000000}
EXPERIMENTS=0

die() { echo "unwatched: $*" >&2; exit 1; }
note() { echo "unwatched: $*" >&2; }

case "${1:-}" in
  "") ;;
  --experiments) EXPERIMENTS=1 ;;
  *) die "usage: bench/unwatched.sh [--experiments]" ;;
esac
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, got '$RUNS'"
[[ $N =~ ^[1-9][0-9]*$ ]] || die "UNWATCHED_N must be a positive number, got '$N'"
if [[ -z ${WARDEN:-} ]]; then
  for c in "$root/build/cli/warden" "$root/build-bench/cli/warden"; do
    if [[ -x $c ]]; then WARDEN=$c; break; fi
  done
  [[ -n ${WARDEN:-} ]] || die "no warden binary in build/cli or build-bench/cli; build it or set WARDEN"
fi
[[ -x $WARDEN ]] || die "WARDEN=$WARDEN is not executable"
command -v gcc >/dev/null || die "needs gcc"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/warden-bench-unwatched.XXXXXX")
if [[ ${BENCH_KEEP:-0} == 1 ]]; then
  trap 'note "scratch kept in $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

prog=$tmp/unwatched
gcc -O2 -Wall -Wextra -o "$prog" "$here/unwatched.c" -lseccomp ||
  die "cannot compile bench/unwatched.c (needs libseccomp-dev)"

# One run of mode $1 (the rest: the program's arguments); its result line.
run_mode() {
  local mode=$1 out
  shift
  case $mode in
    warden) out=$("$WARDEN" run --no-progress --db "$tmp/x.db" -- "$prog" -n "$N" "$@" 2>"$tmp/err") ;;
    warden-pin) out=$("$WARDEN" run --no-progress --pin --db "$tmp/x.db" -- "$prog" -n "$N" "$@" 2>"$tmp/err") ;;
    *) out=$("$prog" -n "$N" "$@" 2>"$tmp/err") ;;
  esac || { cat "$tmp/err" >&2; die "$mode run failed"; }
  rm -f "$tmp/x.db" "$tmp/x.db-wal" "$tmp/x.db-shm"
  grep -m1 '^getppid_ns=' <<<"$out" || die "$mode: no result line in: $out"
}

field() { sed -n "s/.*\\b$1=\\([0-9.-]*\\).*/\\1/p" <<<"$2"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 }
  END { if (NR == 0) exit; m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
diff_ns() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", a - b }'; }

# measure NAME... : BENCH_RUNS interleaved repetitions of the rows named,
# whose mode and arguments are in row_mode[NAME] and row_args[NAME].
declare -A row_mode row_args samples
measure() {
  local rep name line k
  for ((rep = 1; rep <= RUNS; rep++)); do
    for name in "$@"; do
      # shellcheck disable=SC2086 # row_args holds separate words
      line=$(run_mode "${row_mode[$name]}" ${row_args[$name]})
      for k in getppid_ns read_ns getppid_best_ns read_best_ns filters; do
        samples[$name,$k]+="$(field "$k" "$line") "
      done
      samples[$name,cpu]+="$(awk -v c="$(field getppid_cpu_ns "$line")" -v w="$(field getppid_ns "$line")" \
        'BEGIN { printf "%.0f", 100 * c / w }') "
    done
  done
}

# table BASE NAME... : the Markdown table, differences against row BASE.
table() {
  local base=$1 name k v cells
  shift
  declare -A b
  for k in getppid_ns getppid_best_ns read_ns read_best_ns; do b[$k]=$(median <<<"${samples[$base,$k]}"); done
  echo "| mode | filters | getppid ns/call | vs $base | getppid best | vs $base | read ns/call | vs $base | read best | vs $base | CPU/wall |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for name in "$@"; do
    cells="| $name | $(median <<<"${samples[$name,filters]}" | cut -d. -f1) |"
    for k in getppid_ns getppid_best_ns read_ns read_best_ns; do
      v=$(median <<<"${samples[$name,$k]}")
      cells+=" $v | $(diff_ns "$v" "${b[$k]}") |"
    done
    echo "$cells $(median <<<"${samples[$name,cpu]}" | cut -d. -f1)% |"
  done
}

echo "# unwatched syscalls, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host: $(uname -srm), $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "warden: $WARDEN; N=$N calls per loop; median of $RUNS runs, modes interleaved"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
echo

row_mode=([untraced]=plain [allow-all]=plain [warden]=warden [warden-pin]=warden-pin)
row_args=([untraced]="" [allow-all]="--allow-all-filter" [warden]="" [warden-pin]="")
main_rows=(untraced allow-all warden warden-pin)
note "modes: $RUNS x (${main_rows[*]})"
measure "${main_rows[@]}"
table allow-all "${main_rows[@]}"

((EXPERIMENTS)) || exit 0

# warden's own filters, as its child installs them (bench/filter_dump.c).
gcc -shared -fPIC -O2 -Wall -Wextra -o "$tmp/filter_dump.so" "$here/filter_dump.c" -ldl ||
  die "cannot compile bench/filter_dump.c"
mkdir "$tmp/dump"
FILTER_DUMP_DIR=$tmp/dump LD_PRELOAD=$tmp/filter_dump.so \
  "$WARDEN" run --no-progress --db "$tmp/x.db" -- /bin/true >/dev/null 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; die "warden run with the dump shim failed"; }
rm -f "$tmp/x.db" "$tmp/x.db-wal" "$tmp/x.db-shm"
mapfile -t wfilters < <(ls -v "$tmp"/dump/filter-*.bpf 2>/dev/null)
((${#wfilters[@]} > 0)) || die "the dump shim saw no filter (is warden linked dynamically?)"
wargs=""
echo
echo "warden's filters (default \`warden run\`), emulated as the kernel's action cache does:"
for f in "${wfilters[@]}"; do
  echo "  $("$prog" --emulate "$f" | sed "s|^$tmp/dump/||")"
  wargs+="--filter bpf:$f "
done

# name | mode | arguments
experiments=(
  "none|plain|"
  "allow-all|plain|--filter allow"
  "allow-all x2 (stacked)|plain|--filter allow --filter allow"
  "badarch=TRACE|plain|--filter badarch"
  "badarch + 100 TRACE rules|plain|--filter rules100"
  "100 rules + deny filter (warden's shape)|plain|--filter rules100 --filter deny"
  "allow-all, seized|plain|--filter allow --seize"
  "warden's filters, seized|plain|$wargs--seize"
  "allow-all, seized, tracer polls waitpid|plain|--filter allow --seize-spin"
  "allow-all, parent polls waitpid, no ptrace|plain|--filter allow --spin-wait"
  "allow-all, parent loops getppid, no ptrace|plain|--filter allow --spin-sys"
  "allow-all, parent spins in user space|plain|--filter allow --spin-user"
  "warden|warden|"
)
names=()
for e in "${experiments[@]}"; do
  IFS='|' read -r name mode args <<<"$e"
  row_mode[$name]=$mode
  row_args[$name]=$args
  names+=("$name")
done
echo
note "experiments: $RUNS x ${#names[@]} rows"
measure "${names[@]}"
table allow-all "${names[@]}"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
