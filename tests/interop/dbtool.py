"""xsw-dbtool beside Open vSwitch 3.1's ovsdb-tool: each subcommand runs
with the same arguments, ovsdb-tool on an Open vSwitch file and xsw-dbtool
on an xsw file, and prints the same output with the same exit status
(UUIDs aside; error messages about files aside, where only the status is
compared).  Then Open vSwitch's own start-up library (ovs-lib's
upgrade_db, as ovs-ctl runs it) with xsw-dbtool in ovsdb-tool's place."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from xswenv import Checks, TOP_BUILDDIR, VSWITCH_SCHEMA

XSW_DBTOOL = os.path.join(TOP_BUILDDIR, "dbserver", "xsw-dbtool")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")


class Tools:
    """Runs a subcommand with both tools, each in a directory of its own,
    so that relative file names (and messages naming them) agree."""

    def __init__(self, top):
        self.dirs = {}
        for peer in ("ovs", "xsw"):
            self.dirs[peer] = os.path.join(top, peer)
            os.mkdir(self.dirs[peer])

    def run(self, *args):
        out = {}
        for peer, prog in (("ovs", "ovsdb-tool"), ("xsw", XSW_DBTOOL)):
            p = subprocess.run([prog] + list(args), cwd=self.dirs[peer],
                               capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, OVS_DBDIR=".",
                                        XSW_DBDIR="."))
            stderr = p.stderr.replace(prog + ":", "TOOL:").replace(
                "xsw-dbtool:", "TOOL:")
            out[peer] = (p.returncode, UUID_RE.sub("<uuid>", p.stdout),
                         stderr)
        return out["xsw"], out["ovs"]


def same(c, tools, what, *args, stderr=True):
    xsw, ovs = tools.run(*args)
    if not stderr:
        xsw, ovs = xsw[:2], ovs[:2]
    c.eq(xsw, ovs, "%s: %s" % (what, " ".join(a[:60] for a in args)))
    return xsw


def new_schema(path):
    s = json.load(open(VSWITCH_SCHEMA))
    s["version"] = "9.9.9"
    s["tables"]["Bridge"]["columns"]["xt_new"] = {
        "type": {"key": "integer", "min": 0, "max": 1}}
    del s["tables"]["Port"]["columns"]["external_ids"]
    json.dump(s, open(path, "w"))
    return path


POPULATE = ["Open_vSwitch",
            {"op": "insert", "table": "Open_vSwitch", "uuid-name": "ovs",
             "row": {"bridges": ["named-uuid", "br0"]}},
            {"op": "insert", "table": "Bridge", "uuid-name": "br0",
             "row": {"name": "br0",
                     "ports": ["set", [["named-uuid", "p1"],
                                       ["named-uuid", "p2"]]],
                     "external_ids": ["map", [["owner", "xt"]]]}},
            {"op": "insert", "table": "Port", "uuid-name": "p1",
             "row": {"name": "p1", "tag": 10,
                     "interfaces": ["named-uuid", "i1"],
                     "external_ids": ["map", [["vm", "xt-1"]]]}},
            {"op": "insert", "table": "Port", "uuid-name": "p2",
             "row": {"name": "p2", "trunks": ["set", [10, 20]],
                     "vlan_mode": "trunk",
                     "interfaces": ["named-uuid", "i2"]}},
            {"op": "insert", "table": "Interface", "uuid-name": "i1",
             "row": {"name": "p1", "mtu_request": 1400}},
            {"op": "insert", "table": "Interface", "uuid-name": "i2",
             "row": {"name": "p2"}}]


def select(table, name, columns):
    return json.dumps(["Open_vSwitch",
                       {"op": "select", "table": table,
                        "where": [["name", "==", name]],
                        "columns": columns}])


def test_tool(c, top):
    t = Tools(top)
    schema = VSWITCH_SCHEMA
    new = new_schema(os.path.join(top, "xt-new.ovsschema"))

    # Command lines.
    same(c, t, "no command", )
    same(c, t, "unknown command", "xt-frobnicate")
    same(c, t, "too many arguments", "db-version", "a", "b")
    same(c, t, "too few arguments", "compare-versions", "1.0.0")
    same(c, t, "compare-versions true", "compare-versions", "1.2.3", "<",
         "1.10.0")
    same(c, t, "compare-versions false", "compare-versions", "1.2.3", "==",
         "1.2.4")
    same(c, t, "compare-versions >=", "compare-versions", "2.0.0", ">=",
         "2.0.0")
    same(c, t, "a bad version", "compare-versions", "1.2", "<", "1.2.3")
    same(c, t, "a bad operator", "compare-versions", "1.2.3", "=~", "1.2.3")

    # Schemas.
    for cmd in ("schema-name", "schema-version", "schema-cksum"):
        same(c, t, cmd, cmd, schema)
        same(c, t, cmd + " of the new schema", cmd, new)

    # Creating, and reading a database's schema.
    same(c, t, "create", "create", "conf.db", schema)
    same(c, t, "create over an existing file", "create", "conf.db", schema,
         stderr=False)
    for cmd in ("db-name", "db-version", "db-cksum"):
        same(c, t, cmd, cmd, "conf.db")
    same(c, t, "db-version of a missing file", "db-version", "xt-none.db",
         stderr=False)
    same(c, t, "db-is-standalone", "db-is-standalone", "conf.db")
    same(c, t, "db-is-clustered", "db-is-clustered", "conf.db")
    same(c, t, "needs-conversion, same schema", "needs-conversion",
         "conf.db", schema)
    same(c, t, "needs-conversion, new schema", "needs-conversion",
         "conf.db", new)

    # Transactions, through each tool's own engine.
    same(c, t, "transact inserting a bridge", "transact", "conf.db",
         json.dumps(POPULATE))
    same(c, t, "query", "query", "conf.db",
         select("Port", "p1", ["name", "tag", "external_ids"]))
    same(c, t, "query", "query", "conf.db",
         select("Port", "p2", ["name", "trunks", "vlan_mode"]))
    same(c, t, "a select of no columns", "query", "conf.db",
         json.dumps(["Open_vSwitch", {"op": "select", "table": "Port",
                                      "where": [], "columns": ["name"]},
                     {"op": "comment", "comment": "xt"}]).replace(
                         '"columns": ["name"]', '"columns": []'))
    same(c, t, "transact modifying", "transact", "conf.db", json.dumps(
        ["Open_vSwitch", {"op": "update", "table": "Port",
                          "where": [["name", "==", "p1"]],
                          "row": {"tag": 20}},
         {"op": "mutate", "table": "Port", "where": [["name", "==", "p2"]],
          "mutations": [["trunks", "insert", ["set", [30]]]]}]))
    same(c, t, "the change is in the file", "query", "conf.db",
         select("Port", "p1", ["tag"]))
    same(c, t, "a query's insert", "query", "conf.db", json.dumps(
        ["Open_vSwitch", {"op": "insert", "table": "Bridge",
                          "row": {"name": "xt-q"}}]))
    same(c, t, "is not written", "query", "conf.db",
         select("Bridge", "xt-q", ["name"]))
    same(c, t, "an unknown operation", "transact", "conf.db",
         json.dumps(["Open_vSwitch", {"op": "bogus"}]))
    same(c, t, "another database's name", "query", "conf.db",
         json.dumps(["Other", {"op": "select", "table": "Bridge",
                               "where": []}]))
    same(c, t, "not an array", "query", "conf.db", '{"a":1}')
    same(c, t, "a wait that would block", "query", "conf.db", json.dumps(
        ["Open_vSwitch", {"op": "wait", "table": "Bridge", "where": [],
                          "columns": ["name"], "until": "==", "rows": []}]))
    same(c, t, "a lock no tool holds", "query", "conf.db",
         json.dumps(["Open_vSwitch", {"op": "assert", "lock": "l"}]))
    same(c, t, "a constraint violation", "transact", "conf.db", json.dumps(
        ["Open_vSwitch", {"op": "update", "table": "Port",
                          "where": [["name", "==", "p1"]],
                          "row": {"tag": 5000}}]))
    same(c, t, "a dangling reference", "transact", "conf.db", json.dumps(
        ["Open_vSwitch", {"op": "delete", "table": "Interface",
                          "where": [["name", "==", "p1"]]}]))
    same(c, t, "malformed JSON", "query", "conf.db", "[bad", stderr=False)

    # Compact and convert, in place and into a new file.
    same(c, t, "compact", "compact", "conf.db")
    same(c, t, "compacted data", "query", "conf.db",
         select("Port", "p2", ["name", "trunks"]))
    same(c, t, "compact to a new file", "compact", "conf.db", "copy.db")
    same(c, t, "the copy", "query", "copy.db",
         select("Port", "p1", ["name", "tag"]))
    same(c, t, "convert to a new file", "convert", "conf.db", new,
         "new.db")
    same(c, t, "the new file's version", "db-version", "new.db")
    same(c, t, "the old file's version", "db-version", "conf.db")
    same(c, t, "convert in place", "convert", "conf.db", new)
    same(c, t, "db-version after convert", "db-version", "conf.db")
    same(c, t, "needs-conversion after convert", "needs-conversion",
         "conf.db", new)
    same(c, t, "converted data", "query", "conf.db",
         select("Bridge", "br0", ["name", "external_ids", "xt_new"]))
    same(c, t, "a dropped column", "query", "conf.db",
         select("Port", "p1", ["external_ids"]))
    # (A read-only SQLite connection cannot remove the -wal and -shm files
    # it made beside a WAL-mode file; the next writer does.)
    # Reals and escapes print as ovsdb-tool prints them.
    test_schema = os.path.join(os.path.dirname(VSWITCH_SCHEMA), "..",
                               "tests", "schemas", "test.ovsschema")
    same(c, t, "create, another schema", "create", "test.db", test_schema)
    same(c, t, "reals and escapes", "transact", "test.db", json.dumps(
        ["test", {"op": "insert", "table": "Root",
                  "row": {"name": "xt", "r": 1.0, "fixed": "x",
                          "rset": ["set", [0.1, 2.5, 1e3, -1.25e-7]],
                          "smap": ["map", [["k", "\u00e9\u0001/\"x\t"]]]}},
         {"op": "select", "table": "Root", "where": [],
          "columns": ["r", "rset", "smap", "i"]}]))
    os.unlink(os.path.join(t.dirs["xsw"], "test.db"))

    xsw_files = sorted(f for f in os.listdir(t.dirs["xsw"])
                       if not f.endswith(("-wal", "-shm")))
    c.eq(xsw_files, ["conf.db", "copy.db", "new.db"],
         "xsw-dbtool leaves no temporary file behind")


OVS_LIB = "/usr/share/openvswitch/scripts/ovs-lib"


def test_ovs_lib(c, top):
    """Open vSwitch's start-up script library (ovs-lib's upgrade_db(), which
    ovs-ctl runs at every start) with xsw-dbtool in ovsdb-tool's place:
    creating the database, then upgrading it to a new schema with a backup,
    as it does with ovsdb-tool."""
    shim = os.path.join(top, "shim")
    os.mkdir(shim)
    os.symlink(os.path.abspath(XSW_DBTOOL), os.path.join(shim, "ovsdb-tool"))
    new = new_schema(os.path.join(top, "xt-lib-new.ovsschema"))
    script = ('. %s; upgrade_db "$1" "$2"; echo "rc=$?"; '
              'ovsdb_tool transact "$1" "$4"; '
              'upgrade_db "$1" "$3"; echo "rc=$?"; '
              'ovsdb_tool db-version "$1"; ovsdb_tool query "$1" "$5"'
              % OVS_LIB)
    results = {}
    for peer in ("ovs", "xsw"):
        d = os.path.join(top, "lib-" + peer)
        os.mkdir(d)
        env = dict(os.environ)
        if peer == "xsw":
            env["PATH"] = shim + ":" + env["PATH"]
        p = subprocess.run(["bash", "-c", script, "xt", "conf.db",
                            VSWITCH_SCHEMA, new, json.dumps(POPULATE),
                            select("Port", "p1", ["name", "tag"])],
                           cwd=d, env=env, capture_output=True, text=True,
                           timeout=120)
        # (ovsdb-tool leaves its lock files, .conf.db.~lock~ and the like.)
        results[peer] = (p.returncode, UUID_RE.sub("<uuid>", p.stdout),
                         sorted(f for f in os.listdir(d)
                                if not f.endswith(("-wal", "-shm"))
                                and not f.startswith(".")))
    c.eq(results["xsw"], results["ovs"], "ovs-lib's upgrade_db with "
         "xsw-dbtool does what it does with ovsdb-tool")
    c.ok("9.9.9" in results["xsw"][1] and '"tag":10' in results["xsw"][1],
         "the database is upgraded with its data", results["xsw"][1])


def main():
    if not os.path.exists(XSW_DBTOOL):
        sys.exit("%s is not built" % XSW_DBTOOL)
    c = Checks()
    top = tempfile.mkdtemp(prefix="xt-dbtool-")
    try:
        c.run(lambda c: test_tool(c, top))
        if os.path.exists(OVS_LIB):
            c.run(lambda c: test_ovs_lib(c, top))
        else:
            c.ok(False, "%s is missing (openvswitch-common)" % OVS_LIB)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
