# tests: system
# System tests: real topologies of network namespaces, TAP internal ports
# and veth pairs on AF_XDP ports, through xsw-dbserver + xsw-switchd (root).
# They share tests/system/lib.sh and hold a lock while a switch runs, so
# `make -j check` runs them one at a time; together they take 2-3 minutes.
# `XT_PEER=ovs bash tests/system/sys-X.sh` runs one against Open vSwitch
# 3.1's userspace datapath instead, for comparison.
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
	tests/system/sys-report.sh \
	tests/system/sys-jumbo.sh \
	tests/system/sys-tools.sh \
	tests/system/sys-cni.sh \
	tests/system/sys-cni-podman.sh
EXTRA_DIST += tests/system/lib.sh \
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
	tests/system/sys-report.sh \
	tests/system/sys-jumbo.sh \
	tests/system/sys-tools.sh \
	tests/system/sys-cni.sh \
	tests/system/sys-cni-podman.sh
