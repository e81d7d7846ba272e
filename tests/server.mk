# xsw-dbserver as a program: access control and input limits; the
# ovsdb-server modes it refuses (replication, clustering, bootstrap CA).
TESTS += tests/server/limits.py
TESTS += tests/server/unixctl.py
TESTS += tests/server/refused-modes.py
# -v/--verbose specs and vlog/set on the three programs beside Open
# vSwitch's, and jsonrpc:dbg message logging as ovsdb-server's.
TESTS += tests/server/vlog.py
# The etcd backend (docs/storage-etcd.md) with one etcd 3.4 of its own:
# create/open, commit before reply, restart and kill -9, a 10,000-port
# transaction, compaction, two servers on one etcd, monitor_cond_since
# resumed on another, the clustered _Server report and the Python IDL,
# ovsdbapp and ovs-vsctl failing over between three.
TESTS += tests/server/etcd.py
# A 3-member etcd cluster under writes: kill -9 of its leader, then of the
# front end; writes resume within 5 s, nothing acknowledged is lost.
TESTS += tests/server/etcd-ha.py
# Writers on two front ends committing at once: a conflict is re-run,
# never an error, and no monitor is disconnected.
TESTS += tests/server/etcd-conflict.py
# etcd on https:// with client certificates (--etcd-ca-cert etc.): two
# front ends through it, and every wrong setting a clear error at start.
TESTS += tests/server/etcd-tls.py
# Automatic snapshots: log and etcd history compacted without ovs-appctl,
# a second front end keeping up across them, a third loading after.
TESTS += tests/server/etcd-snapshot.py
# Locks across two front ends on one etcd, against ovsdb-server's queueing;
# kill -9 of a front end (its lease expires) and etcd stopped (fail
# closed).  About 30 s: two lease TTLs of 10 s.
TESTS += tests/server/etcd-locks.py
# The server tests and the real clients' tests again, on the etcd backend
# (XT_STORAGE=etcd: each server on an etcd of its own).
TESTS += tests/server/etcd-suite.sh
# The same real clients' tests with two front ends on one etcd, each
# client on the other front end from the one before (XT_FRONT_ENDS=2).
TESTS += tests/server/etcd-suite-2fe.sh
# A write through one front end, read right after through another: 200
# times, "select" and a new monitor's first contents must see it.
TESTS += tests/server/etcd-read-your-writes.py
