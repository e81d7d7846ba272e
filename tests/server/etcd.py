"""xsw-dbserver on the etcd backend (--storage=etcd:URL), with one etcd 3.4
of the test's own on loopback ports: creating and opening a database,
transactions stored in etcd before their reply, a restart and a kill -9
that lose nothing acknowledged, a transaction of 10,000 ports (bigger than
one etcd request), compaction, and two servers on the same etcd, each
seeing through its monitors what the other stored; three servers reporting
one clustered database in _Server, which the Python IDL and ovs-vsctl fail
over between; monitor_cond_since resumed on another front end."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovsdb_raw  # noqa: E402
from xswenv import (Checks, Etcd, EtcdFrontEnd, XSW_DBSERVER,  # noqa: E402
                    VSWITCH_SCHEMA, Failure, run)

ETCDCTL_ENV = dict(os.environ, ETCDCTL_API="3")
ETCD = None         # The test's etcd,
DIR = None          # and its directory, with the servers' sockets and logs.


def etcd_keys(etcd):
    out = run(["etcdctl", "--endpoints=" + etcd.url, "get", "--prefix",
               "/xsw/Open_vSwitch/", "--keys-only"], env=ETCDCTL_ENV)[0]
    return out.split()


def etcd_log_text(etcd):
    return run(["etcdctl", "--endpoints=" + etcd.url, "get", "--prefix",
                "/xsw/Open_vSwitch/log/", "--print-value-only"],
               env=ETCDCTL_ENV)[0]


def server(args):
    p = subprocess.run([XSW_DBSERVER] + args, capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stderr


def test_create_and_open(c):
    etcd, dir = ETCD, DIR
    url = "--storage=etcd:" + etcd.url
    rc, err = server([url, "Open_vSwitch", "--remote=punix:" +
                      os.path.join(dir, "x.sock")])
    c.ok(rc != 0 and "does not exist in etcd" in err,
         "a database not in etcd: the server says so and exits", err)
    rc, err = server([url, "--create", VSWITCH_SCHEMA])
    # As "ovsdb-tool create-cluster": the schema is stored with its
    # ephemeral columns made persistent, and a warning says so.
    c.ok(rc == 0, "--storage=etcd:URL --create SCHEMA", err)
    c.ok(err.count("\n") == 1 and "WARN" in err and
         "changed 31 columns in 'Open_vSwitch' database from ephemeral to "
         "persistent, including 'datapath_id' column in 'Bridge' table, "
         "because clusters do not support ephemeral columns" in err,
         "--create warns, once, that it made the ephemeral columns "
         "persistent", err)
    rc, err = server([url, "--create", VSWITCH_SCHEMA])
    c.ok(rc != 0 and "already exists in etcd" in err,
         "a second --create refuses to overwrite it", err)
    rc, err = server(["--storage=zk:http://127.0.0.1:1", "Open_vSwitch"])
    c.ok(rc != 0 and "unknown storage" in err,
         "--storage of an unknown kind is refused by name", err)
    rc, err = server(["--storage=etcd:ftp://127.0.0.1:1", "Open_vSwitch"])
    c.ok(rc != 0 and "not an http:// or https:// URL" in err,
         "an etcd endpoint that is not http(s) is refused", err)


def test_one_front_end(c):
    etcd, dir = ETCD, DIR
    a = EtcdFrontEnd(etcd.url, dir, "a").start()
    try:
        a.vsctl("init")
        a.vsctl("add-br", "xtbr0", "--", "add-port", "xtbr0", "xtp1")
        # The reply came: the transaction must be in etcd already.
        c.ok("xtp1" in etcd_log_text(etcd),
             "a transaction is in etcd when its reply arrives")

        a.stop()
        a.start()
        c.eq(a.ports(), {"xtbr0", "xtp1"},
             "a restarted server loads the database from etcd")

        # kill -9 under load: every acknowledged port survives.
        acked, stop = [], threading.Event()

        def writer():
            for i in range(100000):
                if stop.is_set():
                    return
                try:
                    a.vsctl("add-port", "xtbr0", "xtk%d" % i)
                except Failure:
                    return
                acked.append("xtk%d" % i)
        t = threading.Thread(target=writer)
        t.start()
        deadline = time.time() + 10
        while len(acked) < 20 and time.time() < deadline:
            time.sleep(0.05)
        a.stop(signal.SIGKILL)
        stop.set()
        t.join()
        a.start()
        ports = a.ports()
        lost = [p for p in acked if p not in ports]
        c.ok(len(acked) >= 20 and not lost,
             "kill -9 under writes: all %d acknowledged ports are there "
             "after a restart" % len(acked), "lost: %s" % lost)

        # A transaction bigger than etcd's 1.5 MiB request limit.
        ops = [{"op": "insert", "table": "Interface", "row": {
                    "name": "xtb%d" % i}, "uuid-name": "i%d" % i}
               for i in range(10000)]
        ops += [{"op": "insert", "table": "Port", "row": {
                    "name": "xtb%d" % i,
                    "interfaces": ["named-uuid", "i%d" % i]},
                 "uuid-name": "p%d" % i} for i in range(10000)]
        ops.append({"op": "insert", "table": "Bridge", "row": {
                        "name": "xtbig", "ports": ["set", [
                            ["named-uuid", "p%d" % i]
                            for i in range(10000)]]},
                    "uuid-name": "big"})
        ops.append({"op": "mutate", "table": "Open_vSwitch", "where": [],
                    "mutations": [["bridges", "insert",
                                   ["named-uuid", "big"]]]})
        with ovsdb_raw.Connection(a.sock, 60) as conn:
            result = conn.call("transact", ["Open_vSwitch"] + ops)
        c.ok(all("error" not in r for r in result if r),
             "a 10,000-port transaction commits", json.dumps(result)[-300:])
        c.ok(any("/piece/log/" in k for k in etcd_keys(etcd)),
             "... in pieces, each within etcd's request limit")
        a.stop()
        a.start()
        c.eq(len(a.vsctl("list-ports", "xtbig").split()), 10000,
             "... and a restart loads all 10,000 ports")

        out = run(["ovs-appctl", "-t", a.ctl, "ovsdb-server/compact"])[0]
        keys = etcd_keys(etcd)
        logs = [k for k in keys if "/log/" in k]
        c.ok(out == "" and [k for k in keys if "/snap/" in k]
             and 0 < len(logs) <= 100,
             "compaction leaves a snapshot and only the last 100 log "
             "records before it (for front ends a little behind)",
             json.dumps(keys)[:500])
        a.vsctl("add-port", "xtbr0", "xtafter")
        a.stop()
        a.start()
        ports = a.ports()
        c.ok("xtafter" in ports and "xtk0" in ports and len(ports) > 10000,
             "a restart loads the snapshot and the log after it")
        big = result[20000]["uuid"]
        with ovsdb_raw.Connection(a.sock, 60) as conn:
            result = conn.call("transact", ["Open_vSwitch", {
                "op": "mutate", "table": "Open_vSwitch", "where": [],
                "mutations": [["bridges", "delete", big]]}])
        c.ok(len(a.ports()) < 1000 and "error" not in json.dumps(result),
             "a 10,000-port bridge deleted at once")
    finally:
        a.stop()


def test_two_front_ends(c):
    etcd, dir = ETCD, DIR
    a = EtcdFrontEnd(etcd.url, dir, "a").start()
    b = EtcdFrontEnd(etcd.url, dir, "b").start()
    try:
        with ovsdb_raw.Connection(b.sock, 20) as mon:
            mon.call("monitor_cond", ["Open_vSwitch", "xt", {
                "Port": {"columns": ["name"]}}])
            mon.backlog.clear()
            a.vsctl("add-port", "xtbr0", "xtviaa")
            deadline = time.time() + 10
            seen = False
            while not seen and time.time() < deadline:
                for msg in mon.pump(0.2):
                    seen |= "xtviaa" in json.dumps(msg)
            c.ok(seen, "a monitor on server B sees a port added through A")
        b.vsctl("add-port", "xtbr0", "xtviab")
        c.ok("xtviab" in a.ports(), "server A serves a port added through B")
        c.eq(a.ports(), b.ports(), "both servers hold the same ports")

        # Every kind of change travels as a record: map keys added,
        # changed and removed, an optional value set and cleared, rows
        # deleted (and their Interface collected).
        a.vsctl("set", "Bridge", "xtbr0", "other_config:xa=1",
                "other_config:xb=2", "external_ids:xe=1")
        a.vsctl("set", "Bridge", "xtbr0", "other_config:xa=3", "--",
                "remove", "Bridge", "xtbr0", "other_config", "xb", "--",
                "set", "Port", "xtp1", "tag=5", "--",
                "set", "Port", "xtviab", "trunks=1,2,3")
        b.vsctl("clear", "Port", "xtp1", "tag", "--",
                "remove", "Port", "xtviab", "trunks", "2", "--",
                "del-port", "xtk0")
        for table in ("Open_vSwitch", "Bridge", "Port", "Interface"):
            c.eq(a.vsctl("list", table), b.vsctl("list", table),
                 "both servers list the same %s rows" % table)
        out = b.vsctl("get", "Bridge", "xtbr0", "other_config")
        c.eq(out.strip(), '{xa="3"}', "... with the map as last written")
        catch_up_from_watch(c, etcd, a, b)
    finally:
        a.stop()
        b.stop()


def test_ephemeral_columns(c):
    """The schema's ephemeral columns are stored on etcd, as in a RAFT
    cluster (docs/storage-etcd.md, "Ephemeral columns"): a change to one
    through A reaches a monitor on B, and needs-conversion with the schema
    file says "no" (ovsdb-client makes the file's columns persistent
    against a clustered database before comparing)."""
    etcd, dir = ETCD, DIR
    a = EtcdFrontEnd(etcd.url, dir, "a").start()
    b = EtcdFrontEnd(etcd.url, dir, "b").start()
    try:
        for fe in (a, b):
            out = run(["ovsdb-client", "--timeout=20", "needs-conversion",
                       fe.remote, VSWITCH_SCHEMA])[0]
            c.eq(out, "no\n", "needs-conversion with the schema the "
                 "database was created with says no")
        with ovsdb_raw.Connection(b.sock, 20) as mon:
            mon.call("monitor_cond", ["Open_vSwitch", "xt", {
                "Bridge": {"columns": ["name", "status"]}}])
            mon.backlog.clear()
            # Bridge "status" is ephemeral in vswitch.ovsschema.
            a.vsctl("set", "Bridge", "xtbr0", "status:xtstate=xtviaa")
            deadline = time.time() + 10
            seen = False
            while not seen and time.time() < deadline:
                for msg in mon.pump(0.2):
                    seen |= "xtviaa" in json.dumps(msg)
            c.ok(seen, "a monitor on B sees an ephemeral column (Bridge "
                 "status) changed through A")
        out = b.vsctl("get", "Bridge", "xtbr0", "status")
        c.eq(out.strip(), '{xtstate=xtviaa}', "B serves the value")
    finally:
        a.stop()
        b.stop()


def etcd_ranges(etcd):
    """The range requests etcd has handled (its gRPC counter, which counts
    the JSON gateway's requests too)."""
    with urllib.request.urlopen(etcd.url + "/metrics", timeout=10) as f:
        text = f.read().decode()
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("grpc_server_handled_total")
               and 'grpc_method="Range"' in line)


def catch_up_from_watch(c, etcd, a, b):
    """B applies A's commits from its watch's events, without reading
    etcd (a range request per commit and a round trip before B's monitors
    hear of it, before); a record in pieces, which the watch does not
    carry, B reads."""
    with ovsdb_raw.Connection(b.sock, 60) as mon, \
            ovsdb_raw.Connection(a.sock, 60) as w:
        mon.call("monitor_cond", ["Open_vSwitch", "xt", {
            "Bridge": {"columns": ["name", "external_ids"]}}])
        mon.backlog.clear()

        def wait_for(text):
            deadline = time.time() + 20
            while time.time() < deadline:
                for msg in mon.pump(0.2):
                    if text in json.dumps(msg):
                        return True
            return False

        def set_id(value):
            return w.call("transact", ["Open_vSwitch", {
                "op": "update", "table": "Bridge",
                "where": [["name", "==", "xtbr0"]],
                "row": {"external_ids": ["map", [["xtw", value]]]}}])
        before = etcd_ranges(etcd)
        for i in range(20):
            set_id("xtv%d" % i)
        seen = wait_for("xtv19")
        ranges = etcd_ranges(etcd) - before
        c.ok(seen and ranges <= 2,
             "20 commits through A reach B's monitor with %d etcd range "
             "requests (B applies what its watch carries)" % ranges)

        # Bigger than one etcd request: the watch sees the marker, B reads
        # the pieces.
        big = "xtbig" + "x" * (1100 * 1024)
        result = set_id(big)
        c.ok("error" not in json.dumps(result),
             "a 1.1 MB value commits through A", json.dumps(result)[:300])
        c.ok(wait_for("xtbigxxxx"),
             "... B's monitor gets it (its record in pieces, read by B)")
        out = b.vsctl("get", "Bridge", "xtbr0", "external_ids:xtw")
        c.ok(out.strip().strip('"') == big, "... and B serves it whole",
             "%d bytes, %d wanted" % (len(out.strip()), len(big)))
        set_id("xtsmall")
        c.ok(wait_for("xtsmall"), "... and the commit after it")


def server_status(fe):
    """What front end 'fe' reports about Open_vSwitch in _Server."""
    with ovsdb_raw.Connection(fe.sock, 20) as conn:
        rows = conn.call("transact", ["_Server", {
            "op": "select", "table": "Database",
            "where": [["name", "==", "Open_vSwitch"]]}])[0]["rows"]
    row = rows[0]
    for k in ("cid", "sid", "index"):      # Optional: [] or one atom.
        if row[k] == ["set", []]:
            row[k] = None
        elif isinstance(row[k], list):      # ["uuid", "..."]
            row[k] = row[k][1]
    return row


def test_failover(c):
    """Every front end reports the database as one clustered database
    (one cid, its own sid, the same index for the same state), so the
    Open vSwitch clients take any of several remotes and move on when the
    one in use dies."""
    import ovs.db.idl
    from xswenv import idl_run_until
    dir = DIR
    fes = [EtcdFrontEnd(ETCD.url, dir, n).start() for n in ("fa", "fb", "fc")]
    try:
        fes[0].vsctl("add-br", "xtfo0")

        def statuses():
            deadline = time.time() + 10
            while True:
                st = [server_status(fe) for fe in fes if fe.proc]
                if (len({s["index"] for s in st}) == 1
                        or time.time() > deadline):
                    return st
                time.sleep(0.05)
        st = statuses()
        c.eq({(s["model"], s["connected"], s["leader"]) for s in st},
             {("clustered", True, True)},
             "each front end: model clustered, connected, leader")
        c.ok(len({s["cid"] for s in st}) == 1 and st[0]["cid"]
             and len({s["sid"] for s in st}) == 3,
             "one cid, a sid of each front end's own", str(st))
        c.ok(len({s["index"] for s in st}) == 1,
             "the same index on every front end", str(st))
        before = st[0]["index"]
        fes[1].vsctl("add-br", "xtfo1")
        after = statuses()[0]["index"]
        c.ok(isinstance(before, int) and after > before,
             "the index grows with a change made on another front end",
             str((before, after)))

        # The Python IDL on three remotes; kill -9 the one it uses.
        remotes = ",".join(fe.remote for fe in fes)
        helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
        helper.register_table("Bridge")
        idl = ovs.db.idl.Idl(remotes, helper)
        try:
            c.ok(idl_run_until(idl, lambda: "xtfo1" in {
                r.name for r in idl.tables["Bridge"].rows.values()}),
                 "the Python IDL on three remotes loads the database")
            used = next(fe for fe in fes
                        if fe.remote == idl._session.get_name())
            used.stop(signal.SIGKILL)
            other = next(fe for fe in fes if fe.proc)
            other.vsctl("add-br", "xtfo2")
            c.ok(idl_run_until(idl, lambda: "xtfo2" in {
                r.name for r in idl.tables["Bridge"].rows.values()}),
                 "... and after kill -9 of its front end, sees a change "
                 "through another")
        finally:
            idl.close()

        # ovsdbapp (python3-ovsdbapp, as OpenStack uses it) on the same
        # three remotes, the dead one restarted: kill -9 the one it uses.
        from ovsdbapp.backend.ovs_idl import connection
        from ovsdbapp.schema.open_vswitch import impl_idl
        from xswenv import CurCfgFollower
        used.start()
        idl = connection.OvsdbIdl.from_server(remotes, "Open_vSwitch")
        conn = connection.Connection(idl=idl, timeout=20)
        follower = None
        try:
            api = impl_idl.OvsdbIdl(conn)
            used = next(fe for fe in fes
                        if fe.remote == idl._session.get_name())
            other = next(fe for fe in fes if fe is not used)
            # ovsdbapp waits for a switch to copy next_cfg to cur_cfg.
            follower = CurCfgFollower(other.remote)
            follower.start()
            used.stop(signal.SIGKILL)
            # Write once ovsdbapp's connection thread has failed over: a
            # transaction queued while its IDL is still reconnecting is
            # run by ovsdbapp's retry loop, which steps the IDL (one
            # idl.run()) only between sleeps of 1, 2, 4, 8 s; the
            # reconnection takes 5 steps (connect, _Server's schema and
            # monitor, the database's monitor, its reply), so the write
            # times out at 20 s however fast the front end answers (seen
            # under load: each request answered within 1 ms, sent 1, 2,
            # 4 s apart).
            deadline = time.time() + 20
            while (idl._session.get_name() == used.remote
                   or idl.state != idl.IDL_S_MONITORING) \
                    and time.time() < deadline:
                time.sleep(0.05)
            c.ok(idl._session.get_name() != used.remote
                 and idl.state == idl.IDL_S_MONITORING,
                 "ovsdbapp's connection moves to another front end after "
                 "kill -9 of its own")
            api.db_set("Open_vSwitch", ".",
                       ("external_ids", {"xt-app": "1"})).execute(
                           check_error=True)
            c.eq(other.vsctl("get", "Open_vSwitch", ".",
                             "external_ids:xt-app").strip(), '"1"',
                 "ovsdbapp on three remotes writes through another front "
                 "end after kill -9 of its own")
        finally:
            conn.stop()
            if follower:
                follower.stop()

        # ovs-vsctl with the dead front end among its remotes: it is
        # skipped, whichever order the IDL tries them in.
        for i in range(4):
            run(["ovs-vsctl", "--db=" + remotes, "--timeout=20",
                 "--no-wait", "add-port", "xtfo0", "xtfop%d" % i])
        c.eq({"xtfop%d" % i for i in range(4)} - other.ports(), set(),
             "ovs-vsctl --db=A,B,C with A killed: every command lands")
    finally:
        for fe in fes:
            fe.stop()


def test_resume_elsewhere(c):
    """monitor_cond_since resumes on another front end: txn ids are the
    same on every front end, so a client of a front end killed -9 gets from
    another only what it missed, or everything (found=false) once that
    front end's history no longer covers its id."""
    dir = DIR
    a = EtcdFrontEnd(ETCD.url, dir, "ra").start()
    b = EtcdFrontEnd(ETCD.url, dir, "rb").start()
    zero = "00000000-0000-0000-0000-000000000000"
    req = {"Bridge": {"columns": ["name"]}}
    try:
        a.vsctl("add-br", "xtrs0")
        with ovsdb_raw.Connection(a.sock, 20) as conn:
            last = conn.call("monitor_cond_since",
                             ["Open_vSwitch", "xt", req, zero])[1]
        a.stop(signal.SIGKILL)
        b.vsctl("add-br", "xtrs1")

        def names(result):
            return {r[k]["name"] for r in result[2].get("Bridge", {}).values()
                    for k in r if "name" in r[k]}
        with ovsdb_raw.Connection(b.sock, 20) as conn:
            result = conn.call("monitor_cond_since",
                               ["Open_vSwitch", "xt", req, last])
        c.eq((result[0], names(result)), (True, {"xtrs1"}),
             "resumed on B with A's last txn id: found, only the missed "
             "bridge")
        # B restarted has no history in memory: it looks the id up in
        # etcd's log.
        b.stop()
        b.start()
        b.vsctl("add-br", "xtrs2", "--", "del-br", "xtrs1")
        with ovsdb_raw.Connection(b.sock, 20) as conn:
            result = conn.call("monitor_cond_since",
                               ["Open_vSwitch", "xt", req, last])
        rows = result[2].get("Bridge", {}).values()
        c.eq((result[0], names(result), sum("delete" in r for r in rows)),
             (True, {"xtrs2"}, 0),
             "an id older than B's history in memory: found in etcd's log, "
             "only what was missed (xtrs1 added and deleted: nothing)")
        with ovsdb_raw.Connection(b.sock, 20) as conn:
            mid = conn.call("monitor_cond_since",
                            ["Open_vSwitch", "xt", req, zero])[1]
        b.vsctl("del-br", "xtrs2")
        b.stop()
        b.start()
        with ovsdb_raw.Connection(b.sock, 20) as conn:
            result = conn.call("monitor_cond_since",
                               ["Open_vSwitch", "xt", req, mid])
        rows = list(result[2].get("Bridge", {}).values())
        c.eq((result[0], len(rows), "delete" in json.dumps(rows)),
             (True, 1, True), "... and a row deleted since")

        # A compaction cuts the history.
        run(["ovs-appctl", "-t", b.ctl, "ovsdb-server/compact"])
        b.stop()
        b.start()
        with ovsdb_raw.Connection(b.sock, 20) as conn:
            result = conn.call("monitor_cond_since",
                               ["Open_vSwitch", "xt", req, last])
        c.ok(result[0] is False and "xtrs0" in names(result),
             "an id older than etcd's history: found=false and the "
             "whole table", json.dumps(result)[:500])
    finally:
        a.stop()
        b.stop()


def test_convert_elsewhere(c):
    """"convert" through front end A (ovsdb-client convert): front end B
    notices through its watch and tells its clients as if the conversion
    were its own (as ovsdb-server does): a change-aware client's monitor is
    canceled ("monitor_canceled") and it stays connected, a client that is
    not change-aware is disconnected; B then serves the new schema, and a
    write of a new column through B reaches A.  Meanwhile a writer on a
    third front end W adds bridges, each in a session of its own: every
    write acknowledged is in the converted database (one that lands first
    makes A's conversion lose the compare, catch up and convert again; one
    that lands after fails, never half stored); XSW_ETCD_TEST_CONFLICTS
    makes A's conversion lose 3 times for sure.  Runs last: the shared
    database keeps the new schema."""
    import convert
    dir = DIR
    new = convert.new_schema(os.path.join(dir, "xt-new.ovsschema"))
    # A's first 3 commits, the conversion's, fail their compare as another
    # server's commit would make them (a test setting).
    a = EtcdFrontEnd(ETCD.url, dir, "ca", env=dict(
        os.environ, XSW_ETCD_TEST_CONFLICTS="3")).start()
    b = EtcdFrontEnd(ETCD.url, dir, "cb").start()
    w = EtcdFrontEnd(ETCD.url, dir, "cw").start()
    try:
        b.vsctl("--may-exist", "add-br", "xtcv0")
        deadline = time.time() + 10     # A has it: no update2 below.
        while ("xtcv0" not in a.vsctl("list-br").split()
               and time.time() < deadline):
            time.sleep(0.1)
        aware = ovsdb_raw.Connection(b.sock, 20)
        plain = ovsdb_raw.Connection(b.sock, 20)
        aware.call("set_db_change_aware", [True])
        aware.call("monitor_cond", ["Open_vSwitch", "xt-m",
                                    {"Bridge": [{"columns": ["name"]}]}])
        plain.call("monitor", ["Open_vSwitch", "xt-p",
                               {"Bridge": {"columns": ["name"]}}])
        stop = threading.Event()
        acked, failed = [], []

        def writer():
            i = 0
            while not stop.is_set():
                name = "xtcw%d" % i
                i += 1
                try:
                    ovsdb_raw.transact(w.sock, [
                        {"op": "insert", "table": "Bridge",
                         "row": {"name": name}, "uuid-name": "br"},
                        {"op": "mutate", "table": "Open_vSwitch",
                         "where": [], "mutations": [
                             ["bridges", "insert",
                              ["set", [["named-uuid", "br"]]]]]}])
                    acked.append(name)
                except Exception as e:
                    failed.append(str(e)[:200])
                # Flat out, beside a 10,000-port database, the conversion
                # lost 5-18 times in a row (the bound is 32).
                time.sleep(0.01)
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            time.sleep(0.3)
            run(["ovsdb-client", "--timeout=20", "convert", a.remote, new])
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join()
        deadline = time.time() + 10
        while time.time() < deadline and not (
                plain.eof and any(m.get("method") == "monitor_canceled"
                                  for m in aware.backlog)):
            aware.pump(0.1)
            plain.pump(0.1)
        c.eq([(m.get("method"), m.get("params")) for m in aware.backlog
              if m.get("method") != "update2"],
             [("monitor_canceled", ["xt-m"])], "B's change-aware client: "
             "its monitor canceled after the conversion through A")
        c.eq(aware.backlog[-1:] and aware.backlog[-1].get("method"),
             "monitor_canceled", "... and no update after that")
        c.ok(not aware.eof, "... and it stays connected")
        c.ok(plain.eof, "B's client that is not change-aware is "
             "disconnected")
        aware.close()
        plain.close()
        c.eq([run(["ovsdb-client", "get-schema-version", fe.remote,
                   "Open_vSwitch"])[0] for fe in (a, b)], ["9.9.9\n"] * 2,
             "both front ends serve the new schema")
        # (ovs-vsctl knows only the schema it was built with.)
        def xt_name(fe):
            rows = ovsdb_raw.transact(fe.sock, [{
                "op": "select", "table": "Bridge", "columns": ["xt_name"],
                "where": [["name", "==", "xtcv0"]]}])[0]["rows"]
            return [r["xt_name"] for r in rows]
        ovsdb_raw.transact(b.sock, [{
            "op": "update", "table": "Bridge", "row": {"xt_name": "xtfromb"},
            "where": [["name", "==", "xtcv0"]]}])
        deadline = time.time() + 10
        while xt_name(a) != ["xtfromb"] and time.time() < deadline:
            time.sleep(0.1)
        c.eq(xt_name(a), ["xtfromb"], "a new column written through B "
             "reaches A")
        log_b = open(b.log).read()
        c.ok("by another server" in log_b, "B's log says another server "
             "converted the database")
        names = {r["name"] for r in ovsdb_raw.dump(
            a.sock, {"Bridge": ["name"]})["Bridge"].values()}
        again = open(a.log).read().count("converting again")
        print("     writer on W during the conversion: %d acknowledged, %d "
              "failed (%s); A converted again %d times"
              % (len(acked), len(failed), failed[:1], again))
        c.ok(again >= 3, "a conversion that lost the compare is run again "
             "(3 forced losses, and any the writer caused)")
        c.ok(len(acked) > 0, "the writer on W wrote during the conversion")
        c.eq(sorted(set(acked) - names), [], "every write acknowledged "
             "during the conversion is in the converted database")
        a.stop()
        a.start()
        c.eq(xt_name(a), ["xtfromb"],
             "A restarted loads the converted database")

        # A "convert" whose schema has ephemeral columns (sent as is, not
        # by ovsdb-client, which makes them persistent first): stored with
        # them persistent, as --create does, and B's log says so.
        def ephemeral_columns(fe):
            with ovsdb_raw.Connection(fe.sock, 20) as conn:
                schema = conn.call("get_schema", ["Open_vSwitch"])
            return ["%s:%s" % (t, col)
                    for t, ts in sorted(schema["tables"].items())
                    for col, cs in sorted(ts["columns"].items())
                    if cs.get("ephemeral")]
        with ovsdb_raw.Connection(b.sock, 20) as conn:
            conn.call("convert", ["Open_vSwitch", json.load(open(new))])
        c.eq([ephemeral_columns(fe) for fe in (a, b)], [[], []],
             "a convert on etcd stores the schema's ephemeral columns "
             "persistent (get_schema on both front ends)")
        c.ok("convert: changed 31 columns in 'Open_vSwitch' database from "
             "ephemeral to persistent" in open(b.log).read(),
             "B's log has the warning")
    finally:
        a.stop()
        b.stop()
        w.stop()


if __name__ == "__main__":
    checks = Checks()
    DIR = tempfile.mkdtemp(prefix="xt-etcd-")
    try:
        ETCD = Etcd(DIR).start()
        checks.run(test_create_and_open)
        checks.run(test_one_front_end)
        checks.run(test_two_front_ends)
        checks.run(test_ephemeral_columns)
        checks.run(test_failover)
        checks.run(test_resume_elsewhere)
        checks.run(test_convert_elsewhere)
    finally:
        if ETCD:
            ETCD.stop()
        shutil.rmtree(DIR, ignore_errors=True)
    checks.finish()
