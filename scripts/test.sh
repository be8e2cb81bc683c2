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
echo "== tests (Release) =="
(cd build && ctest --output-on-failure -j "$XGRAD_JOBS" --timeout 900)

if [ "${XGRAD_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build (ASan + UBSan) =="
  xgrad_build build-sanitize -DXGRAD_SANITIZE=ON -DXGRAD_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
  echo "== tests (ASan + UBSan) =="
  # Long training runs are covered by the Release pass; the sanitizer pass checks memory and UB.
  (cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j "$XGRAD_JOBS" --timeout 900 -LE slow)
fi
