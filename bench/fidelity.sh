#!/usr/bin/env bash
# Fidelity against strace: runs each workload once under strace and once
# under warden, from the same scratch directory (recreated in between, so
# absolute paths agree), and compares what each saw with bench/fidelity.py.
# Prints the table of bench/README.md ("Fidelity") and keeps the per-workload
# details (every item only one side saw) in $FID_OUT/NAME.txt.
#
#   bench/fidelity.sh              # every workload
#   bench/fidelity.sh sh gcc       # only these
#   bench/fidelity.sh list         # their names
#   bench/fidelity.sh -- CMD ARG.. # any command, as workload "custom" (run
#                                  # from an empty scratch directory)
#
# Environment: WARDEN (default build/cli/warden, else build-fid/cli/warden),
# FID_OUT (default /tmp/warden-fidelity/out), FID_PORT (loopback port of the
# net workload, default 47311; it also uses FID_PORT+1 and +2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
if [[ -z "${WARDEN:-}" ]]; then
  for b in build build-fid; do
    [[ -x "$repo/$b/cli/warden" ]] && { WARDEN="$repo/$b/cli/warden"; break; }
  done
fi
WARDEN=${WARDEN:-$repo/build/cli/warden}
[[ -x "$WARDEN" ]] && WARDEN=$(cd "$(dirname "$WARDEN")" && pwd)/$(basename "$WARDEN")
base=${FID_BASE:-/tmp/warden-fidelity}
out=${FID_OUT:-$base/out}
export FID_PORT=${FID_PORT:-47311}
# The driver must not be the pyenv shim: use the system python for it.
py=/usr/bin/python3
[[ -x $py ]] || py=python3
# Deterministic git objects (same hashes in both runs).
export GIT_AUTHOR_NAME=fid GIT_AUTHOR_EMAIL=fid@example.invalid GIT_COMMITTER_NAME=fid
export GIT_COMMITTER_EMAIL=fid@example.invalid
export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
export LC_ALL=C

all=(sh gcc python threads make git tar net find perl fileops untar procfd link killed)

# The command of each workload, as an array, so that the traced program is
# the workload itself (run from its scratch directory).
command_of() {
  case $1 in
    custom)  cmd=("${custom[@]}") ;;
    sh)      cmd=(sh -c 'ls /etc | sort | head -3') ;;
    gcc)     cmd=(gcc -O0 -c hello.c) ;;
    python)  cmd=(python3 -c 'import json, sqlite3, threading') ;;
    threads) cmd=(python3 threads.py) ;;
    make)    cmd=(make -s -C proj) ;;
    git)     cmd=(sh -c 'git init -q repo && cd repo && echo hi > a.txt && mkdir d && echo x > d/b.txt && git add a.txt d && git commit -q -m first') ;;
    tar)     cmd=(tar czf data.tgz data) ;;
    net)     cmd=(python3 net.py) ;;
    find)    cmd=(find /usr/include -name 'std*.h') ;;
    perl)    cmd=(perl -e 'open F, "/etc/passwd"') ;;
    # Beyond the brief's list: coreutils on relative paths and dirfds, tar
    # extraction (mkdirat, symlinkat, utimensat, fchownat on dirfds), paths
    # through /dev/fd and /proc/self, a full compile-and-link, and a process
# killed while it waits in open(2).
    fileops) cmd=(sh -c 'mkdir -p a/b && touch a/b/f && cp -r a c && mv c d && ln -s ../a d/l && ln a/b/f a/h && chmod -R g+w d && ls -lR d >/dev/null && du -s a >/dev/null && rm -r d && cd a && readlink -f b/../h >/dev/null && stat -c %s ../a/h >/dev/null') ;;
    untar)   cmd=(tar xzf data.tgz -C out) ;;
    procfd)  cmd=(bash -c 'cat <(echo x) >/dev/null; readlink /proc/self/exe >/dev/null; cat /dev/fd/0 </etc/hostname >/dev/null; ls /proc/self/fd/ >/dev/null; cd /tmp && ls /proc/self/cwd/ >/dev/null') ;;
    link)    cmd=(gcc -O0 -o hello hello.c) ;;
    # A process killed inside a call: strace shows the open with "= ?".
    killed)  cmd=(sh -c 'mkfifo p; timeout -s KILL 0.5 cat p; true') ;;
    *) echo "unknown workload: $1" >&2; return 2 ;;
  esac
}

# A fresh scratch directory with the workload's inputs.
setup() {
  local w=$1 dir=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  case $w in
    gcc|link) cp "$here/hello.c" "$dir/" ;;
    untar)
      mkdir -p "$dir/data/sub" "$dir/out"
      echo one >"$dir/data/one.txt"; echo two >"$dir/data/sub/two.txt"
      ln -s one.txt "$dir/data/link"; ln "$dir/data/one.txt" "$dir/data/hard"
      (cd "$dir" && tar czf data.tgz data && rm -rf data) ;;
    threads)
      cat >"$dir/threads.py" <<'EOF'
import os, threading
def work(i):
    os.mkdir("d%d" % i)
    for j in range(3):
        p = "d%d/f%d" % (i, j)
        with open(p, "w") as f:
            f.write("x")
        os.stat(p)
        os.rename(p, p + ".done")
    try:
        open("missing%d" % i)
    except OSError:
        pass
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
EOF
      ;;
    make)
      mkdir -p "$dir/proj"
      printf 'all: c\na:\n\techo a > a\nb: a\n\tcp a b\nc: b\n\tcat b > c\n' >"$dir/proj/Makefile" ;;
    tar)
      mkdir -p "$dir/data/sub"
      echo one >"$dir/data/one.txt"; echo two >"$dir/data/sub/two.txt"
      ln -s one.txt "$dir/data/link" ;;
    net) cp "$here/fidelity_net.py" "$dir/net.py" ;;
  esac
}

if [[ "${1:-}" == list ]]; then printf '%s\n' "${all[@]}"; exit 0; fi
command -v strace >/dev/null || { echo "fidelity.sh: strace is not installed" >&2; exit 1; }
[[ -x "$WARDEN" ]] || { echo "fidelity.sh: no warden binary (set WARDEN)" >&2; exit 1; }
custom=()
if [[ "${1:-}" == -- ]]; then shift; custom=("$@"); set -- custom; fi
(( $# )) && names=("$@") || names=("${all[@]}")
mkdir -p "$out"
results=()
for w in "${names[@]}"; do
  command_of "$w"
  if [[ $w == git ]] && ! command -v git >/dev/null; then echo "skip git: not installed" >&2; continue; fi
  dir=$base/$w
  setup "$w" "$dir"
  (cd "$dir" && strace -f -qq -yy -s 65535 -e signal=none \
      -e trace=%file,%process,%network,fchdir -o "$out/$w.strace" -- "${cmd[@]}" \
      >"$out/$w.strace.stdout" 2>&1) || echo "$w: exit $? under strace" >&2
  setup "$w" "$dir"
  rm -f "$out/$w.db" "$out/$w.db-wal" "$out/$w.db-shm"
  (cd "$dir" && "$WARDEN" run --db "$out/$w.db" -- "${cmd[@]}" \
      >"$out/$w.warden.stdout" 2>&1) || echo "$w: exit $? under warden" >&2
  "$py" "$here/fidelity.py" compare --name "$w" --command "${cmd[*]}" --cwd "$dir" \
      --strace "$out/$w.strace" --db "$out/$w.db" --details "$out/$w.txt" --json "$out/$w.json"
  results+=("$out/$w.json")
done
"$py" "$here/fidelity.py" table "${results[@]}"
echo "details: $out/NAME.txt"
