# Finds liquid-dsp. Debian's libliquid-dev ships no pkg-config or CMake file, only
# /usr/include/liquid/liquid.h and libliquid.so, so look for those directly.
# Defines Liquid_FOUND, Liquid_VERSION (from LIQUID_VERSION in the header) and the
# imported target Liquid::liquid.
find_path(Liquid_INCLUDE_DIR NAMES liquid/liquid.h)
find_library(Liquid_LIBRARY NAMES liquid)

if(Liquid_INCLUDE_DIR AND EXISTS "${Liquid_INCLUDE_DIR}/liquid/liquid.h")
  file(STRINGS "${Liquid_INCLUDE_DIR}/liquid/liquid.h" _liquid_version_line
       REGEX "^#define LIQUID_VERSION[ \t]+\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" Liquid_VERSION "${_liquid_version_line}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Liquid
  REQUIRED_VARS Liquid_LIBRARY Liquid_INCLUDE_DIR
  VERSION_VAR Liquid_VERSION)

if(Liquid_FOUND AND NOT TARGET Liquid::liquid)
  add_library(Liquid::liquid UNKNOWN IMPORTED)
  set_target_properties(Liquid::liquid PROPERTIES
    IMPORTED_LOCATION "${Liquid_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Liquid_INCLUDE_DIR}")
endif()
mark_as_advanced(Liquid_INCLUDE_DIR Liquid_LIBRARY)
