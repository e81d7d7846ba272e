# tests: db
DB_TEST_LDADD = dbserver/libdbserver.a $(XSW_LIBS) \
	$(SQLITE3_LIBS) $(TEST_LIBS)

check_PROGRAMS += tests/test-db
TESTS += tests/test-db
tests_test_db_SOURCES = tests/test-db.c
tests_test_db_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_db_LDADD = $(DB_TEST_LDADD)

check_PROGRAMS += tests/test-transact
TESTS += tests/test-transact
tests_test_transact_SOURCES = tests/test-transact.c
tests_test_transact_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_transact_LDADD = $(DB_TEST_LDADD)

EXTRA_DIST += tests/schemas/test.ovsschema
