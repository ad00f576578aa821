# The real-kernel lanes (included from tests/CMakeLists.txt).
#
# One suite, two lanes: every tests/integration/t-*.sh and tests/kernel/f-*.sh
# says on a line "# lanes: host uml" which kernels it runs on (a test on one
# lane only says why on a "# why:" line: the host kernel has no sch_netem, the
# UML kernel no nftables NAT). This file registers
#   uml/<name>    each such test whose lanes include uml, run by
#                 tests/kernel/uml-run in User-Mode Linux (Debian's
#                 user-mode-linux, kernel 6.1), LABELS uml;integration or
#                 uml;fidelity;
#   host/<name>   the fidelity tests whose lanes include host, run by
#                 tests/integration/sandbox-run on the host kernel, LABELS
#                 host;fidelity (tests/integration/tests.cmake registers the
#                 host lane of the integration tests).
# Pick a lane with `ctest -L uml` or `ctest -L host`.
#
# "# lanes: host uml-extended" registers uml/<name> with LABELS
# extended;integration instead: a test of netnsctl's own logic, which the host
# lane covers, run in UML too only by `ctest -L extended` (about 40 minutes
# here; CI keeps the UML lane to what the host kernel lacks or does
# differently, within its time limit).
#
# A UML that does not boot fails its test (uml-run exits 125): never a skip.
# The fidelity tests measure time and throughput, so they run alone
# (RUN_SERIAL): a second UML or build on the two cores would skew them.

set(NETNSCTL_UML_RUN ${CMAKE_CURRENT_LIST_DIR}/uml-run)
set(NETNSCTL_SANDBOX_RUN ${PROJECT_SOURCE_DIR}/tests/integration/sandbox-run)
set(NETNSCTL_UML_RUN_DIR ${CMAKE_CURRENT_BINARY_DIR}/uml-runs)
# uml-run's own limit is below CTest's, so that a hung job still comes back
# with what it printed and the UML's console.
set(NETNSCTL_UML_TIMEOUT 540)
set(NETNSCTL_LANE_TIMEOUT 600)

# netnsctl_lanes(SCRIPT OUT_VAR): the lanes SCRIPT names on its "# lanes:" line.
function(netnsctl_lanes script out)
  file(STRINGS ${script} line LIMIT_COUNT 1 REGEX "^# lanes:")
  file(STRINGS ${script} why LIMIT_COUNT 1 REGEX "^# why:")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${script})
  if(NOT line)
    message(WARNING "${script} has no \"# lanes:\" line: registered on no lane")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  string(REGEX REPLACE "^# lanes:[ \t]*" "" line "${line}")
  string(REGEX REPLACE "[ \t]+" ";" lanes "${line}")
  list(LENGTH lanes n)
  if(n LESS 2 AND NOT why)
    message(WARNING "${script} runs on lane ${lanes} only and has no \"# why:\" line")
  endif()
  set(${out} ${lanes} PARENT_SCOPE)
endfunction()

function(netnsctl_uml_test name script label)
  add_test(NAME uml/${name}
           COMMAND ${NETNSCTL_UML_RUN} --timeout ${NETNSCTL_UML_TIMEOUT} -- bash ${script}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(uml/${name} PROPERTIES
    LABELS "uml;${label}"
    TIMEOUT ${NETNSCTL_LANE_TIMEOUT}
    ENVIRONMENT "NETNSCTL=$<TARGET_FILE:netnsctl>;NETNSCTL_TCTOOL=$<TARGET_FILE:nn-tctool>;UML_RUN_DIR=${NETNSCTL_UML_RUN_DIR}")
endfunction()

file(GLOB NETNSCTL_INTEGRATION_SCRIPTS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/integration/t-*.sh)
foreach(script ${NETNSCTL_INTEGRATION_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  netnsctl_lanes(${script} lanes)
  if(uml IN_LIST lanes)
    netnsctl_uml_test(${name} ${script} integration)
  elseif(uml-extended IN_LIST lanes)
    netnsctl_uml_test(${name} ${script} integration)
    set_tests_properties(uml/${name} PROPERTIES LABELS "extended;integration")
  endif()
endforeach()

file(GLOB NETNSCTL_FIDELITY_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/f-*.sh)
foreach(script ${NETNSCTL_FIDELITY_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  netnsctl_lanes(${script} lanes)
  if(uml IN_LIST lanes)
    netnsctl_uml_test(${name} ${script} fidelity)
    set_tests_properties(uml/${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
  if(host IN_LIST lanes)
    add_test(NAME host/${name} COMMAND ${NETNSCTL_SANDBOX_RUN} ${script}
             WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(host/${name} PROPERTIES
      LABELS "host;fidelity"
      TIMEOUT ${NETNSCTL_LANE_TIMEOUT}
      RUN_SERIAL TRUE
      SKIP_RETURN_CODE 77
      ENVIRONMENT "NETNSCTL=$<TARGET_FILE:netnsctl>;NETNSCTL_TCTOOL=$<TARGET_FILE:nn-tctool>")
  endif()
endforeach()

# docs/fidelity.md: asked against measured, on UML, for every fidelity test.
add_custom_target(fidelity-report
  COMMAND ${CMAKE_COMMAND} -E env NETNSCTL=$<TARGET_FILE:netnsctl>
          NETNSCTL_TCTOOL=$<TARGET_FILE:nn-tctool>
          UML_RUN_DIR=${NETNSCTL_UML_RUN_DIR}
          ${CMAKE_CURRENT_LIST_DIR}/fidelity-report ${PROJECT_SOURCE_DIR}/docs/fidelity.md
  DEPENDS netnsctl nn-tctool
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
  USES_TERMINAL
  COMMENT "Measuring every impairment in User-Mode Linux for docs/fidelity.md")
