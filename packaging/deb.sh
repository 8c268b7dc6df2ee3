#!/usr/bin/env bash
# Builds the Debian package (CPack, Depends from dpkg-shlibdeps) into
# ./build, checks it, and installs it into a clean root with dpkg:
#   - the package holds /usr/bin/warden and the man pages, and its Depends
#     name every library package the binary links;
#   - a new root (this machine's sh and coreutils, the libraries the binary
#     loads, and a dpkg database that records the Depends packages as
#     installed, copied from this machine's: no network needed) takes
#     `dpkg --root ROOT -i`; warden runs from it in a chroot and records a
#     run; `dpkg --root ROOT -r warden` removes it again;
#   - `cmake --install` into a prefix installs the same files.
# Run after packaging/build.sh (CI does). Exit status 0 when all held.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
[[ -x $build/cli/warden ]] || { echo "deb: build first (packaging/build.sh)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "deb: SKIP: needs root (chroot, dpkg --root)" >&2; exit 0; }
work=$(mktemp -d /tmp/warden-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "deb: FAIL $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/warden_*_amd64.deb)
echo "deb: built $(basename "$deb")" >&2
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for want in ./usr/bin/warden ./usr/share/man/man1/warden.1 ./usr/share/man/man5/warden-policy.5 \
            ./usr/share/man/man5/warden-db.5 ./usr/share/man/man5/warden-expect.5; do
  grep -qx -- "$want" <<<"$files" || fail "the package lacks $want"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libseccomp2 libsqlite3-0 libarchive13 libpq5 libyaml-cpp libfmt libabsl libc6; do
  [[ $depends == *"$lib"* ]] || fail "Depends does not name $lib: $depends"
done

# The clean root.
r=$work/root
mkdir -p "$r"/{usr/bin,usr/lib/x86_64-linux-gnu,usr/lib64,tmp,var/lib/dpkg/info,var/lib/dpkg/updates,var/lib/dpkg/triggers}
ln -s usr/bin "$r/bin"; ln -s usr/lib "$r/lib"; ln -s usr/lib64 "$r/lib64"
chmod 1777 "$r/tmp"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/usr/lib64/ld-linux-x86-64.so.2"
copy_with_libs() {
  for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
    cp -n "$(readlink -f "$lib")" "$r/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
  done
}
for prog in dash true cat; do
  cp "$(type -P $prog)" "$r/usr/bin/$prog"
  copy_with_libs "$(type -P $prog)"
done
ln -s dash "$r/usr/bin/sh"
copy_with_libs "$build/cli/warden"  # what the Depends packages provide
: >"$r/var/lib/dpkg/status"
: >"$r/var/lib/dpkg/available"
for pkg in $(sed 's/([^)]*)//g; s/,/ /g; s/|[^,]*//g' <<<"$depends"); do
  dpkg-query -s "$pkg" >>"$r/var/lib/dpkg/status" || fail "this machine does not have $pkg installed"
  echo >>"$r/var/lib/dpkg/status"
done

dpkg --root="$r" --force-script-chrootless -i "$deb" >"$work/dpkg.log" 2>&1 || fail "dpkg -i: $(tail -5 "$work/dpkg.log")"
[[ -x $r/usr/bin/warden ]] || fail "dpkg -i put no /usr/bin/warden in the root"
# In a mount namespace of its own, with /proc as any system has it.
mkdir -p "$r/proc"
out=$(unshare --mount sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$r" \
  /usr/bin/warden run --db /tmp/w.db -- /bin/cat /proc/self/comm 2>"$work/run.err") ||
  fail "warden run in the root: $(cat "$work/run.err")"
[[ $out == cat ]] || fail "warden run in the root printed '$out'"
n=$(chroot "$r" /usr/bin/warden query --db /tmp/w.db --format csv sql \
  "SELECT count(*) FROM exec_events WHERE path = '/usr/bin/cat'" | tail -1 | tr -d '\r')
[[ $n == 1 ]] || fail "the run in the root recorded $n execs of /usr/bin/cat"
dpkg --root="$r" --force-script-chrootless -r warden >"$work/dpkg.log" 2>&1 || fail "dpkg -r: $(tail -5 "$work/dpkg.log")"
[[ ! -e $r/usr/bin/warden ]] || fail "dpkg -r left /usr/bin/warden"
echo "deb: installed into a clean root, ran, removed" >&2

cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in bin/warden share/man/man1/warden.1 share/man/man5/warden-db.5; do
  [[ -e $work/prefix/$f ]] || fail "cmake --install put no $f"
done
echo "deb: cmake --install OK" >&2
