# tests: storage
check_PROGRAMS += tests/test-storage
TESTS += tests/test-storage
tests_test_storage_SOURCES = tests/test-storage.c
tests_test_storage_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dbserver
tests_test_storage_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_storage_LDADD = dbserver/libdbserver.a $(XSW_LIBS) \
	$(SQLITE3_LIBS) $(TEST_LIBS)
EXTRA_DIST += tests/schemas-storage/storage.ovsschema \
	tests/schemas-storage/format3.db.gz
