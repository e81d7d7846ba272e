# bench
# ovsdb-load: the OVSDB load generator behind bench/dbserver-bench.sh and
# bench/cluster-bench.sh.  It links jansson only, not libxsw: it must not
# share code with the server it measures.
noinst_PROGRAMS += bench/ovsdb-load
bench_ovsdb_load_SOURCES = bench/ovsdb-load.c
bench_ovsdb_load_LDADD = $(JANSSON_LIBS)
EXTRA_DIST += bench/dbserver-bench.sh bench/dbserver-report.py \
	bench/cluster-bench.sh bench/cluster-report.py bench/bench-lib.sh

# sqlite-floor: what a SQLite commit of one port-adding transaction costs
# at least, which bounds xsw-dbserver's serial figure.
noinst_PROGRAMS += bench/sqlite-floor
bench_sqlite_floor_SOURCES = bench/sqlite-floor.c
bench_sqlite_floor_LDADD = $(SQLITE3_LIBS)

# xsk-fwd: the thinnest AF_XDP forwarder, the ceiling bench/switch-bench.sh
# measures every AF_XDP switch against.  libxdp only, no libxsw.
noinst_PROGRAMS += bench/xsk-fwd
bench_xsk_fwd_SOURCES = bench/xsk-fwd.c
bench_xsk_fwd_LDADD = $(LIBXDP_LIBS) $(LIBBPF_LIBS)
EXTRA_DIST += bench/switch-bench.sh bench/switch-report.py \
	bench/traffic-lib.sh bench/benchstats.py \
	bench/cni-bench.sh bench/cni-report.py
