# Interop tests: real Open vSwitch 3.1 clients (ovsdb-client, ovs-vsctl,
# the Python IDL, ovsdbapp) against xsw-dbserver, beside ovsdb-server.
TESTS += \
	tests/interop/ovsdb-client.py \
	tests/interop/jsonrpc-protocol.py \
	tests/interop/ovs-vsctl.py \
	tests/interop/python-idl.py \
	tests/interop/ovsdbapp-api.py
# Long-lived replicas (the Python IDL, ovs-vsctl's C IDL, ovsdb-client
# monitor-cond, xsw-ctl's IDL) following changes on both servers.
TESTS += tests/interop/monitor-replica.py
# Every monitor flavour's notifications over one scripted sequence of
# transactions on every column kind, compared with ovsdb-server's.
TESTS += tests/interop/monitor-diff.py
# lock/steal/unlock queues, raw and through the Python IDL's set_lock().
TESTS += tests/interop/locks.py
EXTRA_DIST += tests/interop/xswenv.py tests/interop/ovsdb_raw.py
# Schema conversion online and offline, beside ovsdb-server/ovsdb-tool.
TESTS += tests/interop/convert.py
# xsw-dbserver --import of ovsdb-server's database files.
TESTS += tests/interop/import.py
# xsw-dbtool beside ovsdb-tool, subcommand by subcommand.
TESTS += tests/interop/dbtool.py
# ovs-vswitchd across an online conversion (reuses ovs-vswitchd.py's Switch).
TESTS += tests/interop/convert-vswitchd.py
# TLS: ssl: clients against pssl: (certificates generated at test time).
TESTS += tests/interop/tls.py
# Remote management: Manager rows (db: remotes), their status, inactivity
# probes, ptcp:0; Neutron's start-up through ovsdbapp.
TESTS += tests/interop/managers.py tests/interop/neutron-startup.py \
	tests/interop/active-managers.py tests/interop/tls-db.py
EXTRA_DIST += tests/interop/managerlib.py
# Any schema: every schema Debian ships and generated adversarial ones,
# created and served beside ovsdb-server (replies, monitors, contents), and
# garbage collection of self-referring rows.
TESTS += tests/interop/any-schema.py
# Open vSwitch's and OVN's daemons as long-lived clients, each beside the
# same daemon on ovsdb-server in one run: ovs-vswitchd 3.1 (netdev
# datapath, in namespaces of its own) and ovn-northd 23.03 with ovn-nbctl's
# daemon mode.  `XT_PEER=ovs` puts both sides on ovsdb-server (a check of
# the test itself).
TESTS += tests/interop/ovs-vswitchd.py tests/interop/ovn-northd.py
# ovn-northd.py again with xsw's databases in one etcd behind two front
# ends, the active and the standby northd on different ones (issue 16).
TESTS += tests/interop/ovn-northd-etcd.sh
