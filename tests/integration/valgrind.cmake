# The valgrind lane (include from tests/CMakeLists.txt after tests.cmake):
# the host integration tests listed below again, with every netnsctl run
# under valgrind memcheck through valgrind-wrap, as valgrind/<name>,
# LABELS valgrind.  Any invalid access, uninitialised value or definite leak
# makes that netnsctl exit 99, which fails the test.  Not in the host label:
# ctest -L valgrind runs it (several times slower than the host lane).
#
# The subset covers every command on its ordinary and failure paths without
# the slow scripts (t-killed's strace runs, t-storm, t-interrupt, whose
# timing valgrind would change; t-privilege, which runs a copy of NETNSCTL
# as nobody).  Not registered in a sanitizer build: valgrind cannot run ASan.
# probe and verify measure time and throughput, which valgrind's scheduling
# of threads distorts: t-probe-memcheck (lanes: valgrind only) takes them
# through their paths without judging what they measure.

if(NETNSCTL_SANITIZE)
  return()
endif()
find_program(NETNSCTL_VALGRIND valgrind)
set(NETNSCTL_VALGRIND_TESTS t-seed t-bad-input t-idempotent t-cleanup t-bridge
    t-second-pair t-set-rate t-cidr t-repair t-graph t-nat t-forward-port t-lab-basic
    t-lab-owners t-list t-probe-memcheck t-tc-impair)
foreach(name ${NETNSCTL_VALGRIND_TESTS})
  set(script ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
  if(NOT EXISTS ${script})
    continue()
  endif()
  add_test(NAME valgrind/${name}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/sandbox-run ${script})
  set_tests_properties(valgrind/${name} PROPERTIES
    LABELS "valgrind;integration"
    ENVIRONMENT "NETNSCTL=${CMAKE_CURRENT_LIST_DIR}/valgrind-wrap;NETNSCTL_REAL=$<TARGET_FILE:netnsctl>"
    SKIP_RETURN_CODE 77
    TIMEOUT 1200)
  if(NOT NETNSCTL_VALGRIND)
    set_tests_properties(valgrind/${name} PROPERTIES DISABLED TRUE)
  endif()
endforeach()
