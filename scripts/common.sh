# SPDX-License-Identifier: Apache-2.0
# Shared by demo.sh and test.sh (sourced, not run): repository paths and an idempotent configure.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${SLUICE_JOBS:-2}
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs

# build/release, shared by demo.sh and test.sh: Release at -O2 (STYLE.md §8), tests and examples.
release_args=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"
  -DSLUICE_BUILD_EXAMPLES=ON -DSLUICE_BUILD_TESTS=ON)

# sluice_configure <build dir> <cmake arguments…>
# Configures with Ninja (and ccache when present). Skips cmake when the build directory was
# already configured with exactly these arguments; the build step re-runs cmake by itself when a
# CMakeLists.txt changed.
sluice_configure() {
  local dir=$1
  shift
  local args=(-S "$repo_root" -B "$dir" -G Ninja "$@")
  if command -v ccache >/dev/null; then
    args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  local stamp=$dir/.sluice-configure-args
  if [[ -f $dir/CMakeCache.txt && -f $stamp && "$(cat "$stamp")" == "${args[*]}" ]]; then
    echo "configure: $dir is configured already"
    return 0
  fi
  # A cache made with other compilers cannot be switched in place.
  if [[ -f $dir/CMakeCache.txt && -f $stamp ]]; then
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  echo "configure: cmake ${args[*]}"
  cmake "${args[@]}"
  printf '%s' "${args[*]}" >"$stamp"
}

# Prints the time since $1 (seconds since the epoch) as "3m07s".
elapsed_since() {
  local s=$(($(date +%s) - $1))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}
