# xsw-dbserver as a program: access control and input limits; the
# ovsdb-server modes it refuses (replication, clustering, bootstrap CA).
TESTS += tests/server/limits.py
TESTS += tests/server/unixctl.py
TESTS += tests/server/refused-modes.py
# -v/--verbose specs and vlog/set on the three programs beside Open
# vSwitch's, and jsonrpc:dbg message logging as ovsdb-server's.
TESTS += tests/server/vlog.py
