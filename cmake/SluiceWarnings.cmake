# SPDX-License-Identifier: Apache-2.0
# Internal only (never exported): warnings as errors, optional sanitizers and optional code for the
# build machine's processor (SLUICE_NATIVE_ARCH) for the project's own tests, examples,
# benchmarks and fuzzers.
if(NOT TARGET sluice_warnings)
  add_library(sluice_warnings INTERFACE)
  target_compile_options(sluice_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # g++ 12 at -O3 reports `"text" + std::string(…)` as an overlapping memcpy inside libstdc++
    # (a false positive, GCC bug 105329): a Release build with the tests would not compile.
    target_compile_options(sluice_warnings INTERFACE -Wno-restrict)
  endif()
  if(SLUICE_SANITIZE)
    target_compile_options(sluice_warnings INTERFACE
      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(sluice_warnings INTERFACE -fsanitize=address,undefined)
  endif()
  if(SLUICE_NATIVE_ARCH)
    # simdjson's on-demand parser is compiled into the including code for the processor the
    # compiler targets: x86-64 baseline by default, the build machine's (AVX2, …) with this.
    target_compile_options(sluice_warnings INTERFACE -march=native)
  endif()
endif()
