# tests: fault
# Fault-injection and load tests for xsw-dbserver and xsw-switchd
# (docs/reliability.md, "Faults" and "Load").  Python scripts run by
# /usr/bin/python3; fault-diskfull and fault-switchd need root (tmpfs,
# setpriv, chattr; namespaces and TAPs through tests/system/lib.sh).  Each
# takes a bounded time: XSW_FAULT_CYCLES (fault-kill, default 200) and
# XSW_FAULT_LOAD_SECONDS (fault-load, default 60) make the long ones
# longer.
TESTS += \
	tests/fault/fault-kill.py \
	tests/fault/fault-diskfull.py \
	tests/fault/fault-corrupt.py \
	tests/fault/fault-load.py \
	tests/fault/fault-switchd.sh
EXTRA_DIST += \
	tests/fault/faultlib.py \
	tests/fault/fault-kill.py \
	tests/fault/fault-diskfull.py \
	tests/fault/fault-corrupt.py \
	tests/fault/fault-load.py \
	tests/fault/fault-switchd.sh
