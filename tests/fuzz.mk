# tests: fuzz
# Regression tests for bugs found by fuzzing and the sanitizers (built by
# the ordinary compiler), and the libFuzzer harnesses.  The harnesses need
# clang's -fsanitize=fuzzer, so tests/fuzz/run-fuzzers.sh builds them with
# clang itself, beside this build, and runs each for XSW_FUZZ_SECONDS
# (default 20) seconds; it is skipped where clang cannot build them.
check_PROGRAMS += tests/test-fuzz-regressions
TESTS += tests/test-fuzz-regressions
tests_test_fuzz_regressions_SOURCES = tests/test-fuzz-regressions.c
tests_test_fuzz_regressions_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS)
tests_test_fuzz_regressions_LDADD = dbserver/libdbserver.a \
	switchd/libdatapath.a $(XSW_LIBS) \
	$(TEST_LIBS)

TESTS += tests/fuzz/run-fuzzers.sh
EXTRA_DIST += \
	tests/fuzz/run-fuzzers.sh \
	tests/fuzz/fuzz-jsonrpc.c \
	tests/fuzz/fuzz-schema.c \
	tests/fuzz/fuzz-transact.c \
	tests/fuzz/fuzz-datum.c \
	tests/fuzz/fuzz-packet.c \
	tests/fuzz/fuzz-ctl.c \
	tests/fuzz/json.dict \
	tests/fuzz/ovsdb.dict \
	tests/fuzz/datum.dict \
	tests/fuzz/ctl.dict \
	tests/fuzz/corpus

# `make fuzz`: the harnesses alone, for longer runs, e.g.
# `make fuzz XSW_FUZZ_SECONDS=600 FUZZERS=transact`.
FUZZERS =
fuzz:
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(top_srcdir)/tests/fuzz/run-fuzzers.sh $(FUZZERS)
.PHONY: fuzz

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/build tests/fuzz/logs tests/fuzz/crashes \
	  tests/fuzz/corpus-work
.PHONY: clean-fuzz
