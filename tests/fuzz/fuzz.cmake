# Fuzz targets (included from tests/CMakeLists.txt); see docs/fuzzing.md.
#
# Every tests/fuzz/fuzz_<target>.c is one target.  In every build it is
# linked with replay.c into fuzz_<target>_replay, and the CTest test
# fuzz/<target> (LABELS unit) replays tests/fuzz/corpus/<target>/ and
# tests/fuzz/crashes/<target>/ through it: the corpus is a regression test
# for the normal gcc build.
#
# With -DNETNSCTL_FUZZ=ON (clang only; tests/fuzz/run does it) each target
# is also built as the libFuzzer binary fuzz_<target>, against a copy of
# the library compiled with coverage instrumentation, ASan and UBSan.

option(NETNSCTL_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

set(NETNSCTL_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
file(GLOB NETNSCTL_FUZZ_SOURCES CONFIGURE_DEPENDS ${NETNSCTL_FUZZ_DIR}/fuzz_*.c)

# fuzz_cli runs netnsctl's own main(): it gets the CLI sources too, with
# main() renamed netnsctl_cli_main (source properties are per directory, so
# the netnsctl executable itself is not affected).
set(NETNSCTL_FUZZ_CLI_MAIN ${PROJECT_SOURCE_DIR}/src/cli/main.c)
set_source_files_properties(${NETNSCTL_FUZZ_CLI_MAIN} PROPERTIES
  COMPILE_DEFINITIONS "main=netnsctl_cli_main;NETNSCTL_VERSION=\"${PROJECT_VERSION}\""
  COMPILE_OPTIONS "-Wno-missing-prototypes")
function(netnsctl_fuzz_add_cli target)
  target_sources(${target} PRIVATE ${NETNSCTL_CLI_SOURCES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src/cli)
endfunction()

foreach(src ${NETNSCTL_FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" target ${name})
  add_executable(${name}_replay ${src} ${NETNSCTL_FUZZ_DIR}/replay.c)
  target_include_directories(${name}_replay PRIVATE ${PROJECT_SOURCE_DIR}/src/lib)
  target_link_libraries(${name}_replay PRIVATE netnsctl_core)
  if(name STREQUAL "fuzz_cli")
    netnsctl_fuzz_add_cli(${name}_replay)
  endif()
  add_test(NAME fuzz/${target}
           COMMAND ${name}_replay ${NETNSCTL_FUZZ_DIR}/corpus/${target}
                   ${NETNSCTL_FUZZ_DIR}/crashes/${target})
  set_tests_properties(fuzz/${target} PROPERTIES LABELS unit)
endforeach()

if(NETNSCTL_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "NETNSCTL_FUZZ needs clang: configure with -DCMAKE_C_COMPILER=clang")
  endif()
  set(NETNSCTL_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                               -fno-omit-frame-pointer)
  # The project's flags are gcc's: clang 14 has no -Wformat-truncation.
  set(NETNSCTL_FUZZ_CLANG_FLAGS -Wno-unknown-warning-option)
  # The library again, instrumented; netnsctl_core itself stays as it is.
  add_library(netnsctl_fuzzcore STATIC ${NETNSCTL_LIB_SOURCES})
  target_include_directories(netnsctl_fuzzcore PUBLIC ${PROJECT_SOURCE_DIR}/include
                                               PRIVATE ${PROJECT_SOURCE_DIR}/src/lib)
  target_compile_definitions(netnsctl_fuzzcore PRIVATE NETNSCTL_VERSION="${PROJECT_VERSION}")
  target_compile_options(netnsctl_fuzzcore PRIVATE -fsanitize=fuzzer-no-link
                         ${NETNSCTL_FUZZ_SANITIZERS} ${NETNSCTL_FUZZ_CLANG_FLAGS})
  target_link_libraries(netnsctl_fuzzcore PUBLIC PkgConfig::LIBNL PkgConfig::LIBMNL
                        PkgConfig::LIBNFTNL PkgConfig::YAML m)

  set(NETNSCTL_FUZZ_TARGET_NAMES)
  foreach(src ${NETNSCTL_FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    list(APPEND NETNSCTL_FUZZ_TARGET_NAMES ${name})
    add_executable(${name} ${src})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/lib)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer ${NETNSCTL_FUZZ_SANITIZERS}
                           ${NETNSCTL_FUZZ_CLANG_FLAGS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer ${NETNSCTL_FUZZ_SANITIZERS})
    target_link_libraries(${name} PRIVATE netnsctl_fuzzcore)
    if(name STREQUAL "fuzz_cli")
      netnsctl_fuzz_add_cli(${name})
    endif()
  endforeach()
  add_custom_target(fuzz DEPENDS ${NETNSCTL_FUZZ_TARGET_NAMES})
endif()
