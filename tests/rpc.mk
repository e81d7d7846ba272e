# tests: rpc
# Strings, UTF-8, streams, JSON-RPC, unixctl, logging and daemon plumbing
# (lib/).
RPC_TESTS = \
	tests/test-ds \
	tests/test-utf8 \
	tests/test-stream \
	tests/test-jsonrpc \
	tests/test-unixctl \
	tests/test-vlog \
	tests/test-daemon \
	tests/test-metrics
check_PROGRAMS += $(RPC_TESTS)
TESTS += $(RPC_TESTS)

RPC_TEST_LDADD = $(XSW_LIBS) $(TEST_LIBS)

tests_test_ds_SOURCES = tests/test-ds.c
tests_test_ds_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_ds_LDADD = $(RPC_TEST_LDADD)

tests_test_utf8_SOURCES = tests/test-utf8.c
tests_test_utf8_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_utf8_LDADD = $(RPC_TEST_LDADD)

tests_test_stream_SOURCES = tests/test-stream.c
tests_test_stream_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_stream_LDADD = $(RPC_TEST_LDADD)

tests_test_jsonrpc_SOURCES = tests/test-jsonrpc.c
tests_test_jsonrpc_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_jsonrpc_LDADD = $(RPC_TEST_LDADD)

tests_test_unixctl_SOURCES = tests/test-unixctl.c
tests_test_unixctl_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_unixctl_LDADD = $(RPC_TEST_LDADD)

tests_test_vlog_SOURCES = tests/test-vlog.c
tests_test_vlog_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_vlog_LDADD = $(RPC_TEST_LDADD)

tests_test_daemon_SOURCES = tests/test-daemon.c
tests_test_daemon_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_daemon_LDADD = $(RPC_TEST_LDADD)

tests_test_metrics_SOURCES = tests/test-metrics.c
tests_test_metrics_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_metrics_LDADD = $(RPC_TEST_LDADD) -lm

# TLS: links OpenSSL itself, for a raw client that misbehaves on purpose.
check_PROGRAMS += tests/test-tls
TESTS += tests/test-tls
tests_test_tls_SOURCES = tests/test-tls.c
tests_test_tls_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_tls_LDADD = $(RPC_TEST_LDADD) $(OPENSSL_LIBS)
