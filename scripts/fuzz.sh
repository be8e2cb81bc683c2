#!/usr/bin/env bash
# Builds xgrad and the libFuzzer targets of tests/fuzz with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/, writes the seed
# corpus with the library itself, then runs every target for a bounded time.
#   scripts/fuzz.sh                     every target, 10 s each
#   XGRAD_FUZZ_SECONDS=60 scripts/fuzz.sh npy idx    some targets, longer
# Environment: CXX (default clang++), XGRAD_JOBS (default 1), XGRAD_FUZZ_DIR (default build-fuzz).
# Crash inputs are kept in $XGRAD_FUZZ_DIR/crashes/<target>/. Not part of CI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${XGRAD_FUZZ_DIR:-$root/build-fuzz}"
seconds="${XGRAD_FUZZ_SECONDS:-10}"
jobs="${XGRAD_JOBS:-1}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(npy idx manifest optimizer_state layer_config); fi

cmake -S "$root" -B "$dir" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" -DCMAKE_BUILD_TYPE=Release \
  -DXGRAD_SANITIZE=ON -DXGRAD_BUILD_FUZZ=ON -DXGRAD_BUILD_TESTS=OFF -DXGRAD_BUILD_EXAMPLES=OFF \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g" >/dev/null
build=(make_fuzz_seeds)
for t in "${targets[@]}"; do build+=("fuzz_$t"); done
for t in "${build[@]}"; do cmake --build "$dir" -j "$jobs" --target "$t"; done

"$dir/tests/fuzz/make_fuzz_seeds" "$dir/seeds"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
status=0
summary=()
for t in "${targets[@]}"; do
  corpus="$dir/corpus/$t" crashes="$dir/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  echo "== fuzz_$t: ${seconds}s =="
  log="$dir/fuzz_$t.log"
  if "$dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
       -artifact_prefix="$crashes/" "$corpus" "$dir/seeds/$t" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  stats="$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true)"
  runs="$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
  summary+=("fuzz_$t: $result; ${runs:-no summary}; last: ${stats:-none}; corpus $(ls "$corpus" | wc -l) files")
  if [ "$result" = FAILED ]; then tail -40 "$log"; fi
done
printf '%s\n' "${summary[@]}"
exit $status
