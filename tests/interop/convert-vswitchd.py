"""ovs-vswitchd 3.1 as a long-lived client across an online schema
conversion (`ovsdb-client convert`), on xsw-dbserver and, side by side,
on ovsdb-server: the switch runs a bridge with a port, the database is
converted under it, then `ovs-vsctl add-port` (waiting for cur_cfg) adds a
second port, which the switch must apply.

On xsw-dbserver the switch (change-aware, Open vSwitch's C IDL) gets
"monitor_canceled", reads the new schema from _Server and carries on.  On
Debian's ovsdb-server 3.1.0 it does not: _Server keeps the old schema for
a standalone database, and the switch stops following the database until
it reconnects; the test records that outcome without requiring it.

The switches run as in ovs-vswitchd.py (whose Switch class this reuses):
each in a network namespace of its own, removed with its TAPs at the
end."""
import importlib.util
import json
import os
import signal
import sys

from xswenv import DbServer, Checks, Failure, run, VSWITCH_SCHEMA

_spec = importlib.util.spec_from_file_location(
    "ovs_vswitchd", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "ovs-vswitchd.py"))
vswitchd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vswitchd)


def new_schema(path):
    """The vswitch schema at version 9.9.9, with a column more in Bridge
    and a table less (Flow_Sample_Collector_Set, which ovs-vswitchd reads
    but can do without)."""
    s = json.load(open(VSWITCH_SCHEMA))
    s["version"] = "9.9.9"
    s["tables"]["Bridge"]["columns"]["xt_new"] = {
        "type": {"key": "integer", "min": 0, "max": 1}}
    del s["tables"]["Flow_Sample_Collector_Set"]
    json.dump(s, open(path, "w"))
    return path


def scenario(db, sw):
    r = {}
    db.vsctl("init")
    sw.vsctl(*vswitchd.SCRIPT[0])                      # add-br, netdev
    sw.vsctl(*vswitchd.add_port("xtp1", "tag=10"))
    db.client("convert", "@REMOTE",
              new_schema(os.path.join(db.dir, "xt-new.ovsschema")))
    r["version"] = db.client("get-schema-version", "@REMOTE",
                             "Open_vSwitch").strip()
    # Waits until the switch has applied it (cur_cfg), 15 s at most.
    try:
        run(["ovs-vsctl", "--db=" + db.remote, "--timeout=15"]
            + vswitchd.add_port("xtp2", "tag=20"), timeout=30)
        r["applied"] = True
    except Failure:
        r["applied"] = False
    r["ofport"] = db.vsctl("get", "Interface", "xtp2", "ofport").strip()
    r["in_datapath"] = "xtp2" in sw.appctl("dpif/show")
    r["still_running"] = sw.proc.poll() is None
    return r


def test_convert_under_vswitchd(c):
    results = {}
    for peer in ("xsw", "ovs"):
        with DbServer(peer=peer) as db:
            with vswitchd.Switch(db, peer) as sw:
                results[peer] = scenario(db, sw)
    xsw, ovs = results["xsw"], results["ovs"]
    c.eq(xsw["version"], "9.9.9", "the database is converted under the "
         "running switch")
    c.ok(xsw["still_running"], "ovs-vswitchd survives the conversion")
    c.ok(xsw["applied"] and xsw["in_datapath"] and xsw["ofport"] not in
         ("[]", ""), "ovs-vswitchd applies a port added after the "
         "conversion (cur_cfg, datapath, ofport)", repr(xsw))
    print("     on ovsdb-server 3.1: %r" % (ovs,))
    left = [ns for ns in run(["ip", "netns", "list"])[0].split()
            if ns.startswith(vswitchd.XT)]
    c.eq(left, [], "the test's namespaces (and their TAPs) are gone")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    checks = Checks()
    checks.run(test_convert_under_vswitchd)
    checks.finish()
