# cmake -DXGRAD_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DCONSUMER_WORK_DIR=... [-DCONSUMER_BUILD_TYPE=...] -P run_consumer_test.cmake
# Installs the xgrad build into <work>/prefix, builds tests/consumer against it and runs it.
foreach(var XGRAD_BUILD_DIR CONSUMER_SOURCE_DIR CONSUMER_WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "run_consumer_test.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT CONSUMER_BUILD_TYPE)
  set(CONSUMER_BUILD_TYPE Release)
endif()

set(prefix "${CONSUMER_WORK_DIR}/prefix")
set(build "${CONSUMER_WORK_DIR}/build")
file(REMOVE_RECURSE "${prefix}")  # a fresh prefix; the consumer build dir is kept for speed

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: ${step} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "consumer test: ${step}: ok\n${out}")
endfunction()

run("cmake --install" "${CMAKE_COMMAND}" --install "${XGRAD_BUILD_DIR}" --prefix "${prefix}")
foreach(path include/xgrad/xgrad.hpp include/xgrad/autograd/gradient_tape.hpp
             include/xgrad/autograd/detail/node.hpp include/xgrad/core/error.hpp)
  if(NOT EXISTS "${prefix}/${path}")
    message(FATAL_ERROR "consumer test: the install is missing ${path}")
  endif()
endforeach()
file(GLOB config "${prefix}/lib*/cmake/xgrad/xgradConfig.cmake" "${prefix}/lib/*/cmake/xgrad/xgradConfig.cmake")
if(NOT config)
  message(FATAL_ERROR "consumer test: the install has no lib/cmake/xgrad/xgradConfig.cmake")
endif()
run("configure" "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${build}"
    -DCMAKE_BUILD_TYPE=${CONSUMER_BUILD_TYPE} -DCMAKE_PREFIX_PATH=${prefix})
run("build" "${CMAKE_COMMAND}" --build "${build}")
run("run" "${build}/app")
