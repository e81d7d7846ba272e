# tests: system
# System tests: real topologies of network namespaces, TAP internal ports
# and veth pairs on AF_XDP ports, through xsw-dbserver + xsw-switchd (root).
# They share tests/system/lib.sh and hold a lock while a switch runs, so
# `make -j check` runs them one at a time; together they take 2-3 minutes.
# `XT_PEER=ovs bash tests/system/sys-X.sh` runs one against Open vSwitch
# 3.1's userspace datapath instead, for comparison.
# tests/system/ovsdb/X.sh (links to on-ovsdb.sh) run X.sh with xsw-switchd
# on Debian's ovsdb-server 3.1 (XT_DBSERVER=ovs): the tests that change the
# switch's replica of the database most (tags, port add/delete, restarts,
# internal ports, bonds, write-backs of ofport, mtu, link_state, status).
TESTS += \
	tests/system/sys-internal.sh \
	tests/system/sys-afxdp.sh \
	tests/system/sys-mixed.sh \
	tests/system/sys-mgmt.sh \
	tests/system/sys-vlan.sh \
	tests/system/sys-learning.sh \
	tests/system/sys-reconcile.sh \
	tests/system/sys-vsctl.sh \
	tests/system/sys-bond.sh \
	tests/system/sys-two-switches.sh \
	tests/system/sys-failmode.sh \
	tests/system/sys-bpdu.sh \
	tests/system/sys-netns-state.sh \
	tests/system/sys-report.sh \
	tests/system/sys-jumbo.sh \
	tests/system/sys-tools.sh \
	tests/system/sys-cni.sh \
	tests/system/sys-cni-ipam.sh \
	tests/system/sys-cni-podman.sh \
	tests/system/sys-metrics.sh \
	tests/system/ovsdb/sys-internal.sh \
	tests/system/ovsdb/sys-vlan.sh \
	tests/system/ovsdb/sys-reconcile.sh \
	tests/system/ovsdb/sys-bond.sh \
	tests/system/ovsdb/switchd-daemon.sh
EXTRA_DIST += tests/system/lib.sh tests/system/cni-lib.sh \
	tests/system/sys-internal.sh \
	tests/system/sys-afxdp.sh \
	tests/system/sys-mixed.sh \
	tests/system/sys-mgmt.sh \
	tests/system/sys-vlan.sh \
	tests/system/sys-learning.sh \
	tests/system/sys-reconcile.sh \
	tests/system/sys-vsctl.sh \
	tests/system/sys-bond.sh \
	tests/system/sys-two-switches.sh \
	tests/system/sys-failmode.sh \
	tests/system/sys-bpdu.sh \
	tests/system/sys-netns-state.sh \
	tests/system/sys-report.sh \
	tests/system/sys-jumbo.sh \
	tests/system/sys-tools.sh \
	tests/system/sys-cni.sh \
	tests/system/sys-cni-ipam.sh \
	tests/system/sys-cni-podman.sh \
	tests/system/sys-metrics.sh \
	tests/system/on-ovsdb.sh \
	tests/system/ovsdb/sys-internal.sh \
	tests/system/ovsdb/sys-vlan.sh \
	tests/system/ovsdb/sys-reconcile.sh \
	tests/system/ovsdb/sys-bond.sh \
	tests/system/ovsdb/switchd-daemon.sh
