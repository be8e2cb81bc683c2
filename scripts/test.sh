#!/usr/bin/env bash
# Installs what is missing, builds xgrad, runs the whole test suite, then
# builds it again under AddressSanitizer + UndefinedBehaviorSanitizer and runs it there.
#   scripts/test.sh              everything
#   XGRAD_SKIP_SANITIZERS=1 scripts/test.sh   the plain build only
set -euo pipefail
source "$(dirname "$0")/setup.sh"
xgrad_install_packages

cd "$XGRAD_ROOT"
echo "== build (Release) =="
xgrad_build build
# ctest runs test programs side by side: OpenMP threads that spin while they
# wait would fight each other for the cores, so they sleep instead.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
echo "== tests (Release) =="
(cd build && ctest --output-on-failure -j "$XGRAD_JOBS" --timeout 900)

if [ "${XGRAD_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build (ASan + UBSan) =="
  # -O1 with line tables: readable sanitizer reports at a fraction of -O2 -g's compile time.
  xgrad_build build-sanitize -DXGRAD_SANITIZE=ON -DXGRAD_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g1"
  echo "== tests (ASan + UBSan) =="
  # Long training runs are covered by the Release pass; the sanitizer pass checks memory and UB.
  (cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j "$XGRAD_JOBS" --timeout 900 -LE slow)
fi
