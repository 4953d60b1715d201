# securejscc-sim (Python): needs the GNU Radio blocks, so only without SJ_CORE_ONLY.
# Two configured copies: the build tree's (apps/securejscc-sim, next to securejscc-keygen)
# imports the build's Python package and reads the source tree's models/; the installed
# one reads the installed models folder.
if(NOT SJ_CORE_ONLY)
  set(SJ_SIM_PYTHONPATH ${PROJECT_BINARY_DIR}/python_root)
  set(SJ_SIM_MODELS_DIR ${PROJECT_SOURCE_DIR}/models)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/securejscc-sim ${CMAKE_CURRENT_BINARY_DIR}/securejscc-sim
    @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(SJ_SIM_PYTHONPATH "")
  set(SJ_SIM_MODELS_DIR ${CMAKE_INSTALL_FULL_DATADIR}/gr-securejscc/models)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/securejscc-sim ${CMAKE_CURRENT_BINARY_DIR}/install/securejscc-sim @ONLY)
  install(PROGRAMS ${CMAKE_CURRENT_BINARY_DIR}/install/securejscc-sim DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
