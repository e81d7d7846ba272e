# tests: data
check_PROGRAMS += tests/test-ovsdb-data
TESTS += tests/test-ovsdb-data
tests_test_ovsdb_data_SOURCES = tests/test-ovsdb-data.c
tests_test_ovsdb_data_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_ovsdb_data_LDADD = $(XSW_LIBS) $(TEST_LIBS)
