# tests: monitor
check_PROGRAMS += tests/test-monitor
TESTS += tests/test-monitor
tests_test_monitor_SOURCES = tests/test-monitor.c
tests_test_monitor_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS) \
	-I$(top_srcdir)/dbserver
tests_test_monitor_LDADD = dbserver/libdbserver.a $(XSW_LIBS) \
	$(SQLITE3_LIBS) $(TEST_LIBS)
