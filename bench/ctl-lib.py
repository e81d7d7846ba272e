#! /usr/bin/python3
"""ctl-lib.py: what bench/ctl-bench.sh and tests/ctl/scale.py share.

    ctl-lib.py populate SOCKET NPORTS

gives the Open_vSwitch database served on the unix socket SOCKET one
Open_vSwitch row and a bridge br0 with NPORTS ports p0..p<NPORTS-1> (one
interface each, named like the port), in ONE transaction.  It talks
JSON-RPC straight over the socket, through neither CLI under test: building
a 10,000-port bridge with 10,000 CLI calls would take hours with ovs-vsctl
and measure nothing we care about, and a transaction that size does not fit
in one ovsdb-client command-line argument (128 KiB).

As a module (import it by path with importlib: its name has a dash):
transact(), populate(), TransactError, and Proxy, a unix-socket relay that
records what a client and the server send each other.  They are
tests/interop/ovsdb_raw.py's, the one raw JSON-RPC client of the tree,
which the tests use too.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "interop"))
from ovsdb_raw import (Proxy, TransactError, populate,  # noqa: E402,F401
                       split_messages, transact)


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "populate":
        sys.stderr.write("usage: %s populate SOCKET NPORTS\n" % sys.argv[0])
        sys.exit(1)
    try:
        populate(sys.argv[2], int(sys.argv[3]))
    except (OSError, TransactError) as e:
        sys.stderr.write("%s: %s\n" % (sys.argv[0], e))
        sys.exit(1)


if __name__ == "__main__":
    main()
