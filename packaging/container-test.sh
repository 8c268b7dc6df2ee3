#!/usr/bin/env bash
# Container tests with a real container engine (warden(1), CONTAINER
# ENTRYPOINT and warden stub): a small image made from this machine's own
# files with `docker import`, its stub made with `warden stub`, and the stub
# run by dockerd as root and as a non-root user, under Docker's default
# capabilities and seccomp profile and with --cap-add SYS_PTRACE, with
# --read-only, with no capabilities at all (what examples/kubernetes asks
# for), built from examples/container/Dockerfile, and stopped with `docker
# stop`; each time the database on the volume is checked (exit status, the
# programs and files recorded).
#
#   packaging/container-test.sh        # WARDEN=path/to/warden to choose the binary
#
# Installs Debian's docker.io when it is missing. Uses a dockerd that
# already runs; else starts its own, private one (own socket and data
# directory, --bridge=none --iptables=false --ip-forward=false: no network
# settings of the machine change) and stops it at the end. Containers run
# with --network none. If no engine can start here, says so and runs the
# namespace equivalent only (unshare + chroot, warden as PID 1).
# Exit status: 0 when every case passed (or was skipped, with the reason
# printed); 1 when one failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
WARDEN=${WARDEN:-$root/build/cli/warden}
[[ -x $WARDEN ]] || { echo "container-test: no warden at $WARDEN; build it first (packaging/build.sh)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "container-test: SKIP: needs root (dockerd, chroot)" >&2; exit 0; }

work=$(mktemp -d /tmp/warden-ctest.XXXXXX)
image=warden-ctest:1
stub=warden-ctest:1-stub
own_dockerd=""
failures=0

log() { echo "container-test: $*" >&2; }
pass() { log "PASS $*"; }
fail() { log "FAIL $*"; failures=$((failures + 1)); }

cleanup() {
  if [[ -n ${DOCKER_HOST:-} ]] || [[ -n $own_dockerd ]]; then
    docker rm -f warden-ctest-stop >/dev/null 2>&1 || true
    docker rmi -f "$stub" "$image" >/dev/null 2>&1 || true
  fi
  if [[ -n $own_dockerd ]]; then
    kill "$own_dockerd" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$own_dockerd" 2>/dev/null || break; sleep 0.2; done
    # The daemon's own mounts under its data directory, if any are left.
    grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the engine ---------------------------------------------------------------
if ! command -v dockerd >/dev/null; then
  log "installing Debian's docker.io"
  # No service may start from the package (a default dockerd would add a
  # bridge and firewall rules): policy-rc.d says so for the installation.
  guard=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null; } ||
    log "could not install docker.io"
  [[ -n $guard ]] && rm -f /usr/sbin/policy-rc.d
fi

engine=""
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  engine="the running dockerd"
elif command -v dockerd >/dev/null; then
  export DOCKER_HOST="unix://$work/docker.sock"
  dockerd --host "$DOCKER_HOST" --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --storage-driver=vfs >"$work/dockerd.log" 2>&1 &
  own_dockerd=$!
  for _ in $(seq 100); do
    docker info >/dev/null 2>&1 && { engine="a private dockerd"; break; }
    kill -0 "$own_dockerd" 2>/dev/null || break
    sleep 0.3
  done
  if [[ -z $engine ]]; then
    log "SKIP the engine cases: dockerd cannot start here; its log ends:"
    tail -5 "$work/dockerd.log" >&2 || true
  fi
else
  log "SKIP the engine cases: no dockerd (docker.io could not be installed)"
fi

# --- the image: this machine's sh and a few programs with their libraries ----
rootfs=$work/rootfs
mkdir -p "$rootfs"/{usr/bin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,tmp}
ln -s usr/bin "$rootfs/bin"; ln -s usr/lib "$rootfs/lib"; ln -s usr/lib64 "$rootfs/lib64"
chmod 1777 "$rootfs/tmp"
for prog in dash cat ls sleep; do
  cp "$(command -v $prog)" "$rootfs/usr/bin/$prog"
  for lib in $(ldd "$(command -v $prog)" | grep -o '/[^ ]*'); do
    cp -n "$(readlink -f "$lib")" "$rootfs/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
  done
done
ln -s dash "$rootfs/usr/bin/sh"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$rootfs/usr/lib64/ld-linux-x86-64.so.2"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/tmp:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' >"$rootfs/etc/group"
echo warden-ctest >"$rootfs/etc/hostname"
tar -C "$rootfs" -cf "$work/rootfs.tar" .
# The job every case runs: a file read, a listing, a status of its own.
job='cat /etc/hostname >/dev/null && ls / >/dev/null && echo job-ok && exit 3'

# One value from the database (CSV lines end in CRLF, as RFC 4180 says).
sql() { "$WARDEN" query sql --db "$1" --format csv "$2" | tail -1 | tr -d '\r'; }

# What a finished run recorded: the exit status, cat's exec, the file read.
check_db() {  # NAME DB WANT_EXIT
  local name=$1 db=$2 want=$3 got
  if [[ ! -s $db ]]; then fail "$name: no database at $db"; return; fi
  got=$(sql "$db" "SELECT exit_code FROM runs ORDER BY id DESC LIMIT 1")
  [[ $got == "$want" ]] || { fail "$name: run exit_code '$got', want $want"; return; }
  got=$(sql "$db" "SELECT count(*) FROM exec_events WHERE path LIKE '%/cat' AND result = 0")
  [[ $got -ge 1 ]] || { fail "$name: cat's exec not recorded"; return; }
  got=$(sql "$db" "SELECT count(*) FROM file_events WHERE path = '/etc/hostname' AND result >= 0")
  [[ $got -ge 1 ]] || { fail "$name: the read of /etc/hostname not recorded"; return; }
  got=$("$WARDEN" runs --db "$db" --json | tail -1)
  [[ $got == *'"state":"finished"'* ]] || { fail "$name: run not finished: $got"; return; }
  pass "$name"
}

if [[ -n $engine ]]; then
  log "engine: $engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  docker import --change "CMD [\"/bin/sh\", \"-c\", \"$job\"]" "$work/rootfs.tar" "$image" >/dev/null
  docker save -o "$work/image.tar" "$image"
  "$WARDEN" stub "$work/image.tar" -o "$work/stub.tar" >/dev/null
  docker load -i "$work/stub.tar" >/dev/null
  docker image inspect "$stub" >/dev/null || { fail "docker load of the stub"; exit 1; }

  run_case() {  # NAME DOCKER-RUN-OPTIONS...
    local name=$1; shift
    local vol=$work/vol-$name rc=0 out
    mkdir -p "$vol" && chmod 1777 "$vol"
    out=$(docker run --rm --network none -v "$vol:/var/lib/warden" "$@" "$stub" 2>"$work/$name.err") || rc=$?
    if [[ $rc -ne 3 || $out != *job-ok* ]]; then
      fail "$name: exit $rc (want 3), output '$out'; stderr: $(tail -3 "$work/$name.err")"
      return
    fi
    check_db "$name" "$vol/warden.db" 3
  }
  run_case root-default-profile
  run_case non-root --user 1000:1000
  run_case cap-sys-ptrace --cap-add SYS_PTRACE
  run_case read-only --read-only
  run_case non-root-read-only --user 1000:1000 --read-only
  # What examples/kubernetes asks for: non-root, no capabilities at all, no
  # privilege escalation, a read-only root.
  run_case no-caps --user 1000:1000 --cap-drop ALL --security-opt no-new-privileges --read-only

  # examples/container/Dockerfile: the bundle COPY'd into the image.
  ctx=$work/ctx
  mkdir -p "$ctx"
  cp "$root/examples/container/Dockerfile" "$ctx/"
  echo "CMD [\"/bin/sh\", \"-c\", \"$job\"]" >>"$ctx/Dockerfile"  # the image's CMD, as the example says
  "$WARDEN" stub --bundle "$ctx/bundle" >/dev/null
  if docker build -q --network none --build-arg APP_IMAGE="$image" -t warden-ctest:1-df "$ctx" >"$work/build.log" 2>&1; then
    vol=$work/vol-dockerfile
    mkdir -p "$vol" && chmod 1777 "$vol"
    rc=0
    out=$(docker run --rm --network none -v "$vol:/var/lib/warden" warden-ctest:1-df 2>"$work/df.err") || rc=$?
    docker rmi -f warden-ctest:1-df >/dev/null 2>&1 || true
    if [[ $rc -ne 3 || $out != *job-ok* ]]; then fail "dockerfile: exit $rc (want 3); $(tail -3 "$work/df.err")"
    else check_db dockerfile "$vol/warden.db" 3; fi
  else
    fail "dockerfile: docker build failed: $(tail -5 "$work/build.log")"
  fi

  # docker stop: SIGTERM reaches the program, whose status comes back.
  vol=$work/vol-stop
  mkdir -p "$vol" && chmod 1777 "$vol"
  docker run -d --name warden-ctest-stop --network none -v "$vol:/var/lib/warden" "$stub" \
    /bin/sh -c 'trap "cat /etc/hostname >/dev/null; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
  for _ in $(seq 50); do docker logs warden-ctest-stop 2>/dev/null | grep -q ready && break; sleep 0.2; done
  docker stop -t 10 warden-ctest-stop >/dev/null
  code=$(docker inspect --format '{{.State.ExitCode}}' warden-ctest-stop)
  docker rm -f warden-ctest-stop >/dev/null
  if [[ $code != 7 ]]; then fail "docker-stop: container exit $code, want 7 (the program's trap)"
  else check_db docker-stop "$vol/warden.db" 7; fi
fi

# --- the namespace equivalent: warden as PID 1, no engine ---------------------
if command -v unshare >/dev/null && unshare --pid --fork --mount-proc true 2>/dev/null; then
  ns=$work/ns-root
  mkdir -p "$ns/var/lib/warden"
  cp -a "$rootfs/." "$ns/"
  if [[ ! -f $work/stub.tar ]]; then
    # No engine made the image archive: make it by hand, then its stub.
    mkdir -p "$work/save/l1" && cp "$work/rootfs.tar" "$work/save/l1/layer.tar"
    diff=$(sha256sum "$work/save/l1/layer.tar" | cut -d' ' -f1)
    printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh","-c","%s"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
      "$job" "$diff" >"$work/save/config.json"
    echo '[{"Config":"config.json","RepoTags":["warden-ctest:1"],"Layers":["l1/layer.tar"]}]' >"$work/save/manifest.json"
    tar -C "$work/save" -cf "$work/image.tar" .
    "$WARDEN" stub "$work/image.tar" -o "$work/stub.tar" >/dev/null
  fi
  mkdir -p "$work/stubx" && tar -C "$work/stubx" -xf "$work/stub.tar"
  # The stub's own layer (the last one) on top of the root, then its
  # entrypoint and command, as the engine would run them.
  last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' "$work/stubx/manifest.json")
  tar -C "$ns" -xf "$work/stubx/$last"
  mapfile -t argv < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))[0]
c = json.load(open(sys.argv[1] + "/" + m["Config"]))["config"]
print("\n".join(c["Entrypoint"] + c["Cmd"]))' "$work/stubx")
  rc=0
  mkdir -p "$ns/proc" "$ns/dev"
  # In a new PID and mount namespace: its own /proc, the host's /dev, then
  # chroot, as an engine would set the container up.
  out=$(unshare --pid --fork --mount sh -c 'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" &&
        exec chroot "$0" "$@"' "$ns" "${argv[@]}" 2>"$work/ns.err") || rc=$?
  if [[ $rc -ne 3 || $out != *job-ok* ]]; then fail "namespace-pid1: exit $rc (want 3); $(tail -3 "$work/ns.err")"
  else check_db namespace-pid1 "$ns/var/lib/warden/warden.db" 3; fi
else
  log "SKIP namespace-pid1: this machine does not allow a new PID namespace"
fi

if [[ $failures -gt 0 ]]; then log "$failures case(s) failed"; exit 1; fi
log "all cases passed"
