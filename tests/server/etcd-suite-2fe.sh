#!/bin/bash
# etcd-suite.sh's real-client tests again with two xsw-dbserver front ends
# on the one etcd (issue 16): XT_FRONT_ENDS=2 makes xswenv.DbServer start
# both, and each client a test makes (each ovs-vsctl, IDL, raw connection)
# talks to the other front end from the one before, so a write through
# one is read back through the other (docs/storage-etcd.md, "Consistency
# across front ends").  About 60 s on a busy 2-core machine.
#
# Left out: server/limits.py and server/unixctl.py, which test one server
# process (its --max-sessions count, a --read-only-remote socket path that
# two servers cannot both bind, its own ovsdb-server/list-remotes);
# server/vlog.py (logging options: passes, 14 s, nothing across front
# ends); interop/locks.py, which learns that another client's "steal"
# reached it by an "echo" to its own server, true of one server only (the
# notification comes through etcd's watch, later: it passed once and
# failed once here); tests/server/etcd-locks.py runs its scenarios across
# two front ends, waiting for each notification instead.
# tests/server/etcd-read-your-writes.py is the read-your-writes race's own
# test.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir top_builddir XT_STORAGE=etcd XT_FRONT_ENDS=2
failed=
for t in interop/ovs-vsctl.py interop/python-idl.py \
         interop/monitor-replica.py interop/convert.py; do
    if /usr/bin/python3 "$top_srcdir/tests/$t"; then
        echo "== PASS on two etcd front ends: $t"
    else
        echo "== FAIL on two etcd front ends: $t"
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "failed on two etcd front ends:$failed"
    exit 1
fi
