# SPDX-License-Identifier: Apache-2.0
# cmake -P script: each line `<!-- snippet: <path> -->` in README.md must be followed by a fenced
# code block equal to the file <path> (relative to SOURCE_DIR), so the README shows code that the
# package tests compile and run. At least one snippet must exist.
file(READ ${SOURCE_DIR}/README.md readme)
string(REGEX MATCHALL "<!-- snippet: [^ \n]+ -->" markers "${readme}")
if(NOT markers)
  message(FATAL_ERROR "README.md has no <!-- snippet: … --> markers")
endif()
foreach(marker IN LISTS markers)
  string(REGEX REPLACE "<!-- snippet: ([^ ]+) -->" "\\1" path "${marker}")
  if(NOT EXISTS ${SOURCE_DIR}/${path})
    message(FATAL_ERROR "README.md names a snippet file that does not exist: ${path}")
  endif()
  set(lang cpp)
  if(path MATCHES "CMakeLists.txt$|\\.cmake$")
    set(lang cmake)
  endif()
  file(READ ${SOURCE_DIR}/${path} content)
  string(FIND "${readme}" "${marker}\n```${lang}\n${content}```\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "README.md: the ```${lang} block after '${marker}' differs from ${path};"
                        " copy the file into the README again")
  endif()
  message("README.md: ${path} matches")
endforeach()
