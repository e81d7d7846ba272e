#!/usr/bin/python3
"""scale: one xsw-ctl add-port (and del-port) costs the same on a bridge
with 10 ports as on one with 10,000 (issue 5, Quality: Scale), on
Open vSwitch's ovsdb-server and on xsw-dbserver.

Not a timing test: it counts what crosses the socket.  A recording proxy
sits between xsw-ctl and the server, and the same command runs on two
databases that differ only in the size of bridge br0.  For each command:

  - the bytes the server sends xsw-ctl, and the bytes xsw-ctl sends, may
    differ by no more than SLACK between the two databases: reading (or
    writing back) br0's ports set alone would be 10,000 UUIDs, ~400 KB;
  - the transaction changes br0 with exactly one "mutate" of its ports
    set that inserts (deletes) one port, and neither rewrites the set with
    an "update" nor carries it in a "wait";
  - the database ends as the command says (the port is there, or gone,
    and br0 has every other port still).

And, so that the test is known to be able to fail: ovs-vsctl's add-port,
which reads the whole bridge, must show up through the same proxy as a
transfer that grows with the bridge.
"""
import importlib.util
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "ctl_lib", os.path.join(xswenv.TOP_SRCDIR, "bench", "ctl-lib.py"))
ctl_lib = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ctl_lib)

# $XSW_DBSERVER and $XSW_CTL override the programs under test (e.g. copies
# that a concurrent rebuild cannot pull from under the test).
xswenv.XSW_DBSERVER = os.environ.get("XSW_DBSERVER") or xswenv.XSW_DBSERVER
XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")
SMALL, BIG = 10, 10000

# How much more the big database may cost, in bytes each way.  Names of
# the same length give identical messages, UUIDs are all 36 characters:
# the honest difference is a few digits of transaction ids.  This leaves
# room for a few more small rows, and is 1/50 of the ports set.
SLACK = 8192


def run_ctl(remote, args, tool=XSW_CTL):
    p = subprocess.run([tool, "--db=" + remote, "--no-wait",
                        "--timeout=60"] + args,
                       capture_output=True, text=True, timeout=120)
    return p.stdout, p.stderr, p.returncode


def bridge_ports(db):
    """The names of br0's ports, straight from the server."""
    rows = ctl_lib.transact(db.sock, [
        {"op": "select", "table": "Bridge", "where": [["name", "==", "br0"]],
         "columns": ["ports"]}])[0]["rows"]
    ports = rows[0]["ports"]
    uuids = [u[1] for u in ports[1]] if ports[0] == "set" else [ports[1]]
    names = set()
    for r in ctl_lib.transact(db.sock, [
            {"op": "select", "table": "Port", "where": [],
             "columns": ["_uuid", "name"]}])[0]["rows"]:
        if r["_uuid"][1] in uuids:
            names.add(r["name"])
    return names


class Measured:
    """One command through the proxy: what went each way."""

    def __init__(self, proxy, remote, args, tool=XSW_CTL):
        proxy.reset()
        self.result = run_ctl(remote, args, tool)
        self.rx = len(proxy.bytes("s2c"))
        self.tx = len(proxy.bytes("c2s"))
        self.ops = []
        for m in proxy.messages("c2s"):
            if m.get("method") == "transact":
                self.ops += [op for op in m["params"][1:]
                             if isinstance(op, dict)]


def check_bridge_ops(checks, what, m, mutator):
    bridge_ops = [op for op in m.ops if op.get("table") == "Bridge"]
    shown = json.dumps(bridge_ops)[:1500]
    mutates = [op for op in bridge_ops if op["op"] == "mutate"]
    ok = (len(mutates) == 1 and len(mutates[0]["mutations"]) == 1)
    if ok:
        column, how, value = mutates[0]["mutations"][0]
        # One UUID: a bare ["uuid"|"named-uuid", ...] or a one-member set.
        one = (value[0] in ("uuid", "named-uuid")
               or (value[0] == "set" and len(value[1]) == 1))
        ok = column == "ports" and how == mutator and one
    checks.ok(ok, "%s: br0 changed by one \"%s\" of one port in its ports "
              "set" % (what, mutator), shown)
    checks.ok(not any(op["op"] in ("update", "insert")
                      and "ports" in op.get("row", {})
                      for op in bridge_ops)
              and not any(op["op"] == "wait"
                          and "ports" in op.get("columns", [])
                          for op in bridge_ops),
              "%s: br0's ports set is neither rewritten nor waited on" % what,
              shown)


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
    with xswenv.DbServer(peer=peer) as small, \
            xswenv.DbServer(peer=peer) as big:
        proxies = []
        try:
            measured = {}
            for db, n in ((small, SMALL), (big, BIG)):
                ctl_lib.populate(db.sock, n)
                proxy = ctl_lib.Proxy(os.path.join(db.dir, "proxy.sock"),
                                      db.sock)
                proxies.append(proxy)
                remote = "unix:" + proxy.path
                want = {"br0"} | {"p%d" % i for i in range(n)}
                for args, mutator, want in (
                        (["add-port", "br0", "new0"], "insert",
                         want | {"new0"}),
                        (["del-port", "br0", "new0"], "delete", want)):
                    what = "%s on %d ports" % (" ".join(args), n)
                    m = Measured(proxy, remote, args)
                    measured[(args[0], n)] = m
                    if not checks.eq(m.result, ("", "", 0),
                                     what + ": succeeds"):
                        continue
                    check_bridge_ops(checks, what, m, mutator)
                    checks.ok(bridge_ports(db) == want,
                              what + ": br0's ports afterwards",
                              "%d ports" % len(bridge_ports(db)))
                # The witness: ovs-vsctl through the same proxy.
                measured[("vsctl", n)] = Measured(
                    proxy, remote, ["add-port", "br0", "vsctl0"],
                    tool="ovs-vsctl")

            for cmd in ("add-port", "del-port"):
                s, b = measured[(cmd, SMALL)], measured[(cmd, BIG)]
                if s.result[2] != 0 or b.result[2] != 0:
                    checks.ok(False, "%s: cannot compare what failed" % cmd)
                    continue
                checks.ok(b.rx - s.rx <= SLACK,
                          "%s: xsw-ctl receives as much from a %d-port "
                          "bridge as from a %d-port one" % (cmd, BIG, SMALL),
                          "%d bytes vs %d bytes" % (b.rx, s.rx))
                checks.ok(b.tx - s.tx <= SLACK,
                          "%s: xsw-ctl sends as much for a %d-port bridge "
                          "as for a %d-port one" % (cmd, BIG, SMALL),
                          "%d bytes vs %d bytes" % (b.tx, s.tx))
            s, b = measured[("vsctl", SMALL)], measured[("vsctl", BIG)]
            checks.ok(s.result[2] == 0 and b.result[2] == 0
                      and b.rx - s.rx > 50 * SLACK,
                      "the proxy sees ovs-vsctl add-port read the whole "
                      "bridge (this test can fail)",
                      "%d bytes vs %d bytes, %r" % (b.rx, s.rx, b.result))
        finally:
            for proxy in proxies:
                proxy.close()


if __name__ == "__main__":
    main()
