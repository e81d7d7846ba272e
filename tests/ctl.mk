# tests: ctl
# xsw-ctl framework and database commands (part 1).
TESTS += tests/ctl/compare.py tests/ctl/race-completion.sh
EXTRA_DIST += tests/ctl/compare.py tests/ctl/race-completion.sh
# xsw-ctl's Open vSwitch, bridge, port and interface commands (part 2).
TESTS += tests/ctl/vsctl-compare.py tests/ctl/vsctl-scale.py \
	tests/ctl/vsctl-switchd.py
EXTRA_DIST += tests/ctl/vsctl-compare.py tests/ctl/vsctl-scale.py \
	tests/ctl/vsctl-switchd.py
TESTS += tests/ctl/scale.py
# xsw-ctl on ssl: databases (-p, -c, -C), on ovsdb-server and xsw-dbserver.
TESTS += tests/ctl/tls.py
EXTRA_DIST += tests/ctl/tls.py
# ...and maps OpenSSL only then: not on unix: or tcp:, nor when it cannot
# be loaded (a clear error on ssl:, for xsw-dbserver's pssl: too); and
# libsystemd never.
TESTS += tests/ctl/lazy-libs.py
EXTRA_DIST += tests/ctl/lazy-libs.py
# The manager workflow driven by xsw-ctl (set-manager, Neutron's way), on
# both servers.
TESTS += tests/ctl/manager.py
EXTRA_DIST += tests/ctl/manager.py
# wait-until follows another client's changes, on both servers.
TESTS += tests/ctl/wait-until.py
EXTRA_DIST += tests/ctl/wait-until.py
# A database that hangs up or goes silent is reported, as by ovs-vsctl.
TESTS += tests/ctl/dead-server.py
EXTRA_DIST += tests/ctl/dead-server.py
# xsw-dbserver tidies its heap while idle, so that a client that read a big
# database does not slow down the next one.
TESTS += tests/ctl/after-big-client.py
EXTRA_DIST += tests/ctl/after-big-client.py
