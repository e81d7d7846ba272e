# tests: schema
# The schema "T" and row fixtures of the data-model tests.
OVSDB_TEST_COMMON = tests/test-ovsdb-common.c tests/test-ovsdb-common.h

check_PROGRAMS += tests/test-ovsdb-schema
TESTS += tests/test-ovsdb-schema
tests_test_ovsdb_schema_SOURCES = tests/test-ovsdb-schema.c $(OVSDB_TEST_COMMON)
tests_test_ovsdb_schema_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_ovsdb_schema_LDADD = $(XSW_LIBS) $(TEST_LIBS)

check_PROGRAMS += tests/test-ovsdb-condition
TESTS += tests/test-ovsdb-condition
tests_test_ovsdb_condition_SOURCES = tests/test-ovsdb-condition.c \
	$(OVSDB_TEST_COMMON)
tests_test_ovsdb_condition_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_ovsdb_condition_LDADD = $(XSW_LIBS) $(TEST_LIBS)

check_PROGRAMS += tests/test-ovsdb-mutation
TESTS += tests/test-ovsdb-mutation
tests_test_ovsdb_mutation_SOURCES = tests/test-ovsdb-mutation.c \
	$(OVSDB_TEST_COMMON)
tests_test_ovsdb_mutation_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_ovsdb_mutation_LDADD = $(XSW_LIBS) $(TEST_LIBS)
