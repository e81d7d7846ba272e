# bench
# ovsdb-load: the OVSDB load generator behind bench/dbserver-bench.sh.  It
# links jansson only, not libxsw: it must not share code with the server it
# measures.
noinst_PROGRAMS += bench/ovsdb-load
bench_ovsdb_load_SOURCES = bench/ovsdb-load.c
bench_ovsdb_load_LDADD = $(JANSSON_LIBS)
EXTRA_DIST += bench/dbserver-bench.sh bench/dbserver-report.py
