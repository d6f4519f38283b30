# SPDX-License-Identifier: Apache-2.0
# cmake -P script: configures missing_component/ against the package in PACKAGE_DIR twice, once
# without and once with REQUIRED, and checks both outcomes (exit code and the reason printed).
# Variables: SOURCE_DIR, BINARY_DIR, PACKAGE_DIR, GENERATOR.
foreach(mode optional required)
  set(bin ${BINARY_DIR}/${mode})
  file(REMOVE_RECURSE ${bin})
  set(required OFF)
  if(mode STREQUAL "required")
    set(required ON)
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${bin} -G ${GENERATOR}
            -Dsluice_DIR=${PACKAGE_DIR} -DSLUICE_REQUIRED=${required}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("--- ${mode} (exit ${rc}) ---\n${out}")
  if(NOT out MATCHES "sluice has no component 'nosuch'")
    message(FATAL_ERROR "${mode}: the reason \"sluice has no component 'nosuch'\" was not printed")
  endif()
  if(mode STREQUAL "optional" AND NOT (rc EQUAL 0 AND out MATCHES "sluice_FOUND is false"))
    message(FATAL_ERROR "optional: configuring should succeed with sluice_FOUND false")
  endif()
  if(mode STREQUAL "required" AND rc EQUAL 0)
    message(FATAL_ERROR "required: configuring should fail")
  endif()
endforeach()
message("missing component rejected in both modes")
