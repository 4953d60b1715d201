# QA tests of the GNU Radio blocks: every python/securejscc/qa_*.py runs under pytest with
# the environment GR_ADD_TEST would give it: the build tree's python_root on PYTHONPATH,
# the block and core libraries on LD_LIBRARY_PATH, VOLK_GENERIC=1 (reproducible kernels;
# the core never calls a VOLK kernel that lacks a generic implementation), and the keygen
# program for key files. The tests are copied into a build folder without __init__.py:
# run in place, pytest would import the source folder python/securejscc as a package and
# its __init__ (a relative import of the bindings) fails outside the installed layout.
file(GLOB SJ_QA_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/qa_*.py)
set(SJ_QA_DIR ${CMAKE_CURRENT_BINARY_DIR}/qa)
configure_file(sj_qa_util.py ${SJ_QA_DIR}/sj_qa_util.py COPYONLY)
foreach(src ${SJ_QA_TESTS})
  get_filename_component(name ${src} NAME_WE)
  configure_file(${src} ${SJ_QA_DIR}/${name}.py COPYONLY)
  add_test(NAME gr.${name}
    COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${SJ_QA_DIR}/${name}.py
    WORKING_DIRECTORY ${SJ_QA_DIR})
  set_tests_properties(gr.${name} PROPERTIES ENVIRONMENT
    "PYTHONPATH=${PROJECT_BINARY_DIR}/python_root;LD_LIBRARY_PATH=${PROJECT_BINARY_DIR}/lib:${PROJECT_BINARY_DIR}/lib/core;VOLK_GENERIC=1;SJ_BIN_DIR=${PROJECT_BINARY_DIR}/apps;SJ_SOURCE_DIR=${PROJECT_SOURCE_DIR};SJ_BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()
