# Shared CMake helpers for SLIM Workbench targets.

# Warnings used by every first-party target.
function(slim_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# Qt targets: no Qt keywords (torch headers use `slots`), function-pointer connects only.
function(slim_qt_defaults target)
    target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII_DISABLED)
endfunction()

# slim_add_test(NAME tst_foo SOURCES ... LIBS ... LABELS unit|slow|gpu)
# One Qt Test executable registered with ctest under its labels.
function(slim_add_test)
    cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
    target_link_libraries(${T_NAME} PRIVATE Qt6::Test ${T_LIBS})
    target_compile_definitions(${T_NAME} PRIVATE QT_NO_KEYWORDS
        SLIM_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
    slim_set_warnings(${T_NAME})
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_NUM_THREADS=2;QTEST_FUNCTION_TIMEOUT=900000")
endfunction()

# slim_add_test_folder(LIBS ... [PCH_FROM target] [NEEDS_SLIMCTL]): one test per tst_*.cpp of
# the calling folder (a "_slow" suffix labels it slow, the others unit), each linked with LIBS;
# PCH_FROM reuses that target's precompiled header; NEEDS_SLIMCTL tells the tests where slimctl
# is (they build tiny real models with it).
function(slim_add_test_folder)
    cmake_parse_arguments(F "NEEDS_SLIMCTL" "PCH_FROM" "LIBS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tst_*.cpp)
    foreach(source ${sources})
        get_filename_component(name ${source} NAME_WE)
        set(labels unit)
        if(name MATCHES "_slow$")
            set(labels slow)
        endif()
        slim_add_test(NAME ${name} SOURCES ${source} LIBS ${F_LIBS} LABELS ${labels})
        if(F_PCH_FROM)
            target_precompile_headers(${name} REUSE_FROM ${F_PCH_FROM})
        endif()
        if(F_NEEDS_SLIMCTL)
            target_compile_definitions(${name} PRIVATE SLIMCTL_PATH="$<TARGET_FILE:slimctl>")
            add_dependencies(${name} slimctl)
        endif()
    endforeach()
endfunction()

# slim_std_tests(NAME...): these tests build without LibTorch (std-only libraries, Qt Test):
# they get the label `std`, and the target `slim_std_tests` builds just them (the sanitizer
# runs that fit in CI, packaging/run-tests.sh --sanitize ... --std-only).
function(slim_std_tests)
    foreach(name ${ARGN})
        set_property(TEST ${name} APPEND PROPERTY LABELS std)
        set_property(GLOBAL APPEND PROPERTY SLIM_STD_TESTS ${name})
    endforeach()
endfunction()
