# tests: switchd

# Port drivers (root: TAP devices, veth pairs, network namespaces).
NETDEV_TEST_COMMON = tests/test-netdev-common.c tests/test-netdev-common.h
NETDEV_TEST_LDADD = switchd/libdatapath.a $(XSW_LIBS) $(LIBXDP_LIBS) \
	$(LIBBPF_LIBS) $(TEST_LIBS)
NETDEV_TEST_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS) -I$(top_srcdir)/switchd
check_PROGRAMS += tests/test-netdev-tap
TESTS += tests/test-netdev-tap
tests_test_netdev_tap_SOURCES = tests/test-netdev-tap.c $(NETDEV_TEST_COMMON)
tests_test_netdev_tap_CFLAGS = $(NETDEV_TEST_CFLAGS)
tests_test_netdev_tap_LDADD = $(NETDEV_TEST_LDADD)

# Datapath (no root needed): parsing, checksums, GSO, fdb, VLANs,
# forwarding through dummy ports.
DP_TEST_CFLAGS = $(AM_CFLAGS) $(TEST_CFLAGS) -I$(top_srcdir)/switchd
DP_TEST_LDADD = switchd/libdatapath.a $(XSW_LIBS) $(LIBXDP_LIBS) \
	$(LIBBPF_LIBS) $(TEST_LIBS)
check_PROGRAMS += tests/test-dp-flow
TESTS += tests/test-dp-flow
tests_test_dp_flow_SOURCES = tests/test-dp-flow.c
tests_test_dp_flow_CFLAGS = $(DP_TEST_CFLAGS)
tests_test_dp_flow_LDADD = $(DP_TEST_LDADD)
check_PROGRAMS += tests/test-dp-csum
TESTS += tests/test-dp-csum
tests_test_dp_csum_SOURCES = tests/test-dp-csum.c
tests_test_dp_csum_CFLAGS = $(DP_TEST_CFLAGS)
tests_test_dp_csum_LDADD = $(DP_TEST_LDADD)
check_PROGRAMS += tests/test-dp-fdb
TESTS += tests/test-dp-fdb
tests_test_dp_fdb_SOURCES = tests/test-dp-fdb.c
tests_test_dp_fdb_CFLAGS = $(DP_TEST_CFLAGS)
tests_test_dp_fdb_LDADD = $(DP_TEST_LDADD)
check_PROGRAMS += tests/test-netdev-afxdp
TESTS += tests/test-netdev-afxdp
tests_test_netdev_afxdp_SOURCES = tests/test-netdev-afxdp.c $(NETDEV_TEST_COMMON)
tests_test_netdev_afxdp_CFLAGS = $(NETDEV_TEST_CFLAGS)
tests_test_netdev_afxdp_LDADD = $(NETDEV_TEST_LDADD)
check_PROGRAMS += tests/test-netdev-afpacket
TESTS += tests/test-netdev-afpacket
tests_test_netdev_afpacket_SOURCES = tests/test-netdev-afpacket.c $(NETDEV_TEST_COMMON)
tests_test_netdev_afpacket_CFLAGS = $(NETDEV_TEST_CFLAGS)
tests_test_netdev_afpacket_LDADD = $(NETDEV_TEST_LDADD)
check_PROGRAMS += tests/test-dp-forward
TESTS += tests/test-dp-forward
tests_test_dp_forward_SOURCES = tests/test-dp-forward.c
tests_test_dp_forward_CFLAGS = $(DP_TEST_CFLAGS)
tests_test_dp_forward_LDADD = $(DP_TEST_LDADD)
check_PROGRAMS += tests/test-netdev
TESTS += tests/test-netdev
tests_test_netdev_SOURCES = tests/test-netdev.c
tests_test_netdev_CFLAGS = $(DP_TEST_CFLAGS)
tests_test_netdev_LDADD = $(DP_TEST_LDADD)
check_PROGRAMS += tests/test-netdev-rtnl
TESTS += tests/test-netdev-rtnl
tests_test_netdev_rtnl_SOURCES = tests/test-netdev-rtnl.c $(NETDEV_TEST_COMMON)
tests_test_netdev_rtnl_CFLAGS = $(NETDEV_TEST_CFLAGS)
tests_test_netdev_rtnl_LDADD = $(NETDEV_TEST_LDADD)

# Datapath micro-benchmark (run by hand: bench/dp-microbench [SECONDS]).
noinst_PROGRAMS += bench/dp-microbench
bench_dp_microbench_SOURCES = bench/dp-microbench.c
bench_dp_microbench_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/switchd
bench_dp_microbench_LDADD = switchd/libdatapath.a $(XSW_LIBS) \
	$(LIBXDP_LIBS) $(LIBBPF_LIBS)
check_PROGRAMS += tests/test-bond
TESTS += tests/test-bond
tests_test_bond_SOURCES = tests/test-bond.c
tests_test_bond_CFLAGS = $(DP_TEST_CFLAGS)
tests_test_bond_LDADD = $(DP_TEST_LDADD)
