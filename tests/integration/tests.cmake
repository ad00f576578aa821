# The host lane of the integration tests (included from tests/CMakeLists.txt).
#
# Every tests/integration/t-*.sh whose "# lanes:" line names host becomes the
# test host/<name> (e.g. host/t-seed), run by sandbox-run in its own network,
# mount and PID namespaces on the host kernel, LABELS host;integration.
# tests/kernel/tests.cmake registers the uml lane of the same scripts.
# sandbox-run exits 77 (skipped) when not root.  Each test has private
# namespaces and mounts, so they may run in parallel.

# tl-tool: library functions of issue 15 that no command calls yet
# (partitions, the reverter), for the tests that need them (tl-tool.c).
add_executable(tl-tool ${CMAKE_CURRENT_LIST_DIR}/tl-tool.c)
target_include_directories(tl-tool PRIVATE ${PROJECT_SOURCE_DIR}/src/lib)
target_link_libraries(tl-tool PRIVATE netnsctl_core)

file(GLOB NETNSCTL_HOST_INTEGRATION_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/t-*.sh)
foreach(script ${NETNSCTL_HOST_INTEGRATION_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  file(STRINGS ${script} lanes LIMIT_COUNT 1 REGEX "^# lanes:")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${script})
  if(NOT lanes MATCHES "^# lanes:.*[ \t]host([ \t]|$)")
    continue()
  endif()
  add_test(NAME host/${name}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/sandbox-run ${script})
  set_tests_properties(host/${name} PROPERTIES
    LABELS "host;integration"
    ENVIRONMENT "NETNSCTL=$<TARGET_FILE:netnsctl>;NETNSCTL_TL_TOOL=$<TARGET_FILE:tl-tool>"
    SKIP_RETURN_CODE 77
    TIMEOUT 300)
  # "# serial:": a test that measures a rate runs alone, as the fidelity
  # tests do (a namespace teardown beside it takes the CPU its flow needs).
  file(STRINGS ${script} serial LIMIT_COUNT 1 REGEX "^# serial:")
  if(serial)
    set_tests_properties(host/${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endforeach()
