#!/usr/bin/env bash
# Installs warden's build and test dependencies from Debian's packages.
# Does nothing when every package is already present. Needs root (or sudo).
# --browser: also Chromium, which the report tests render pages in
# (packaging/test.sh asks for it; a build alone does not need it).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libseccomp-dev libabsl-dev libfmt-dev libyaml-cpp-dev libsqlite3-dev libarchive-dev libssl-dev
  libpq-dev postgresql
  googletest libgtest-dev libgmock-dev
  nlohmann-json3-dev zlib1g-dev
  linux-libc-dev sqlite3 python3 strace
)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
