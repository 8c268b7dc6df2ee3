#!/usr/bin/env bash
# A private PostgreSQL server for warden's tests and benchmarks, from
# Debian's postgresql package: initdb and pg_ctl into DIR, listening on
# 127.0.0.1 only (a free port) and a socket in DIR, password login for the
# user warden. As root it runs as the user nobody (PostgreSQL refuses root).
#
#   pg-test-server.sh start DIR   prints the admin URL (starts the server
#                                 once; later calls reuse it), or a line
#                                 "SKIP: why" when the binaries are missing
#   pg-test-server.sh stop DIR    stops it (nothing when it is not running)
#   pg-test-server.sh url DIR     the URL of the running server
#   pg-test-server.sh crash DIR   stops it at once, as a server that went
#                                 away (pg_ctl -m immediate; the fault tests)
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }

bindir=${WARDEN_PG_BINDIR:-}
if [[ -z "$bindir" ]]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    bindir=$(dirname "$(command -v initdb)")
  else
    [[ "$cmd" == start ]] && echo "SKIP: the PostgreSQL server binaries (initdb, pg_ctl) are not installed; install Debian's postgresql package (packaging/install-deps.sh does)"
    exit 0
  fi
fi

as_owner=()
if [[ $(id -u) -eq 0 ]]; then as_owner=(runuser -u nobody --); fi

case "$cmd" in
  start)
    mkdir -p "$dir"
    exec 9>"$dir/.lock"
    flock 9
    if [[ $(id -u) -eq 0 ]]; then chown nobody:nogroup "$dir"; fi
    if [[ -f "$dir/url" ]] && "${as_owner[@]}" "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
      cat "$dir/url"
      exit 0
    fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      rm -rf "$dir/data"
      head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/pwfile"
      [[ $(id -u) -eq 0 ]] && chown nobody:nogroup "$dir/pwfile"
      "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U warden --pwfile="$dir/pwfile" \
        -A scram-sha-256 -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
        { echo "pg-test-server: initdb failed, see $dir/initdb.log:" >&2; tail -5 "$dir/initdb.log" >&2; exit 1; }
    fi
    # The same port as before when it is free (a restarted server keeps its URL).
    port=$(python3 - "$dir/port" <<'PY'
import socket, sys
try:
    want = int(open(sys.argv[1]).read())
except Exception:
    want = 0
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
try:
    s.bind(("127.0.0.1", want))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
)
    echo "$port" > "$dir/port"
    touch "$dir/server.log"
    [[ $(id -u) -eq 0 ]] && chown nobody:nogroup "$dir/server.log"
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
      start >/dev/null 9>&- ||
      { echo "pg-test-server: the server did not start, see $dir/server.log:" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
    echo "postgresql://warden:$(cat "$dir/pwfile")@127.0.0.1:$port/postgres" > "$dir/url"
    cat "$dir/url"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -f "$dir/url"
    ;;
  url)
    cat "$dir/url"
    ;;
  crash)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  *) echo "usage: $0 start|stop|url|crash DIR" >&2; exit 2 ;;
esac
