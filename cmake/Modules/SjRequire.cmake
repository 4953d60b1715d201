# sj_require(<found-variable> <what> <debian-package>)
# Stops configuration with a message that names the Debian package to install, so that a
# user on a fresh machine knows what to do (scripts/install-deps installs them all).
function(sj_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR
      "gr-securejscc needs ${what}, which was not found.\n"
      "On Debian/Ubuntu: sudo apt-get install ${package}\n"
      "(or run scripts/install-deps, which installs every dependency)")
  endif()
  message(STATUS "Found ${what}")
endfunction()
