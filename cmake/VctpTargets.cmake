# Shared helpers for declaring vctp's libraries, executables and tests.

# Warnings as errors, private to each of our targets, with -Wshadow (a name that hides another)
# and -Wconversion (a value that an implicit conversion can change: a double truncated to an
# integer, an int64 narrowed to int). -Wsign-conversion stays off: its 31 hits are container
# indexes and sizes from ints already checked to be in range, and casts there would hide nothing.
function(vctp_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)
  # g++ 12's flow-based warnings give false positives at -O2 inside the standard library
  # (std::variant, std::string): keep them visible but not fatal in optimised builds.
  target_compile_options(${target} PRIVATE
    $<$<NOT:$<CONFIG:Debug>>:-Wno-error=maybe-uninitialized -Wno-error=array-bounds -Wno-error=stringop-overflow -Wno-error=restrict -Wno-error=free-nonheap-object>)
endfunction()

# vctp_library(name SOURCES ...): a static library vctp_<name> with alias vctp::<name>,
# public headers under include/, private sources under src/.
function(vctp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(vctp_${name} STATIC ${ARG_SOURCES})
  add_library(vctp::${name} ALIAS vctp_${name})
  target_include_directories(vctp_${name}
    PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  set_target_properties(vctp_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  vctp_target_options(vctp_${name})
endfunction()

# vctp_executable(name SOURCES ...): an executable in build/bin.
function(vctp_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  vctp_target_options(${name})
endfunction()
