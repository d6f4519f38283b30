#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Counts the instructions of the zero-overhead comparison under callgrind: the schema work as a
# sluice pipeline driven by the runner versus the same work as one hand-fused loop, on the same
# input. Only the work itself is counted (--toggle-collect on zero_overhead::run_*), not loading.
#
#   benchmark/core/zero_overhead.sh [BUILD_DIR [RECORDS [BATCH]]]
#
# BUILD_DIR defaults to build-zero-overhead (configured here: -O2, benchmarks on, tests off).
# Prints both totals and the difference; exits 1 if the pipeline needs more than 3 % more.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-zero-overhead}
records=${2:-2000}
batch=${3:-500}
limit_percent=3

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DSLUICE_BUILD_BENCHMARKS=ON \
        -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" --target sluice_zero_overhead_driver >/dev/null
driver="$build/benchmark/core/sluice_zero_overhead_driver"

"$driver" verify "$records" "$batch"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
declare -A total
for variant in pipeline fused; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$variant.out" \
           --toggle-collect='zero_overhead::run_*' \
           "$driver" "$variant" "$records" "$batch" >/dev/null 2>"$out/$variant.log"
  total[$variant]=$(awk '/^summary:/ {print $2}' "$out/$variant.out")
  if [[ -z "${total[$variant]}" || "${total[$variant]}" -eq 0 ]]; then
    echo "no instructions collected for $variant (see $out/$variant.log)" >&2
    exit 2
  fi
done

awk -v p="${total[pipeline]}" -v f="${total[fused]}" -v r="$records" -v b="$batch" \
    -v limit="$limit_percent" 'BEGIN {
  d = (p - f) / f * 100
  printf "records=%d batch=%d\n", r, b
  printf "pipeline   instructions: %d\n", p
  printf "hand-fused instructions: %d\n", f
  printf "difference: %+.3f %% (limit %d %%)\n", d, limit
  exit (d > limit) ? 1 : 0
}'
