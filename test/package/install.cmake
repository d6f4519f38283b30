# SPDX-License-Identifier: Apache-2.0
# cmake -P script: installs the library component of the build in BUILD_DIR into a fresh PREFIX
# and checks the layout: headers, package files, and no path into the source or build tree.
# Variables: BUILD_DIR, PREFIX, CONFIG, SOURCE_DIR.
file(REMOVE_RECURSE ${PREFIX})
execute_process(
  COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} --config ${CONFIG}
          --component sluice_development
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()

set(cfgdir ${PREFIX}/share/cmake/sluice)
foreach(f include/sluice/core/error.hpp share/cmake/sluice/sluice-config.cmake
          share/cmake/sluice/sluice-config-version.cmake share/cmake/sluice/sluice-targets.cmake)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# Every header of the source tree is installed, and nothing else lands in include/.
file(GLOB_RECURSE src_headers RELATIVE ${SOURCE_DIR}/include ${SOURCE_DIR}/include/*)
file(GLOB_RECURSE dst_headers RELATIVE ${PREFIX}/include ${PREFIX}/include/*)
list(SORT src_headers)
list(SORT dst_headers)
if(NOT src_headers STREQUAL dst_headers)
  message(FATAL_ERROR "installed headers differ from include/:\n${src_headers}\nvs\n${dst_headers}")
endif()

# A relocatable package names no absolute path of the machine that built it.
file(GLOB pkg_files ${cfgdir}/*.cmake)
foreach(f IN LISTS pkg_files)
  file(READ ${f} text)
  foreach(tree ${SOURCE_DIR} ${BUILD_DIR})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${f} refers to ${tree}")
    endif()
  endforeach()
endforeach()
list(LENGTH src_headers n)
message("installed ${n} headers and the package files into ${PREFIX}")
