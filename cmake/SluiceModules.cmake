# SPDX-License-Identifier: Apache-2.0
# Header-only modules of sluice: each is an INTERFACE target sluice_<name>, aliased sluice::<name>,
# exported as sluice::<name>, and a COMPONENT of find_package(sluice).

set(SLUICE_MODULES "" CACHE INTERNAL "")

# Imported targets of the packages sluice modules may depend on.
function(sluice_package_targets pkg out)
  if(pkg STREQUAL "Boost")
    set(${out} Boost::headers PARENT_SCOPE)
  elseif(pkg STREQUAL "fmt")
    set(${out} fmt::fmt PARENT_SCOPE)
  elseif(pkg STREQUAL "simdjson")
    set(${out} simdjson::simdjson PARENT_SCOPE)
  elseif(pkg STREQUAL "RDKAFKA")
    set(${out} PkgConfig::RDKAFKA PARENT_SCOPE)
  elseif(pkg STREQUAL "CURL")
    set(${out} CURL::libcurl PARENT_SCOPE)
  elseif(pkg STREQUAL "OpenSSL")
    set(${out} OpenSSL::Crypto PARENT_SCOPE)
  else()
    message(FATAL_ERROR "sluice: unknown package ${pkg}")
  endif()
endfunction()

macro(sluice_find_package pkg)
  if(${pkg} STREQUAL "Boost")
    find_package(Boost 1.74 REQUIRED)
  elseif(${pkg} STREQUAL "RDKAFKA")
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka>=2.0)
  else()
    find_package(${pkg} REQUIRED)
  endif()
endmacro()

function(sluice_add_module name)
  cmake_parse_arguments(ARG "" "" "MODULES;PACKAGES" ${ARGN})
  add_library(sluice_${name} INTERFACE)
  add_library(sluice::${name} ALIAS sluice_${name})
  set_target_properties(sluice_${name} PROPERTIES EXPORT_NAME ${name})
  target_compile_features(sluice_${name} INTERFACE cxx_std_20)
  target_include_directories(sluice_${name} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  foreach(m IN LISTS ARG_MODULES)
    target_link_libraries(sluice_${name} INTERFACE sluice_${m})
  endforeach()
  foreach(p IN LISTS ARG_PACKAGES)
    sluice_find_package(${p})
    sluice_package_targets(${p} tgts)
    target_link_libraries(sluice_${name} INTERFACE ${tgts})
  endforeach()
  set(SLUICE_MODULES ${SLUICE_MODULES} ${name} CACHE INTERNAL "")
  set(SLUICE_MODULE_${name}_MODULES "${ARG_MODULES}" CACHE INTERNAL "")
  set(SLUICE_MODULE_${name}_PACKAGES "${ARG_PACKAGES}" CACHE INTERNAL "")
endfunction()

function(sluice_finish_modules)
  add_library(sluice_sluice INTERFACE)
  add_library(sluice::sluice ALIAS sluice_sluice)
  set_target_properties(sluice_sluice PROPERTIES EXPORT_NAME sluice)
  foreach(m IN LISTS SLUICE_MODULES)
    target_link_libraries(sluice_sluice INTERFACE sluice_${m})
  endforeach()
endfunction()

function(sluice_install_package)
  set(targets sluice_sluice)
  set(module_table "")
  foreach(m IN LISTS SLUICE_MODULES)
    list(APPEND targets sluice_${m})
    string(REPLACE ";" " " mods "${SLUICE_MODULE_${m}_MODULES}")
    string(REPLACE ";" " " pkgs "${SLUICE_MODULE_${m}_PACKAGES}")
    string(APPEND module_table "set(_sluice_${m}_modules ${mods})\nset(_sluice_${m}_packages ${pkgs})\n")
  endforeach()
  set(SLUICE_ALL_MODULES "${SLUICE_MODULES}")
  set(SLUICE_MODULE_TABLE "${module_table}")

  # One component for the library package, so it can be installed without the binaries
  # (cmake --install <build> --component sluice_development).
  install(TARGETS ${targets} EXPORT sluice-targets COMPONENT sluice_development)
  install(DIRECTORY include/sluice DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          COMPONENT sluice_development)
  set(cfgdir ${CMAKE_INSTALL_DATADIR}/cmake/sluice)
  install(EXPORT sluice-targets NAMESPACE sluice:: DESTINATION ${cfgdir}
          COMPONENT sluice_development)
  export(EXPORT sluice-targets NAMESPACE sluice::
         FILE ${PROJECT_BINARY_DIR}/sluice-targets.cmake)
  configure_package_config_file(cmake/sluice-config.cmake.in
    ${PROJECT_BINARY_DIR}/sluice-config.cmake INSTALL_DESTINATION ${cfgdir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/sluice-config-version.cmake
    COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
  install(FILES ${PROJECT_BINARY_DIR}/sluice-config.cmake
                ${PROJECT_BINARY_DIR}/sluice-config-version.cmake
          DESTINATION ${cfgdir} COMPONENT sluice_development)
endfunction()

# Adds every direct subfolder of the current source folder that has a CMakeLists.txt, in name
# order (examples/, benchmark/, test/ and test/integration/ grow by adding folders).
function(sluice_add_subdirectories)
  file(GLOB entries LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} *)
  list(SORT entries)
  foreach(d IN LISTS entries)
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${d} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${d}/CMakeLists.txt)
      add_subdirectory(${d})
    endif()
  endforeach()
endfunction()
