#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Everything CI checks, in three builds under build/:
#   release   Release (-O2) with tests; ctest runs every label (unit, differential, package,
#             headers, …)
#   sanitize  Debug with ASan + UBSan; ctest runs the unit tests (label `unit`), leaks detected
#   fuzz      clang with libFuzzer targets; ctest runs label `fuzz`
# Usage: scripts/test.sh [release|sanitize|fuzz]…   (default: all three, in this order)
# Environment: SLUICE_JOBS (default 2) for build and ctest parallelism; SLUICE_SKIP_DEPS=1 skips
# the package check. Stops at the first failure and says where.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

stages=("$@")
((${#stages[@]})) || stages=(release sanitize fuzz)
for s in "${stages[@]}"; do
  case $s in release | sanitize | fuzz) ;; *)
    echo "usage: $0 [release|sanitize|fuzz]…" >&2
    exit 2
    ;;
  esac
done

started=$(date +%s)
current="dependencies"
summary=()
on_exit() {
  local rc=$?
  if ((rc != 0)); then
    echo >&2
    echo "test.sh: FAILED in stage '$current' (exit $rc, after $(elapsed_since "$started")); see the output above" >&2
  fi
}
trap on_exit EXIT

if [[ ${SLUICE_SKIP_DEPS:-0} != 1 ]]; then
  bash scripts/install-deps.sh
fi

testdata=$repo_root/../shared/testdata
if [[ ! -d $testdata/avro || ! -d $testdata/goldengate ]]; then
  echo "test.sh: test data not found at $testdata (clone shared/ beside the repository)" >&2
  exit 1
fi

ctest_args=(--output-on-failure --no-tests=error -j "$jobs")

run_release() {
  local dir=build/release
  sluice_configure "$dir" "${release_args[@]}"
  cmake --build "$dir"
  # The Java Avro oracle of the differential tests (Maven Central); a no-op when up to date.
  bash test/tools/avro-oracle/build.sh >/dev/null
  ctest --test-dir "$dir" "${ctest_args[@]}"
}

run_sanitize() {
  local dir=build/sanitize
  sluice_configure "$dir" -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON \
    -DSLUICE_BUILD_EXAMPLES=ON -DSLUICE_BUILD_TESTS=ON
  cmake --build "$dir"
  bash test/tools/avro-oracle/build.sh >/dev/null
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" -L unit "${ctest_args[@]}"
}

run_fuzz() {
  local dir=build/fuzz
  sluice_configure "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DSLUICE_BUILD_FUZZERS=ON -DSLUICE_BUILD_EXAMPLES=OFF -DSLUICE_BUILD_TESTS=ON
  # Only what the fuzz tests need: the rest of the tree is covered by the other two builds.
  cmake --build "$dir" --target test/fuzz/all
  ctest --test-dir "$dir" -L fuzz "${ctest_args[@]}"
}

for s in "${stages[@]}"; do
  current=$s
  t=$(date +%s)
  echo
  echo "================ stage $s ================"
  "run_$s"
  summary+=("$s $(elapsed_since "$t")")
  echo "---------------- stage $s passed in $(elapsed_since "$t")"
done

printf -v joined '%s, ' "${summary[@]}"
echo
echo "test.sh: PASSED ${#stages[@]} stage(s) in $(elapsed_since "$started") (${joined%, })"
