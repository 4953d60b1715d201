# The GNU Radio block library gnuradio-securejscc: thin C++ shims (lib/*_impl.cc), each
# holding one core object. Included from lib/CMakeLists.txt unless SJ_CORE_ONLY.
# The one list of blocks; the bindings (python/securejscc/bindings) read it too, hence a
# cache variable (directory scope would hide it there).
set(SJ_GR_BLOCKS
  keystream_encrypt keystream_decrypt symbol_mapper soft_demod lwe_encrypt lwe_decrypt lwe_joint_decrypt
  quantizer dequantizer byte_quantizer byte_dequantizer image_source image_sink
  jscc_encoder jscc_decoder image_model
  CACHE INTERNAL "GNU Radio blocks of gr-securejscc")
set(SJ_GR_SOURCES)
foreach(b ${SJ_GR_BLOCKS})
  list(APPEND SJ_GR_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${b}_impl.cc)
endforeach()

add_library(gnuradio-securejscc SHARED ${SJ_GR_SOURCES})
target_include_directories(gnuradio-securejscc PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(gnuradio-securejscc PUBLIC gnuradio::gnuradio-runtime securejscc-core)
set_target_properties(gnuradio-securejscc PROPERTIES
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  DEFINE_SYMBOL gnuradio_securejscc_EXPORTS)
install(TARGETS gnuradio-securejscc LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/gnuradio/securejscc
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gnuradio)
