#!/usr/bin/env bash
# bench/run.sh: wall time of the benchmark workloads, untraced, under warden
# and under strace. This is a benchmark, not a test (ctest does not run it).
#
#   bench/run.sh [WORKLOAD...]            # default: every `workloads.sh list`
#
# Environment:
#   WARDEN         warden binary (default build/cli/warden, else build-bench/cli/warden)
#   BENCH_RUNS     runs per workload and mode; the median is reported (default 5)
#   BENCH_PINNED   1: also run untraced and both tracers under `taskset -c $BENCH_CPU`
#                  (ratios stay against the unpinned untraced time; default 0)
#   BENCH_CPU      the CPU for BENCH_PINNED (default 0)
#   BENCH_TIMEOUT  seconds before one run is killed (default 300)
#   BENCH_TSV      if set, append every sample to this file (tab-separated)
#   BENCH_KEEP     1: keep the scratch directory (last warden db, strace output)
#   WORKLOADS      the workload script (default bench/workloads.sh)
#   BENCH_MODES    modes to run, space-separated (default: every mode; see
#                  `label` below), e.g. "u w wpol s"
#   BENCH_POLICY   policy for mode wpol (default bench/policy-50.yaml)
#
# Every run gets a fresh database; the modes are interleaved within each
# repetition so that drift in the machine affects all of them alike. See
# bench/README.md for what the columns mean.
set -euo pipefail

cmdline=""  # how this run was asked for: the settings given, then the arguments
for v in WARDEN BENCH_RUNS BENCH_PINNED BENCH_CPU BENCH_TIMEOUT BENCH_TSV BENCH_KEEP WORKLOADS BENCH_MODES BENCH_POLICY; do
  [[ -n ${!v+x} ]] && cmdline+="$v=${!v} "
done
cmdline+="bench/run.sh${*:+ $*}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
RUNS=${BENCH_RUNS:-5}
PINNED=${BENCH_PINNED:-0}
CPU=${BENCH_CPU:-0}
TIMEOUT=${BENCH_TIMEOUT:-300}
WORKLOADS=${WORKLOADS:-$here/workloads.sh}
# shellcheck disable=SC2054 # the commas are strace's, inside one argument
STRACE_ARGS=(-f --seccomp-bpf -e trace=%file,%process,%network)

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, got '$RUNS'"
[[ -x $WORKLOADS ]] || die "no workload script at $WORKLOADS (set WORKLOADS)"

if [[ -z ${WARDEN:-} ]]; then
  for c in "$root/build/cli/warden" "$root/build-bench/cli/warden"; do
    if [[ -x $c ]]; then WARDEN=$c; break; fi
  done
  [[ -n ${WARDEN:-} ]] || die "no warden binary in build/cli or build-bench/cli; build it or set WARDEN"
fi
[[ -x $WARDEN ]] || die "WARDEN=$WARDEN is not executable"
WARDEN=$(cd "$(dirname "$WARDEN")" && pwd)/$(basename "$WARDEN")

if ! command -v strace >/dev/null; then
  note "strace missing; installing it with apt-get"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y strace >/dev/null || { apt-get update >/dev/null && apt-get install -y strace >/dev/null; }
  else
    sudo apt-get install -y strace >/dev/null
  fi
  command -v strace >/dev/null || die "could not install strace"
fi
if [[ $PINNED == 1 ]]; then command -v taskset >/dev/null || die "BENCH_PINNED=1 needs taskset (util-linux)"; fi

if command -v sqlite3 >/dev/null; then
  count_rows() { sqlite3 "$1" "SELECT count(*) FROM $2" 2>/dev/null || echo '?'; }
  db_scalar() { sqlite3 "$1" "$2" 2>/dev/null || echo '?'; }
else
  db_scalar() {
    python3 - "$1" "$2" <<'EOF' 2>/dev/null || echo '?'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])
EOF
  }
  count_rows() { db_scalar "$1" "SELECT count(*) FROM $2"; }
fi

# TcpExt ListenDrops: a dropped SYN costs a 1 s retransmit, which swamps the
# `net` workload's timing when its accept queue overflows.
listen_drops() {
  awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ListenDrops") c = i; h = 1 }
                    else if (c) print $c }' /proc/net/netstat 2>/dev/null || true
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/warden-bench-run.XXXXXX")
if [[ ${BENCH_KEEP:-0} == 1 ]]; then
  trap 'note "scratch kept in $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

if (($# > 0)); then workloads=("$@"); else mapfile -t workloads < <("$WORKLOADS" list); fi
known=" $("$WORKLOADS" list | xargs) "
for w in "${workloads[@]}"; do [[ $known == *" $w "* ]] || die "unknown workload '$w' (known:${known% })"; done

POLICY=${BENCH_POLICY:-$here/policy-50.yaml}
modes=(u w wpol wpin wfast s)
[[ $PINNED == 1 ]] && modes+=(up wp sp)
if [[ -n ${BENCH_MODES:-} ]]; then read -r -a modes <<<"$BENCH_MODES"; fi
[[ " ${modes[*]} " == *" u "* ]] || die "BENCH_MODES must include u (ratios are against it)"
declare -A label=([u]=untraced [a]="allow-all filter" [w]=warden [wpol]="warden --policy" [wpin]="warden --pin" [wfast]="warden --pin --no-results" [s]=strace [up]="untraced@cpu$CPU" [wp]="warden@cpu$CPU" [sp]="strace@cpu$CPU")

# Mode a: the workload under libseccomp's allow-all filter (bench/allow_all.c),
# the floor for unwatched calls; built once, when asked for.
ALLOW_ALL=${TMPDIR:-/tmp}/warden-bench/allow_all
if [[ " ${modes[*]} " == *" a "* && ! $ALLOW_ALL -nt $here/allow_all.c ]]; then
  mkdir -p "$(dirname "$ALLOW_ALL")"
  gcc -O2 -o "$ALLOW_ALL.$$" "$here/allow_all.c" -lseccomp && mv -f "$ALLOW_ALL.$$" "$ALLOW_ALL" ||
    die "cannot build bench/allow_all.c (needs gcc and libseccomp-dev)"
fi

# The command line for one mode; warden and strace write into $tmp.
command_for() { # MODE WORKLOAD
  local pin=()
  [[ $1 == ?p ]] && pin=(taskset -c "$CPU")
  case $1 in
    u|up)  cmd=("${pin[@]}" "$WORKLOADS" "$2") ;;
    a)     cmd=("$ALLOW_ALL" "$WORKLOADS" "$2") ;;
    w|wp)  cmd=("${pin[@]}" "$WARDEN" run --db "$tmp/w-$1.db" -- "$WORKLOADS" "$2") ;;
    wpin)  cmd=("$WARDEN" run --pin --db "$tmp/w-$1.db" -- "$WORKLOADS" "$2") ;;
    wpol)  cmd=("$WARDEN" run --policy "$POLICY" --db "$tmp/w-$1.db" -- "$WORKLOADS" "$2") ;;
    wfast) cmd=("$WARDEN" run --pin --no-results --db "$tmp/w-$1.db" -- "$WORKLOADS" "$2") ;;
    s|sp)  cmd=("${pin[@]}" strace "${STRACE_ARGS[@]}" -o "$tmp/strace-$1.out" "$WORKLOADS" "$2") ;;
  esac
}

declare -A samples fails drops
declare -A ev_sys ev_file ev_exec ev_net ev_lost st_lines

# One timed run; appends the wall time in ns to samples[w,mode].
run_one() { # MODE WORKLOAD REP
  local mode=$1 w=$2 rep=$3 t0 t1 rc d0 d1
  command_for "$mode" "$w"
  rm -f "$tmp/w-$mode.db" "$tmp/w-$mode.db-wal" "$tmp/w-$mode.db-shm" "$tmp/w-$mode.db-journal"
  d0=$(listen_drops)
  t0=$(date +%s%N)
  rc=0
  timeout -k 10 "$TIMEOUT" "${cmd[@]}" >"$tmp/out.log" 2>&1 || rc=$?
  t1=$(date +%s%N)
  d1=$(listen_drops)
  samples[$w,$mode]+="$((t1 - t0)) "
  if [[ -n $d0 && -n $d1 ]]; then drops[$w,$mode]=$(( ${drops[$w,$mode]:-0} + d1 - d0 )); fi
  if ((rc != 0)); then
    fails[$w,$mode]=$(( ${fails[$w,$mode]:-0} + 1 ))
    note "$w/${label[$mode]} run $rep exited with $rc$( ((rc == 124)) && echo " (timed out after ${TIMEOUT}s)"); its output:"
    tail -n 5 "$tmp/out.log" | sed 's/^/    /' >&2
  fi
  if [[ -n ${BENCH_TSV:-} ]]; then
    printf '%s\t%s\t%s\t%s\t%d\t%d\n' "$stamp" "$w" "${label[$mode]}" "$rep" "$((t1 - t0))" "$rc" >>"$BENCH_TSV"
  fi
  case $mode in # the counts of the last run of each workload are reported
    w)
      local db=$tmp/w-w.db
      ev_sys[$w]=$(count_rows "$db" syscall_events)
      ev_file[$w]=$(count_rows "$db" file_events)
      ev_exec[$w]=$(count_rows "$db" exec_events)
      ev_net[$w]=$(count_rows "$db" net_events)
      ev_lost[$w]=$(db_scalar "$db" "SELECT coalesce(sum(lost_events), 0) FROM runs")
      ;;
    s) st_lines[$w]=$(wc -l <"$tmp/strace-s.out" 2>/dev/null || echo '?') ;;
  esac
}

median_ns() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 }
  END { if (NR == 0) exit; m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f", m }'; }
secs() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
wver=$("$WARDEN" version 2>/dev/null | head -n 1 || true)
{
  echo "# warden benchmark, $stamp"
  echo "host: $(uname -srm), $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
  echo "warden: $WARDEN${wver:+ ($wver)}"
  echo "strace: $(strace -V | head -n 1); args: ${STRACE_ARGS[*]} -o FILE"
  echo "runs per mode: $RUNS (median reported); pinned: $([[ $PINNED == 1 ]] && echo "yes, cpu $CPU" || echo no)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
  echo "command: $cmdline"
  echo
}

start=$(date +%s)
for w in "${workloads[@]}"; do
  note "$w: warm-up, then $RUNS x (${modes[*]})"
  "$WORKLOADS" "$w" >/dev/null 2>&1 || note "$w: warm-up run failed"
  for ((rep = 1; rep <= RUNS; rep++)); do
    for mode in "${modes[@]}"; do run_one "$mode" "$w" "$rep"; done
  done
done
note "done in $(( $(date +%s) - start )) s"

# The table, as Markdown so that it can be pasted into bench/README.md.
# One "seconds | ratio" pair of columns per mode, in the order run.
hdr="| workload | untraced s |"
sep="|---|---:|"
for mode in "${modes[@]:1}"; do
  if [[ $mode == up ]]; then hdr+=" ${label[up]} s |"; sep+="---:|"; continue; fi
  hdr+=" ${label[$mode]} s | ratio |"
  sep+="---:|---:|"
done
hdr+=" syscall_events | file_events | exec_events | net_events | strace lines |"
sep+="---:|---:|---:|---:|---:|"
echo "$hdr"
echo "$sep"
for w in "${workloads[@]}"; do
  declare -A med=()
  for mode in "${modes[@]}"; do med[$mode]=$(median_ns <<<"${samples[$w,$mode]}"); done
  row="| $w | $(secs "${med[u]}") |"
  for mode in "${modes[@]:1}"; do
    if [[ $mode == up ]]; then row+=" $(secs "${med[up]}") |"; continue; fi
    mark=""
    [[ -n ${fails[$w,$mode]:-} ]] && mark=" (${fails[$w,$mode]} failed)"
    row+=" $(secs "${med[$mode]}")$mark | $(ratio "${med[$mode]}" "${med[u]}") |"
  done
  row+=" ${ev_sys[$w]:--} | ${ev_file[$w]:--} | ${ev_exec[$w]:--} | ${ev_net[$w]:--} | ${st_lines[$w]:--} |"
  echo "$row"
  unset med
done
echo

echo "Samples in seconds, sorted (spread shows how noisy each median is):"
for w in "${workloads[@]}"; do
  for mode in "${modes[@]}"; do
    printf '  %-6s %-14s' "$w" "${label[$mode]}"
    for s in $(tr ' ' '\n' <<<"${samples[$w,$mode]}" | grep . | sort -n); do printf ' %s' "$(secs "$s")"; done
    echo
  done
done

notes=()
for w in "${workloads[@]}"; do
  [[ ${ev_lost[$w]:-0} != 0 && ${ev_lost[$w]} != '?' ]] && notes+=("$w: warden reported ${ev_lost[$w]} lost events (runs.lost_events)")
  [[ ${ev_sys[$w]:-?} == 0 || ${ev_sys[$w]:-?} == '?' ]] && notes+=("$w: warden recorded no syscall_events: the traced run did not record")
  for mode in "${modes[@]}"; do
    d=${drops[$w,$mode]:-0}
    ((d > 0)) && notes+=("$w/${label[$mode]}: $d TCP listen drops in $RUNS runs (each stalls a connect ~1 s on SYN retransmit)")
  done
done
if ((${#notes[@]} > 0)); then
  echo
  echo "Notes:"
  printf '  %s\n' "${notes[@]}"
fi
