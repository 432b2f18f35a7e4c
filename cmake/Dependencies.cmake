# Locates pf's external dependencies: LLVM's C API through llvm-config (llvm-config-19 preferred,
# any LLVM >= 15 accepted), libffi and libedit through pkg-config, and pthreads.
# (find_program creates the cache entry; an empty `set(... CACHE)` first would make it skip the search)
find_program(PF_LLVM_CONFIG NAMES llvm-config-19 llvm-config-20 llvm-config-18 llvm-config-17
             llvm-config-16 llvm-config-15 llvm-config
             DOC "llvm-config to use (default: newest llvm-config-NN >= 15)")
if(NOT PF_LLVM_CONFIG)
  message(FATAL_ERROR "pf needs LLVM >= 15 (llvm-config not found). On Debian 12: apt-get install llvm-19-dev, "
                      "or run scripts/setup.sh")
endif()
execute_process(COMMAND ${PF_LLVM_CONFIG} --version OUTPUT_VARIABLE PF_LLVM_VERSION OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REGEX MATCH "^[0-9]+" PF_LLVM_MAJOR "${PF_LLVM_VERSION}")
if(PF_LLVM_MAJOR LESS 15)
  message(FATAL_ERROR "pf needs LLVM >= 15; ${PF_LLVM_CONFIG} is ${PF_LLVM_VERSION}. "
                      "On Debian 12: apt-get install llvm-19-dev, or set -DPF_LLVM_CONFIG=/path/to/llvm-config")
endif()
execute_process(COMMAND ${PF_LLVM_CONFIG} --includedir OUTPUT_VARIABLE PF_LLVM_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${PF_LLVM_CONFIG} --libdir OUTPUT_VARIABLE PF_LLVM_LIBDIR OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${PF_LLVM_CONFIG} --libs OUTPUT_VARIABLE PF_LLVM_LIBS OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${PF_LLVM_CONFIG} --system-libs OUTPUT_VARIABLE PF_LLVM_SYSLIBS OUTPUT_STRIP_TRAILING_WHITESPACE)
separate_arguments(PF_LLVM_LIBS UNIX_COMMAND "${PF_LLVM_LIBS} ${PF_LLVM_SYSLIBS}")
add_library(pf_llvm INTERFACE)
target_include_directories(pf_llvm SYSTEM INTERFACE ${PF_LLVM_INCLUDE})
target_link_directories(pf_llvm INTERFACE ${PF_LLVM_LIBDIR})
target_link_libraries(pf_llvm INTERFACE ${PF_LLVM_LIBS})
message(STATUS "pf: LLVM ${PF_LLVM_VERSION} from ${PF_LLVM_CONFIG}")

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFI REQUIRED IMPORTED_TARGET libffi)
pkg_check_modules(EDIT REQUIRED IMPORTED_TARGET libedit)
