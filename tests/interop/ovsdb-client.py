"""ovsdb-client (Open vSwitch 3.1) against xsw-dbserver, side by side with
ovsdb-server: list-dbs, get-schema, transact, dump, monitor."""
import json
import re
import subprocess
import sys
import time

from xswenv import DbServer, Checks

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")


def normalize(text):
    """Replaces UUIDs by <uuid> so outputs of two servers compare."""
    return UUID_RE.sub("<uuid>", text)


def build_config(db):
    db.vsctl("init")
    db.vsctl("add-br", "br0", "--", "set", "Bridge", "br0",
             "external_ids:owner=test", "--", "add-port", "br0", "p1",
             "--", "set", "Port", "p1", "tag=1000")


def each_server(fn):
    """Runs fn(db) on xsw-dbserver and ovsdb-server; returns both results."""
    results = {}
    for peer in ("xsw", "ovs"):
        with DbServer(peer=peer) as db:
            results[peer] = fn(db)
    return results["xsw"], results["ovs"]


def test_list_dbs(c):
    xsw, ovs = each_server(lambda db: db.client("list-dbs", "@REMOTE"))
    c.eq(xsw, ovs, "list-dbs prints the same databases")
    c.ok("Open_vSwitch" in xsw and "_Server" in xsw, "list-dbs lists both")


def test_get_schema(c):
    for name in ("Open_vSwitch", "_Server"):
        xsw, ovs = each_server(
            lambda db: json.loads(db.client("get-schema", "@REMOTE", name)))
        c.eq(xsw, ovs, "get-schema %s equals ovsdb-server's" % name)
    # ovsdb-client lists tables and columns in the order of its own hash
    # table, which depends on the order the server sent them: compare the
    # lines, not their order.
    xsw, ovs = each_server(lambda db: sorted(db.client(
        "list-tables", "@REMOTE", "Open_vSwitch").splitlines()))
    c.eq(xsw, ovs, "list-tables output equals ovsdb-server's")
    xsw, ovs = each_server(lambda db: sorted(db.client(
        "list-columns", "@REMOTE", "Open_vSwitch", "Interface").splitlines()))
    c.eq(xsw, ovs, "list-columns Interface equals ovsdb-server's")


def transact_session(db):
    """A sequence of transactions; returns their normalized results."""
    out = []
    out.append(db.transact({"op": "insert", "table": "Open_vSwitch",
                            "row": {}, "uuid-name": "ovs"}))
    out.append(db.transact(
        {"op": "insert", "table": "Bridge", "uuid-name": "b",
         "row": {"name": "br9", "external_ids": ["map", [["k", "v"]]]}},
        {"op": "mutate", "table": "Open_vSwitch", "where": [],
         "mutations": [["bridges", "insert", ["named-uuid", "b"]]]}))
    out.append(db.transact({"op": "select", "table": "Bridge",
                            "where": [["name", "==", "br9"]],
                            "columns": ["name", "external_ids"]}))
    # Errors: each RFC 7047 error a client can meet.
    out.append(db.transact({"op": "insert", "table": "Bridge",
                            "row": {"name": "br9"}}))          # index
    out.append(db.transact({"op": "insert", "table": "Bridge",
                            "row": {"nosuchcolumn": 1}}))
    out.append(db.transact({"op": "insert", "table": "NoSuchTable",
                            "row": {}}))
    out.append(db.transact({"op": "update", "table": "Bridge",
                            "where": [["name", "==", "br9"]],
                            "row": {"protocols": ["set", ["OpenFlow99"]]}}))
    out.append(db.transact({"op": "insert", "table": "Port",
                            "row": {"name": "p", "interfaces":
                                    ["uuid", "6b8d3f0e-93e0-4c7a-a8c4-"
                                     "2c24c1b5f5a1"]}}))
    out.append(db.transact({"op": "wait", "table": "Bridge", "timeout": 0,
                            "where": [], "columns": ["name"],
                            "until": "==", "rows": []}))
    out.append(db.transact({"op": "mutate", "table": "Bridge",
                            "where": [], "mutations":
                            [["name", "+=", 1]]}))
    out.append(db.transact({"op": "delete", "table": "Bridge",
                            "where": [["name", "==", "br9"]]}))
    out.append(db.transact({"op": "abort"}))
    out.append(db.transact({"op": "comment", "comment": "hi"},
                           {"op": "select", "table": "Bridge",
                            "where": [], "columns": ["name"]}))
    out.append(db.transact({"op": "assert", "lock": "nolock"}))
    return normalize(json.dumps(out, sort_keys=True, indent=1))


def test_transact(c):
    xsw, ovs = each_server(transact_session)
    ok = c.eq(xsw, ovs, "transact results and errors equal ovsdb-server's")
    if not ok:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            ovs.splitlines(True), xsw.splitlines(True), "ovsdb-server",
            "xsw-dbserver"))


def dump_session(db):
    build_config(db)
    return normalize(db.client("dump", "@REMOTE", "Open_vSwitch"))


def sorted_tables(dump):
    """ovsdb-client dump sorts rows by UUID, which differ between servers;
    compare each table's rows as a sorted list."""
    tables = {}
    for block in dump.strip().split("\n\n"):
        lines = block.splitlines()
        tables[lines[0]] = lines[1:3] + sorted(lines[3:])
    return tables


def test_dump(c):
    xsw, ovs = each_server(dump_session)
    c.eq(sorted_tables(xsw), sorted_tables(ovs),
         "dump after ovs-vsctl add-br/add-port equals ovsdb-server's")


def monitor_session(db):
    db.vsctl("init")
    p = subprocess.Popen(["ovsdb-client", "monitor", db.remote,
                          "Open_vSwitch", "Bridge", "name,external_ids",
                          "--format=csv"], stdout=subprocess.PIPE,
                         text=True)
    try:
        time.sleep(0.5)   # Let the monitor start.
        db.vsctl("add-br", "brm")
        db.vsctl("br-set-external-id", "brm", "a", "b")
        db.vsctl("del-br", "brm")
        time.sleep(0.5)
    finally:
        p.terminate()
    out = p.communicate(timeout=10)[0]
    return normalize(out)


def test_monitor(c):
    xsw, ovs = each_server(monitor_session)
    c.eq(xsw, ovs, "ovsdb-client monitor shows what it shows with "
         "ovsdb-server")
    c.ok("brm" in xsw and "delete" in xsw, "monitor saw insert and delete")


def test_server_stays_up_on_garbage(c):
    import socket
    with DbServer() as db:
        for junk in (b"{]", b"\x00\xff\xfe", b"[1,2", b'{"method":"echo"}',
                     b"{" * 5000):
            s = socket.socket(socket.AF_UNIX)
            s.connect(db.sock)
            s.sendall(junk)
            s.close()
        c.ok(db.alive(), "malformed JSON from clients does not kill the "
             "server")
        c.eq(db.client("list-dbs", "@REMOTE").split(),
             ["Open_vSwitch", "_Server"], "the server still answers")


if __name__ == "__main__":
    checks = Checks()
    for t in (test_list_dbs, test_get_schema, test_transact, test_dump,
              test_monitor, test_server_stays_up_on_garbage):
        checks.run(t)
    checks.finish()
