# cmake -DXGRAD_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DCONSUMER_WORK_DIR=... [-DCONSUMER_BUILD_TYPE=...]
#       [-DCONSUMER_CXX=<compiler>] [-DCONSUMER_CHECK_VECTORIZED=ON] -P run_consumer_test.cmake
# Installs the xgrad build into <work>/prefix, builds tests/consumer against it and runs it
# (and, with CONSUMER_CXX, main.cpp alone with the flags of the installed xgrad.pc).
# Also checks that the README shows tests/consumer/CMakeLists.txt verbatim and, with
# CONSUMER_CHECK_VECTORIZED (optimized builds without sanitizers), that the update loop
# of the user-written optimizer (AdaBelief, in main.cpp) is vectorized although the
# project sets no flag: packed square roots (sqrtps), no call to sqrtf.
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
file(READ "${CONSUMER_SOURCE_DIR}/CMakeLists.txt" project_text)
file(READ "${CONSUMER_SOURCE_DIR}/../../README.md" readme)
string(FIND "${readme}" "```cmake\n${project_text}```" at)
if(at EQUAL -1)
  message(FATAL_ERROR "consumer test: README.md does not show tests/consumer/CMakeLists.txt verbatim")
endif()

run("configure" "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${build}"
    -DCMAKE_BUILD_TYPE=${CONSUMER_BUILD_TYPE} -DCMAKE_PREFIX_PATH=${prefix})
run("build" "${CMAKE_COMMAND}" --build "${build}")
run("run" "${build}/app")

# The README's line for pkg-config users: the same program from the installed xgrad.pc.
find_program(pkg_config pkg-config)
file(GLOB pc_dir "${prefix}/lib*/pkgconfig" "${prefix}/lib/*/pkgconfig")
if(pkg_config AND CONSUMER_CXX)
  if(NOT pc_dir)
    message(FATAL_ERROR "consumer test: the install has no lib/pkgconfig/xgrad.pc")
  endif()
  set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
  execute_process(COMMAND "${pkg_config}" --cflags --libs xgrad OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: pkg-config --cflags --libs xgrad failed (${rc})")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("build with pkg-config" "${CONSUMER_CXX}" "${CONSUMER_SOURCE_DIR}/main.cpp" ${flags} -O1 -o "${build}/app_pkg_config")
  run("run the pkg-config build" "${build}/app_pkg_config")
endif()

find_program(objdump objdump)
if(CONSUMER_CHECK_VECTORIZED AND objdump)
  execute_process(COMMAND "${objdump}" -dr --no-show-raw-insn "${build}/CMakeFiles/app.dir/main.cpp.o"
                  OUTPUT_VARIABLE asm RESULT_VARIABLE rc)
  string(REPLACE ";" "," asm "${asm}")
  string(REPLACE "\n\n" ";" functions "${asm}")
  set(packed 0)
  foreach(f IN LISTS functions)
    # simd_range and the OpenMP body, instantiated with AdaBelief::update_step's lambda
    if(f MATCHES "^[0-9a-f]+ <[^>\n]*9AdaBelief11update_step[^>\n]*UllE_")
      if(f MATCHES "[ \t]sqrtf")
        message(FATAL_ERROR "consumer test: AdaBelief's update loop calls sqrtf (not vectorized):\n${f}")
      endif()
      if(f MATCHES "sqrtps")
        set(packed 1)
      endif()
    endif()
  endforeach()
  if(NOT packed)
    message(FATAL_ERROR "consumer test: no packed sqrt (sqrtps) in AdaBelief's update loop")
  endif()
  message(STATUS "consumer test: AdaBelief's update loop uses sqrtps: ok")
endif()
