# tests: switchd-daemon
# xsw-switchd end to end (root: namespaces, TAP devices, veth pairs), with
# Open vSwitch's ovs-vsctl and ovs-appctl as the clients.
TESTS += tests/system/switchd-daemon.sh
EXTRA_DIST += tests/system/switchd-daemon.sh
TESTS += tests/system/switchd-ovsdb.sh
EXTRA_DIST += tests/system/switchd-ovsdb.sh
TESTS += tests/system/switchd-db.sh
EXTRA_DIST += tests/system/switchd-db.sh
