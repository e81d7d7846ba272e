# tests: idl
check_PROGRAMS += tests/test-idl
TESTS += tests/test-idl
tests_test_idl_SOURCES = tests/test-idl.c
tests_test_idl_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_idl_LDADD = $(XSW_LIBS) $(TEST_LIBS)
