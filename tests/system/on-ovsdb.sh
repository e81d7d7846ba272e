#!/bin/bash
# tests/system/ovsdb/NAME.sh are links to this script: each runs
# tests/system/NAME.sh with xsw-switchd on Debian's ovsdb-server 3.1
# (XT_DBSERVER=ovs, see lib.sh) instead of xsw-dbserver, so that the
# switch daemon's replica of the database is tested against the reference
# server too: a rule that xsw's client and server share wrongly (as the
# update2 diff of optional columns was) fails here.  lib.sh checks that
# the server it talks to really is ovsdb-server.
name=$(basename "$0")
dir=$(dirname "$0")/..
if [ "$name" = on-ovsdb.sh ] || [ ! -f "$dir/$name" ]; then
    echo "on-ovsdb.sh: run it through a link tests/system/ovsdb/TEST.sh" >&2
    exit 99
fi
XT_DBSERVER=ovs exec bash "$dir/$name" "$@"
