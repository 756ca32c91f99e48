# Warning flags for the project's own targets. yardstick_add_warnings(target) applies them.
set(YARDSTICK_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# GCC 12 reports -Wrestrict false positives inside libstdc++'s std::string at -O3 (GCC bug
# 105329); they say nothing about our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND YARDSTICK_WARNING_FLAGS -Wno-restrict)
endif()
if(YARDSTICK_WERROR)
  list(APPEND YARDSTICK_WARNING_FLAGS -Werror)
endif()

function(yardstick_add_warnings target)
  target_compile_options(${target} PRIVATE ${YARDSTICK_WARNING_FLAGS})
endfunction()
