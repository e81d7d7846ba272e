# Tests.  Unit tests are Check programs; interop and system tests are
# scripts.  All run under `make check`.  Each area lists its own tests in its
# own fragment below, so that they can be edited independently.
TEST_EXTENSIONS = .sh .py
SH_LOG_COMPILER = $(SHELL)
PY_LOG_COMPILER = /usr/bin/python3
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-@CHECK_TIMEOUT_MULTIPLIER@}; \
	export top_srcdir top_builddir CK_TIMEOUT_MULTIPLIER;
TEST_CFLAGS = $(CHECK_CFLAGS)
TEST_LIBS = $(CHECK_LIBS)

include tests/data.mk
include tests/schema.mk
include tests/rpc.mk
include tests/db.mk
include tests/storage.mk
include tests/monitor.mk
include tests/server.mk
include tests/interop.mk
include tests/switchd.mk
include tests/idl.mk
include tests/ctl.mk
include tests/switchd-daemon.mk
include tests/system.mk
include tests/fuzz.mk
include tests/fault.mk
include tests/packaging.mk

# Every script test is in the tarball, so that "make distcheck" runs the
# suite from it (a test listed in TESTS alone would not be).
EXTRA_DIST += $(filter %.sh %.py, $(TESTS))

# The unit tests and the interop tests with real clients, which the README's
# test command also runs in a build configured with --enable-sanitizers.
SANITIZED_TESTS = $(filter tests/test-% tests/interop/% tests/server/% \
	tests/ctl/%, $(TESTS))
check-sanitized:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SANITIZED_TESTS)'
.PHONY: check-sanitized
