#!/bin/sh
# ovn-northd.py with xsw's northbound and southbound databases in one etcd,
# served by two xsw-dbserver front ends: the active northd on one, the
# standby on the other, queued on the southbound lock across them (issue
# 16; see the top of ovn-northd.py).  About 60 s.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir XT_STORAGE=etcd XT_FRONT_ENDS=2
exec /usr/bin/python3 "$top_srcdir/tests/interop/ovn-northd.py"
