# SPDX-License-Identifier: Apache-2.0
# Internal only (never exported): warnings as errors and optional sanitizers for the project's own
# tests, examples, benchmarks and fuzzers.
if(NOT TARGET sluice_warnings)
  add_library(sluice_warnings INTERFACE)
  target_compile_options(sluice_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
  if(SLUICE_SANITIZE)
    target_compile_options(sluice_warnings INTERFACE
      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(sluice_warnings INTERFACE -fsanitize=address,undefined)
  endif()
endif()
