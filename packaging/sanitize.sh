#!/usr/bin/env bash
# Builds warden and its tests with AddressSanitizer and UBSan in
# ./build-asan and runs the whole suite there: a tracee controls the
# registers and memory warden decodes, so memory errors must show up here
# first. LeakSanitizer cannot run under ptrace (the traced helper programs
# are instrumented too), so leaks are not checked by ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/install-deps.sh"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$root/build-asan" -j"$(nproc)"
cd "$root/build-asan"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@"
