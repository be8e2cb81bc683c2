#!/usr/bin/env bash
# xgrad vs PyTorch, side by side, in one command:
#   bench/compare.sh
# Installs python3-torch (Debian) if missing, builds xgrad in Release with the
# benchmarks into build-bench/, then runs bench/compare.py, which prints a
# markdown table and writes bench/results/latest.md. Knobs (environment):
# XGRAD_BENCH_REPS, XGRAD_BENCH_MLP_EPOCHS, XGRAD_BENCH_MLP_REPS, XGRAD_BENCH_ONLY;
# OPENBLAS_* / OMP_NUM_THREADS are passed unchanged to both sides.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/setup.sh"
xgrad_install_packages python3-torch

build="$XGRAD_ROOT/build-bench"
# A first configure of a fresh tree can fail to resolve the tests' precompiled
# header path (CMake 3.25); a second configure succeeds.
cmake -S "$XGRAD_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release -DXGRAD_BUILD_BENCH=ON >/dev/null 2>&1 ||
  cmake -S "$XGRAD_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release -DXGRAD_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$XGRAD_JOBS" --target xgrad_bench xgrad_microbench
# The same bench built as a user's project against the installed package (no flags
# of its own): the "adabelief ... consumer-built" rows.
rm -rf "$build/prefix"
cmake --install "$build" --prefix "$build/prefix" >/dev/null
cmake -S "$XGRAD_ROOT/bench/consumer" -B "$build/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$build/prefix" >/dev/null
cmake --build "$build/consumer" -j "$XGRAD_JOBS"

# OMP_WAIT_POLICY: compare.py gives the two long-lived processes (optimizer and
# tutorial rows) PASSIVE and tries both policies for the MLP runs, unless set here.
echo "threads environment:"
for v in OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS OPENBLAS_L2_SIZE GOTO_NUM_THREADS OMP_NUM_THREADS \
         OMP_PROC_BIND OMP_PLACES OMP_WAIT_POLICY MKL_NUM_THREADS; do
  echo "  $v=${!v-(unset)}"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec /usr/bin/python3 "$XGRAD_ROOT/bench/compare.py" "$build/bench/xgrad_bench" "$build/consumer/xgrad_bench_consumer"
