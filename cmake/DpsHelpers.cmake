# dps_warnings(target): the project's warning set; errors when DPS_WERROR is on.
function(dps_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           # g++ 12 reports false -Wrestrict on `"text" + std::string`
                                           # at -O2 (GCC bug 105651); it finds nothing real here.
                                           -Wno-restrict)
  if(DPS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# dps_add_test(NAME name SOURCES ... LIBS ... LABELS ... [ENVIRONMENT ...])
# One Boost.Test executable per unit, linked to the shared Boost.Test library and the one
# BOOST_TEST_MODULE object in tests/support, registered with ctest under its labels.
function(dps_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES} $<TARGET_OBJECTS:dps_test_main>)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} dps_test_support Boost::unit_test_framework)
  target_compile_definitions(${T_NAME} PRIVATE BOOST_TEST_DYN_LINK)
  dps_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} --log_level=test_suite --report_level=short)
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT 600)
  if(T_ENVIRONMENT)
    set_tests_properties(${T_NAME} PROPERTIES ENVIRONMENT "${T_ENVIRONMENT}")
  endif()
endfunction()
