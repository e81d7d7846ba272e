"""monitor-replica: long-lived replicas of Open vSwitch 3.1's clients follow
changes on xsw-dbserver exactly as they do on ovsdb-server, and xsw's own
clients follow ovsdb-server.

Each case runs against both servers in the same run.  The clients:
  - the Python IDL (ovs.db.idl, as ovsdbapp and Neutron use it:
    monitor_cond_since and update3);
  - the C IDL of ovs-vsctl (wait-until, which returns only once its replica
    holds the value; update3);
  - ovsdb-client monitor-cond, which prints each update2 "modify" diff as
    the server sent it: its output is compared between the two servers;
  - xsw-ctl wait-until, xsw's own IDL (lib/idl.c).

The defect this guards against: a column that holds at most one value
(Port.tag, Bridge.fail_mode, Interface.mtu_request: min 0, max 1) has its
new value as its update2 diff, ["set",[]] when it becomes empty
(ovsdb-server(7)).  A server that sends a symmetric difference instead
leaves the Python IDL at the old tag and makes `ovs-vsctl wait-until` hang;
a client library that reads a diff so hangs against ovsdb-server.  Tests of
xsw's server against xsw's client could not see it: both shared the rule.
"""
import json
import os
import random
import subprocess
import threading
import time

import ovs.db.data
import ovs.db.idl

import ovsdb_raw
from xswenv import (DbServer, Checks, VSWITCH_SCHEMA, TOP_BUILDDIR,
                    idl_run_until)

XSW_CTL = os.path.join(TOP_BUILDDIR, "ctl", "xsw-ctl")
PEERS = ("ovs", "xsw")


def make_idl(remote, tables):
    helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
    for t in tables:
        helper.register_table(t)
    return ovs.db.idl.Idl(remote, helper)


def idl_value(idl, table, name, column):
    """The JSON of 'column' of the row named 'name' in the IDL's replica,
    or None if there is no such row."""
    for row in idl.tables[table].rows.values():
        if row.name == name:
            return row._data[column].to_json()
    return None


class WaitUntil:
    """`CTL --db=... wait-until TABLE RECORD COND...` started before the
    change it waits for, through a recording proxy so that the caller can
    tell when its replica has synced: from then on only an update can make
    it return."""

    def __init__(self, db, ctl, *args):
        self.proxy_path = os.path.join(db.dir, "proxy-%d.sock" % id(self))
        self.proxy = ovsdb_raw.Proxy(self.proxy_path, db.sock)
        self.table = args[0]
        self.args = [ctl, "--db=unix:" + self.proxy_path, "--no-wait",
                     "--timeout=15", "wait-until"] + list(args)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def synced(self, timeout=20):
        """True once the server has answered a monitor request that covers
        the table waited for."""
        deadline = time.time() + timeout
        table = self.table
        while time.time() < deadline:
            try:
                msgs = self.proxy.messages("s2c")
            except ValueError:      # A message cut in the middle.
                msgs = []
            for m in msgs:
                r = m.get("result") if isinstance(m, dict) else None
                if isinstance(r, list) and len(r) == 3:
                    r = r[2]        # monitor_cond_since: [found, id, upd].
                if isinstance(r, dict) and table in r:
                    return True
            if self.proc.poll() is not None:
                return True
            time.sleep(0.05)
        return False

    def finish(self, timeout=40):
        """(exit status or None if still running, stderr)."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
            rc = self.proc.returncode
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            rc = None
        self.proxy.close()
        return rc, err


class Monitor:
    """ovsdb-client COMMAND (monitor, monitor-cond) on Port, printing each
    update as one JSON line; a thread collects the lines into 'lines'."""

    def __init__(self, db, command, columns="name,tag,trunks,vlan_mode"):
        args = ["ovsdb-client", "--format=json", command, db.remote,
                "Open_vSwitch"]
        if command == "monitor-cond":
            args.append("[true]")
        self.proc = subprocess.Popen(args + ["Port", columns],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_lines(self, n, timeout=20):
        """True once it has printed at least 'n' lines."""
        deadline = time.time() + timeout
        while len(self.lines) < n and time.time() < deadline:
            time.sleep(0.05)
        return len(self.lines) >= n

    def wait_text(self, text, timeout=20):
        """True once a line holding 'text' has been printed."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(text in line for line in list(self.lines)):
                return True
            time.sleep(0.05)
        return False

    def text(self):
        return "".join(self.lines)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.thread.join(timeout=5)


def normalise_monitor_output(text):
    """ovsdb-client's JSON tables, one per update, with each row's UUID
    replaced by its port's name (from the "initial" or "insert" rows) and
    the rows of one update sorted: the order of rows inside one table
    update is a JSON object's member order, which RFC 7047 does not
    define."""
    names = {}
    updates = [json.loads(line) for line in text.splitlines() if line]
    for u in updates:
        h = u["headings"]
        for row in u["data"]:
            if row[1] in ("initial", "insert") and "name" in h:
                names[row[0]] = row[h.index("name")]
    out = []
    for u in updates:
        rows = []
        last = None
        for row in u["data"]:
            row = list(row)
            if row[0]:
                last = names.get(row[0], "?")
            row[0] = last       # A "new" row follows its "old" one.
            rows.append(row)
        out.append({"headings": u["headings"],
                    "data": sorted(rows, key=json.dumps)})
    return out


# ---- Columns that hold at most one value. ----

OPTIONAL_STEPS = [
    # (ovs-vsctl command, table, record, column, value it then has)
    (["set", "Port", "p1", "tag=20"], "Port", "p1", "tag", 20),
    (["clear", "Port", "p1", "tag"], "Port", "p1", "tag", ["set", []]),
    (["set", "Port", "p1", "tag=30"], "Port", "p1", "tag", 30),
    (["set", "Port", "p1", "vlan_mode=access"], "Port", "p1", "vlan_mode",
     "access"),
    (["set", "Port", "p1", "vlan_mode=trunk"], "Port", "p1", "vlan_mode",
     "trunk"),
    (["clear", "Port", "p1", "vlan_mode"], "Port", "p1", "vlan_mode",
     ["set", []]),
    (["set-fail-mode", "br0", "secure"], "Bridge", "br0", "fail_mode",
     "secure"),
    (["set-fail-mode", "br0", "standalone"], "Bridge", "br0", "fail_mode",
     "standalone"),
    (["del-fail-mode", "br0"], "Bridge", "br0", "fail_mode", ["set", []]),
    (["set", "Interface", "p1", "mtu_request=1400"], "Interface", "p1",
     "mtu_request", 1400),
    (["set", "Interface", "p1", "mtu_request=9000"], "Interface", "p1",
     "mtu_request", 9000),
    (["clear", "Interface", "p1", "mtu_request"], "Interface", "p1",
     "mtu_request", ["set", []]),
]


def vsctl_cond(column, value):
    if value == ["set", []]:
        return "%s=[]" % column
    return "%s=%s" % (column, value)


def optional_columns(c, peer, monitor_outputs):
    with DbServer(peer=peer) as db:
        db.vsctl("add-br", "br0", "--", "add-port", "br0", "p1", "tag=10")
        idl = make_idl(db.remote, ["Bridge", "Port", "Interface"])
        c.ok(idl_run_until(idl, lambda: idl_value(idl, "Port", "p1", "tag")
                           == 10),
             "%s: the Python IDL's first sync has p1 with tag 10" % peer)
        mon = Monitor(db, "monitor-cond")
        c.ok(mon.wait_lines(1),
             "%s: ovsdb-client monitor-cond prints the initial rows" % peer)
        try:
            for cmd, table, record, column, value in OPTIONAL_STEPS:
                what = "%s: after `%s`" % (peer, " ".join(cmd))
                waiters = [(name, WaitUntil(db, ctl, table, record,
                                            vsctl_cond(column, value)))
                           for name, ctl in (("ovs-vsctl", "ovs-vsctl"),
                                             ("xsw-ctl", XSW_CTL))]
                for name, w in waiters:
                    c.ok(w.synced(), "%s: %s wait-until has synced"
                         % (what, name))
                db.vsctl(*cmd)
                c.ok(idl_run_until(idl, lambda: idl_value(
                    idl, table, record, column) == value),
                    "%s the Python IDL has %s %s" % (what, column, value),
                    "it has %r" % (idl_value(idl, table, record, column),))
                for name, w in waiters:
                    rc, err = w.finish()
                    c.ok(rc == 0 and not err,
                         "%s %s wait-until %s returns" % (
                             what, name, vsctl_cond(column, value)),
                         "exit status %s, stderr: %s" % (rc, err.strip()))
            # The initial rows, then one update per change to Port.
            n = 1 + sum(1 for s in OPTIONAL_STEPS if s[1] == "Port")
            c.ok(mon.wait_lines(n),
                 "%s: ovsdb-client monitor-cond printed %d updates"
                 % (peer, n), "it printed:\n" + mon.text())
        finally:
            mon.stop()
            idl.close()
        monitor_outputs[peer] = normalise_monitor_output(mon.text())


def compare_outputs(c, outputs, what):
    x, o = outputs["xsw"], outputs["ovs"]
    first = next((i for i in range(max(len(x), len(o)))
                  if i >= len(x) or i >= len(o) or x[i] != o[i]), None)
    c.ok(first is None, what, first is not None and
         "update %d differs:\n     xsw: %s\n     ovs: %s" % (
             first, json.dumps(x[first]) if first < len(x) else "(none)",
             json.dumps(o[first]) if first < len(o) else "(none)"))


def test_optional_columns(c):
    outputs = {}
    for peer in PEERS:
        optional_columns(c, peer, outputs)
    if len(outputs) == 2:
        compare_outputs(c, outputs, "ovsdb-client monitor-cond prints the "
                        "same updates (the raw update2 diffs) from both "
                        "servers")


# ---- Hundreds of changes. ----

N_PORTS = 8
N_CHANGES = 300
FOLLOWED = {
    "Port": ["name", "tag", "trunks", "vlan_mode", "external_ids",
             "other_config", "interfaces"],
    "Interface": ["name", "type", "mtu_request", "options", "external_ids",
                  "ofport_request"],
    "Bridge": ["name", "fail_mode", "ports", "stp_enable", "external_ids"],
}


def random_ops(rnd, path, names, keep_last=False):
    """One transaction's operations: a random change to one of the ports
    named in 'names', its interface, or the bridge; or the replacement of
    a port by a new one (garbage collection takes the old interface),
    which updates 'names'."""
    name = rnd.choice(names[:-1] if keep_last else names)
    where = [["name", "==", name]]
    kind = rnd.randrange(12)
    if kind == 0:
        # Tags below 4000: the end marker is 4093 then 4094.
        return [{"op": "update", "table": "Port", "where": where,
                 "row": {"tag": ["set", [rnd.randrange(4000)]]}}]
    if kind == 1:
        return [{"op": "update", "table": "Port", "where": where,
                 "row": {"tag": ["set", []]}}]
    if kind == 2:
        trunks = sorted(rnd.sample(range(1, 4000), rnd.randrange(5)))
        return [{"op": "update", "table": "Port", "where": where,
                 "row": {"trunks": ["set", trunks]}}]
    if kind == 3:
        mode = rnd.choice([[], ["access"], ["trunk"], ["native-tagged"],
                           ["native-untagged"]])
        return [{"op": "update", "table": "Port", "where": where,
                 "row": {"vlan_mode": ["set", mode]}}]
    if kind == 4:
        key = "k%d" % rnd.randrange(4)
        if rnd.randrange(3):
            m = ["insert", ["map", [[key, "v%d" % rnd.randrange(100)]]]]
        else:
            m = ["delete", ["set", [key]]]
        return [{"op": "mutate", "table": "Port", "where": where,
                 "mutations": [["external_ids"] + m]}]
    if kind == 5:
        return [{"op": "update", "table": "Interface", "where": where,
                 "row": {"mtu_request": ["set", rnd.choice(
                     [[], [1280], [1500], [9000]])]}}]
    if kind == 6:
        return [{"op": "update", "table": "Interface", "where": where,
                 "row": {"type": rnd.choice(["", "internal", "patch"])}}]
    if kind == 7:
        return [{"op": "update", "table": "Interface", "where": where,
                 "row": {"ofport_request": ["set", rnd.choice(
                     [[], [rnd.randrange(1, 100)]])]}}]
    if kind == 8:
        return [{"op": "update", "table": "Bridge",
                 "where": [["name", "==", "br0"]],
                 "row": {"fail_mode": ["set", rnd.choice(
                     [[], ["secure"], ["standalone"]])]}}]
    if kind == 9:
        return [{"op": "update", "table": "Bridge",
                 "where": [["name", "==", "br0"]],
                 "row": {"stp_enable": rnd.choice([True, False])}}]
    if kind == 10:
        peer = [["peer", "x%d" % rnd.randrange(5)]][:rnd.randrange(2)]
        return [{"op": "update", "table": "Interface", "where": where,
                 "row": {"options": ["map", peer]}}]
    new = "q%d" % rnd.randrange(10 ** 6)
    while new in names:
        new += "x"
    names[names.index(name)] = new
    rows = ovsdb_raw.transact(path, [{"op": "select", "table": "Port",
                                      "where": where,
                                      "columns": ["_uuid"]}])[0]["rows"]
    return [{"op": "insert", "table": "Interface", "row": {"name": new},
             "uuid-name": "i"},
            {"op": "insert", "table": "Port",
             "row": {"name": new, "interfaces": ["named-uuid", "i"]},
             "uuid-name": "p"},
            {"op": "mutate", "table": "Bridge",
             "where": [["name", "==", "br0"]],
             "mutations": [["ports", "delete",
                            ["set", [rows[0]["_uuid"]]]],
                           ["ports", "insert",
                            ["set", [["named-uuid", "p"]]]]]}]


def dump_rows(path):
    """{table: {uuid: {column: JSON}}} of the followed columns, read fresh
    from the server."""
    out = {}
    for table, columns in FOLLOWED.items():
        rows = ovsdb_raw.transact(path, [{"op": "select", "table": table,
                                          "where": [],
                                          "columns": ["_uuid"] + columns}])
        out[table] = {r["_uuid"][1]: {col: r[col] for col in columns}
                      for r in rows[0]["rows"]}
    return out


def idl_rows(idl):
    return {table: {str(u): {col: row._data[col].to_json()
                             for col in columns}
                    for u, row in idl.tables[table].rows.items()}
            for table, columns in FOLLOWED.items()}


def canon_rows(rows, types):
    """Every value through the Python IDL's own parser and printer, so
    that two spellings of one value compare equal."""
    return {t: {u: {col: ovs.db.data.Datum.from_json(
        types[t][col], v).to_json() for col, v in r.items()}
        for u, r in trows.items()} for t, trows in rows.items()}


def first_difference(got, want):
    for t in want:
        for u in set(got.get(t, {})) | set(want[t]):
            if got.get(t, {}).get(u) != want[t].get(u):
                return "%s %s: replica %r, database %r" % (
                    t, u, got.get(t, {}).get(u), want[t].get(u))
    return ""


def many_changes(c, peer, monitor_outputs):
    rnd = random.Random(11)
    with DbServer(peer=peer) as db:
        ovsdb_raw.populate(db.sock, N_PORTS)
        names = ["p%d" % i for i in range(N_PORTS)]
        idl = make_idl(db.remote, list(FOLLOWED))
        c.ok(idl_run_until(idl, lambda: len(idl.tables["Port"].rows)
                           == N_PORTS + 1),
             "%s: the Python IDL's first sync has %d ports"
             % (peer, N_PORTS + 1))
        types = {t: {col: idl.tables[t].columns[col].type for col in cols}
                 for t, cols in FOLLOWED.items()}
        mon = Monitor(db, "monitor-cond")
        c.ok(mon.wait_lines(1),
             "%s: ovsdb-client monitor-cond prints the initial rows" % peer)
        mon1 = Monitor(db, "monitor")
        c.ok(mon1.wait_lines(1),
             "%s: ovsdb-client monitor prints the initial rows" % peer)
        try:
            for i in range(N_CHANGES):
                ovsdb_raw.transact(db.sock, random_ops(rnd, db.sock, names))
                if i % 10 == 0:
                    idl.run()   # Now and then, as a busy daemon would.
            want = canon_rows(dump_rows(db.sock), types)
            ok = idl_run_until(idl, lambda: canon_rows(idl_rows(idl), types)
                               == want, timeout=30)
            c.ok(ok, "%s: after %d changes the Python IDL equals a fresh "
                 "dump" % (peer, N_CHANGES),
                 first_difference(canon_rows(idl_rows(idl), types), want))

            # The C IDL of ovs-vsctl and xsw's IDL hold the final values
            # after following the same stream for a while: each waits for
            # a value set after it synced.
            last = names[-1]
            ctls = [("ovs-vsctl", "ovs-vsctl"), ("xsw-ctl", XSW_CTL)]
            for tag in (4093, 4094):
                waiters = [(n, WaitUntil(db, path, "Port", last,
                                         "tag=%d" % tag))
                           for n, path in ctls]
                for n, w in waiters:
                    c.ok(w.synced(), "%s: %s wait-until has synced"
                         % (peer, n))
                for k in range(40):     # Churn first, then the value.
                    ovsdb_raw.transact(db.sock, random_ops(
                        rnd, db.sock, names, keep_last=True))
                ovsdb_raw.transact(db.sock, [{
                    "op": "update", "table": "Port",
                    "where": [["name", "==", last]],
                    "row": {"tag": tag}}])
                for n, w in waiters:
                    rc, err = w.finish()
                    c.ok(rc == 0 and not err,
                         "%s: %s wait-until Port %s tag=%d returns after "
                         "churn" % (peer, n, last, tag),
                         "exit status %s, stderr: %s" % (rc, err.strip()))
            c.ok(mon.wait_text("4094"),
                 "%s: ovsdb-client monitor-cond follows to the end" % peer)
            c.ok(mon1.wait_text("4094"),
                 "%s: ovsdb-client monitor follows to the end" % peer)
            columns = ["name", "tag", "trunks", "vlan_mode"]
            ptypes = {"Port": {col: idl.tables["Port"].columns[col].type
                               for col in columns}}
            want = canon_rows({"Port": {u: {col: r[col] for col in columns}
                                        for u, r in dump_rows(db.sock)
                                        ["Port"].items()}}, ptypes)
            got = canon_rows({"Port": replay_monitor(mon1.text())}, ptypes)
            c.ok(got == want, "%s: ovsdb-client monitor's rows, replayed, "
                 "equal a fresh dump" % peer, first_difference(got, want))
        finally:
            mon.stop()
            mon1.stop()
            idl.close()
        monitor_outputs[peer] = normalise_monitor_output(mon.text())


def replay_monitor(text):
    """The rows that ovsdb-client monitor's (update, not update2) JSON
    output leaves: {uuid: {column: value}}.  Each change prints the old
    values of the changed columns in a row named by its UUID, then every
    column's new value in a row with an empty name."""
    rows, last = {}, None
    for line in text.splitlines():
        u = json.loads(line)
        h = u["headings"]
        for row in u["data"]:
            uuid, action, values = row[0], row[1], dict(zip(h[2:], row[2:]))
            if action in ("initial", "insert"):
                rows[uuid] = values
            elif action == "delete":
                rows.pop(uuid, None)
            elif action == "old":
                last = uuid
            elif action == "new":
                rows[last] = values
    return rows


def test_many_changes(c):
    outputs = {}
    for peer in PEERS:
        many_changes(c, peer, outputs)
    if len(outputs) == 2:
        compare_outputs(c, outputs, "ovsdb-client monitor-cond prints the "
                        "same %d updates from both servers"
                        % len(outputs["ovs"]))


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_optional_columns)
    checks.run(test_many_changes)
    checks.finish()
