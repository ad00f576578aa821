# Installs man/netnsctl.8 (run by `cmake --install`, see CMakeLists.txt).
# The page names the documentation where a package installs it
# (/usr/share/doc/netnsctl); installed under another prefix, it names where
# the documentation really is.  Set before: NETNSCTL_SRC, NETNSCTL_DOCDIR,
# NETNSCTL_MANDIR (CMAKE_INSTALL_DOCDIR and _MANDIR: relative to the prefix,
# or absolute).
foreach(v DOCDIR MANDIR)
  if(IS_ABSOLUTE "${NETNSCTL_${v}}")
    set(${v} "${NETNSCTL_${v}}")
  else()
    set(${v} "${CMAKE_INSTALL_PREFIX}/${NETNSCTL_${v}}")
  endif()
endforeach()
file(READ "${NETNSCTL_SRC}/man/netnsctl.8" page)
string(REPLACE "/usr/share/doc/netnsctl" "${DOCDIR}" page "${page}")
set(dest "$ENV{DESTDIR}${MANDIR}/man8")
file(MAKE_DIRECTORY "${dest}")
file(WRITE "${dest}/netnsctl.8" "${page}")
message(STATUS "Installing: ${dest}/netnsctl.8")
