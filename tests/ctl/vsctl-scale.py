#!/usr/bin/python3
"""vsctl-scale: what xsw-ctl's add-port, add-bond and del-port fetch and
send on a big bridge, on Open vSwitch's ovsdb-server and on xsw-dbserver.

A recording proxy sits between xsw-ctl and the server and keeps every
JSON-RPC message.  On a database with a 2,000-port bridge, each command
must:

  - change the bridge with a "mutate" of its ports set ("insert" or
    "delete" of one UUID), never an "update" or "wait" that carries the set;
  - receive none of the bridge's other ports or interfaces (rows that the
    command line does not name);
  - leave the database as ovs-vsctl would (checked by listing ports).

and xsw-ctl must receive far less than ovs-vsctl does for the same
command, which reads the whole database.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import ovsdb_raw  # noqa: E402
import xswenv  # noqa: E402

# $XSW_DBSERVER overrides the server under test (e.g. a copy that a
# concurrent rebuild cannot pull from under the test).
xswenv.XSW_DBSERVER = os.environ.get("XSW_DBSERVER") or xswenv.XSW_DBSERVER

XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")
N_PORTS = 2000


def populate(db):
    """br0 with N_PORTS ports p0..p<N-1>, br1 with 10, in one transaction
    each (straight over the socket: fast, independent of the tools under
    test, and too big for a command line)."""
    ovsdb_raw.populate(db.sock, N_PORTS, "br0", "p")
    ovsdb_raw.populate(db.sock, 10, "br1", "q")


def ctl(proxy_sock, *args, tool=XSW_CTL):
    p = subprocess.run([tool, "--db=unix:" + proxy_sock, "--no-wait",
                        "--timeout=30"] + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.stdout, p.stderr, p.returncode


def transact_ops(proxy):
    ops = []
    for m in proxy.messages("c2s"):
        if m.get("method") == "transact":
            ops.extend(op for op in m["params"][1:] if isinstance(op, dict))
    return ops


def received_names(proxy):
    """Every string that follows a "name" key in what the client got."""
    names = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "name" and isinstance(x, str):
                    names.add(x)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    for m in proxy.messages("s2c"):
        walk(m)
    return names


def check_command(checks, db, proxy, sock, args, mutator, want_ports):
    what = " ".join(args)
    proxy.reset()
    out, err, rc = ctl(sock, *args)
    if not checks.eq((out, err, rc), ("", "", 0), what + ": succeeds"):
        return
    ops = transact_ops(proxy)
    bridge_ops = [op for op in ops if op.get("table") == "Bridge"]
    mutates = [op for op in bridge_ops if op["op"] == "mutate"]
    checks.ok(len(mutates) == 1
              and mutates[0]["mutations"][0][:2] == ["ports", mutator],
              what + ": one \"%s\" mutation of Bridge ports" % mutator,
              json.dumps(bridge_ops)[:2000])
    checks.ok(not any(op["op"] in ("update", "wait")
                      and "ports" in json.dumps(op.get("row", op.get("rows")))
                      for op in bridge_ops),
              what + ": the ports set is neither rewritten nor verified",
              json.dumps(bridge_ops)[:2000])
    names = received_names(proxy)
    strangers = sorted(n for n in names
                       if n.startswith("p") and n[1:].isdigit()
                       and n not in args)
    checks.ok(not strangers,
              what + ": fetched none of the bridge's other ports",
              "fetched: %s" % strangers[:20])
    got = db.vsctl("list-ports", "br0").split()
    checks.eq(sorted(got), sorted(want_ports), what + ": ports afterwards")
    return len(proxy.bytes("s2c"))


def main():
    if not os.path.exists(XSW_CTL):
        print("FAIL %s is not built" % XSW_CTL)
        sys.exit(1)
    checks = xswenv.Checks()
    # xsw-ctl's client library on Open vSwitch's server and on xsw's.
    for peer in ("ovs", "xsw"):
        run_on(checks.on(xswenv.SERVER_NAMES[peer]), peer)
    checks.finish()


def run_on(checks, peer):
    with xswenv.DbServer(peer=peer) as db:
        populate(db)
        sock = os.path.join(db.dir, "proxy.sock")
        proxy = ovsdb_raw.Proxy(sock, db.sock)
        try:
            ports = ["p%d" % i for i in range(N_PORTS)]
            check_command(checks, db, proxy, sock,
                          ["add-port", "br0", "new0"], "insert",
                          ports + ["new0"])
            check_command(checks, db, proxy, sock,
                          ["add-bond", "br0", "bond0", "e0", "e1"], "insert",
                          ports + ["new0", "bond0"])
            xsw_bytes = check_command(checks, db, proxy, sock,
                                      ["del-port", "br0", "p1234"], "delete",
                                      [p for p in ports if p != "p1234"]
                                      + ["new0", "bond0"])
            check_command(checks, db, proxy, sock,
                          ["--with-iface", "del-port", "e1"], "delete",
                          [p for p in ports if p != "p1234"] + ["new0"])

            # The same del-port through ovs-vsctl, for scale.
            proxy.reset()
            out, err, rc = ctl(sock, "del-port", "br0", "p1235",
                               tool="ovs-vsctl")
            vsctl_bytes = len(proxy.bytes("s2c"))
            checks.ok(rc == 0 and xsw_bytes and
                      xsw_bytes * 4 < vsctl_bytes,
                      "xsw-ctl del-port receives under a quarter of what "
                      "ovs-vsctl does (%s vs %d bytes)"
                      % (xsw_bytes, vsctl_bytes))

            # A chain that names more ports than xsw-ctl fetches by name
            # gets the whole model in one go: one transaction, and no
            # question to the server port by port ("select" of the bridge
            # whose ports include it, 2,000 of them here).
            chained = ["p%d" % i for i in range(100, 200)]
            args = []
            for p in chained:
                args += (["--"] if args else []) + ["del-port", "br0", p]
            proxy.reset()
            out, err, rc = ctl(sock, *args)
            checks.eq((out, err, rc), ("", "", 0), "100 del-ports in a chain")
            transacts = [m for m in proxy.messages("c2s")
                         if m.get("method") == "transact"]
            selects = [op for op in transact_ops(proxy)
                       if op.get("op") == "select"]
            checks.ok(len(transacts) == 1 and not selects,
                      "100 del-ports in a chain: one transaction, no select",
                      "%d transactions, %d selects"
                      % (len(transacts), len(selects)))
            gone = set(chained) | {"p1234", "p1235"}
            checks.eq(sorted(db.vsctl("list-ports", "br0").split()),
                      sorted([p for p in ports if p not in gone] + ["new0"]),
                      "100 del-ports in a chain: ports afterwards")

            # list-br reads the bridges and the fake-bridge ports only.
            proxy.reset()
            out, err, rc = ctl(sock, "list-br")
            checks.eq((out, err, rc), ("br0\nbr1\n", "", 0), "list-br")
            names = received_names(proxy)
            checks.ok(not any(n.startswith(("p", "q")) for n in names),
                      "list-br fetched none of the ports or interfaces",
                      "fetched: %s" % sorted(names)[:20])

            # A clash is still found, with the bridge named.
            proxy.reset()
            out, err, rc = ctl(sock, "add-port", "br1", "p77")
            checks.eq((out, err, rc),
                      ("", "xsw-ctl: cannot create a port named p77 because "
                       "a port named p77 already exists on bridge br0\n", 1),
                      "add-port br1 p77: clash with a port of br0")
            out, err, rc = ctl(sock, "add-bond", "br1", "b9", "x1", "p5")
            checks.eq((out, err, rc),
                      ("", "xsw-ctl: cannot create an interface named p5 "
                       "because a port named p5 already exists on bridge "
                       "br0\n", 1), "add-bond br1 b9 x1 p5: interface clash")
        finally:
            proxy.close()


if __name__ == "__main__":
    main()
