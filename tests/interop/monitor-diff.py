"""monitor-diff: every monitor notification of xsw-dbserver compared with
ovsdb-server 3.1's, over one scripted sequence of transactions.

One schema with every kind of column (scalars of each type, an optional
value, a map of at most one pair, enums, a set with limits, sets and maps,
strong and weak references, optional weak references, maps to references,
non-root tables with garbage collection, a self-reference and a cycle) is
served by both servers in the same run.  On each server, long-lived
sessions monitor it with every flavour: "monitor" (update), "monitor" with
column subsets and "select", "monitor_cond" (update2), "monitor_cond" with
conditions later changed by "monitor_cond_change", and
"monitor_cond_since" (update3).  A writer session runs the same steps on
both; after each step every session's messages are compared.

Normalising, and why each part is legitimately implementation-defined:
  - Row UUIDs are random: each is replaced by the label of the insert that
    made it (the writer knows them from its transaction results); any
    other UUID (none expected) by "<uuid>".
  - update3's last-transaction id and monitor_cond_since's reply carry
    random transaction ids: replaced by "<txn>".
  - The order of members in a JSON object (tables of an update, rows of a
    table) is not defined: the comparison is of parsed JSON.  The order
    of a set's elements is by value, and the values (UUIDs) differ: sets
    and maps are compared sorted after labelling.
Nothing else is normalised: the same rows, columns, values, diffs, and
the same grouping of changes into notifications.

Also: an IDL-style client that inserts a row and deletes it right after
(two pipelined transactions on its own monitoring session, and the real
Python IDL through a recording proxy) sees the same replies and updates,
in the same order and grouping, from both servers.
"""
import copy
import json
import os
import re
import shutil
import tempfile

import ovs.db.idl

import ovsdb_raw
from xswenv import DbServer, Checks, idl_run_until

DB = "XtMon"
SCHEMA = {
    "name": DB, "version": "1.0.0",
    "tables": {
        "Root": {"isRoot": True, "columns": {
            "name": {"type": "string"},
            "i": {"type": "integer"},
            "r": {"type": "real"},
            "b": {"type": "boolean"},
            "u": {"type": "uuid"},
            "opt": {"type": {"key": "integer", "min": 0, "max": 1}},
            "optmap": {"type": {"key": "string", "value": "string",
                                "min": 0, "max": 1}},
            "en": {"type": {"key": {"type": "string",
                                    "enum": ["set", ["a", "b", "c"]]}}},
            "enopt": {"type": {"key": {"type": "string",
                                       "enum": ["set", ["a", "b", "c"]]},
                               "min": 0, "max": 1}},
            "lim": {"type": {"key": {"type": "integer", "minInteger": 0,
                                     "maxInteger": 100},
                             "min": 1, "max": 3}},
            "s": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
            "m": {"type": {"key": "string", "value": "integer", "min": 0,
                           "max": "unlimited"}},
            "strong": {"type": {"key": {"type": "uuid", "refTable": "Child"},
                                "min": 0, "max": "unlimited"}},
            "weak": {"type": {"key": {"type": "uuid", "refTable": "Other",
                                      "refType": "weak"},
                              "min": 0, "max": "unlimited"}},
            "weakopt": {"type": {"key": {"type": "uuid", "refTable": "Other",
                                         "refType": "weak"},
                                 "min": 0, "max": 1}},
            "refmap": {"type": {"key": "string",
                                "value": {"type": "uuid",
                                          "refTable": "Child"},
                                "min": 0, "max": "unlimited"}}}},
        "Child": {"columns": {
            "name": {"type": "string"},
            "n": {"type": "integer"},
            "peer": {"type": {"key": {"type": "uuid", "refTable": "Child"},
                              "min": 0, "max": 1}}}},
        "Other": {"isRoot": True, "columns": {
            "name": {"type": "string"},
            "v": {"type": "integer"}}},
    },
}
COLS = {t: sorted(SCHEMA["tables"][t]["columns"]) for t in SCHEMA["tables"]}
ZERO = "00000000-0000-0000-0000-000000000000"
U1 = "5a2c1b8e-0000-4000-8000-000000000001"     # Values of Root.u.
U2 = "5a2c1b8e-0000-4000-8000-000000000002"

# The long-lived monitors: name -> (method, params).
MONITORS = {
    "monitor": ("monitor", [DB, "m1", {
        t: {"columns": COLS[t]} for t in COLS}]),
    "monitor-select": ("monitor", [DB, "m2", {
        "Root": [{"columns": ["name", "opt", "s", "weak"],
                  "select": {"initial": False, "insert": True,
                             "delete": True, "modify": True}}],
        "Child": {"columns": ["name"], "select": {"modify": False}},
        "Other": [{"columns": ["v"], "select": {"insert": False}}]}]),
    "monitor_cond": ("monitor_cond", [DB, "m3", {
        t: [{"columns": COLS[t]}] for t in COLS}]),
    "monitor_cond-where": ("monitor_cond", [DB, "m4", {
        "Root": [{"columns": COLS["Root"], "where": [["i", ">", 5]]}],
        "Child": [{"columns": ["name", "n"], "where": [["n", "<", 10]]}],
        "Other": [{"columns": COLS["Other"]}]}]),
    "monitor_cond_since": ("monitor_cond_since", [DB, "m5", {
        t: [{"columns": COLS[t]}] for t in COLS}, ZERO]),
}


def ref(label):
    """A reference to the row inserted as 'label' in an earlier step."""
    return {"$ref": label}


def named(label):
    return ["named-uuid", label]


def where(name):
    return [["name", "==", name]]


def ins(table, label, row):
    if table == "Root" and "en" not in row:
        # A scalar enum has no valid default ("" is not in the enum).
        row = dict(row, en="a")
    return {"op": "insert", "table": table, "uuid-name": label,
            "row": dict(row, name=label)}


def upd(table, name, row):
    return {"op": "update", "table": table, "where": where(name), "row": row}


def mut(table, name, *mutations):
    return {"op": "mutate", "table": table, "where": where(name),
            "mutations": list(mutations)}


def delete(table, name):
    return {"op": "delete", "table": table, "where": where(name)}


def cond_change(monitor_id, conds):
    return ("cond_change", monitor_id, conds)


# Steps: (description, [ops] or a cond_change, for the writer, which every
# monitor then sees).
STEPS = [
    ("insert Other rows", [ins("Other", "o1", {"v": 1}),
                           ins("Other", "o2", {"v": 2}),
                           ins("Other", "o3", {"v": 3})]),
    ("insert a Root row at its defaults", [ins("Root", "r1", {})]),
    ("insert a Root row with every column set", [
        ins("Child", "c1", {"n": 1}),
        ins("Child", "c2", {"n": 2}),
        ins("Root", "r2", {
            "i": 7, "r": 1.5, "b": True,
            "u": ["uuid", U1],
            "opt": 3, "optmap": ["map", [["k", "v"]]], "en": "b",
            "enopt": "c", "lim": ["set", [1, 2]],
            "s": ["set", ["x", "y"]], "m": ["map", [["a", 1]]],
            "strong": ["set", [named("c1")]],
            "weak": ["set", [ref("o1"), ref("o2")]],
            "weakopt": ref("o3"),
            "refmap": ["map", [["k", named("c2")]]]})]),
    ("scalar: integer into the where-clause", [upd("Root", "r1", {"i": 10})]),
    ("optional: change", [upd("Root", "r2", {"opt": 4})]),
    ("optional: clear", [upd("Root", "r2", {"opt": ["set", []]})]),
    ("optional: set again", [upd("Root", "r2", {"opt": 5})]),
    ("map of at most one pair: new value",
     [upd("Root", "r2", {"optmap": ["map", [["k", "w"]]]})]),
    ("map of at most one pair: new key",
     [upd("Root", "r2", {"optmap": ["map", [["j", "v"]]]})]),
    ("map of at most one pair: clear",
     [upd("Root", "r2", {"optmap": ["map", []]})]),
    ("enum: change", [upd("Root", "r2", {"en": "c"})]),
    ("optional enum: clear, set", [upd("Root", "r2", {"enopt": ["set", []]}),
                                   upd("Root", "r1", {"enopt": "a"})]),
    ("real, boolean, uuid", [upd("Root", "r2", {
        "r": -0.25, "b": False,
        "u": ["uuid", U2]})]),
    ("set with limits", [upd("Root", "r2", {"lim": ["set", [2, 3, 4]]})]),
    ("set: insert and delete", [mut("Root", "r2", ["s", "insert", "z"],
                                    ["s", "delete", "x"])]),
    ("map: insert, delete, new value", [
        mut("Root", "r2", ["m", "insert", ["map", [["b", 2]]]],
            ["m", "delete", ["set", ["a"]]]),
        upd("Root", "r1", {"m": ["map", [["q", 1], ["r", 2]]]})]),
    ("map: change a value", [upd("Root", "r1",
                                 {"m": ["map", [["q", 1], ["r", 3]]]})]),
    ("integer mutation", [mut("Root", "r2", ["i", "+=", 1])]),
    ("no change at all", [mut("Root", "r2", ["s", "insert", "z"]),
                          upd("Root", "r1", {"i": 10})]),
    ("child: change, leave the where-clause", [upd("Child", "c1",
                                                   {"n": 50})]),
    ("child: a reference to itself", [upd("Child", "c1",
                                          {"peer": ref("c1")})]),
    ("child: unreferenced except by itself: collected", [
        mut("Root", "r2", ["strong", "delete", ["set", [ref("c1")]]])]),
    ("children in a cycle", [
        ins("Child", "c3", {"n": 3, "peer": named("c4")}),
        ins("Child", "c4", {"n": 4, "peer": named("c3")}),
        mut("Root", "r2", ["strong", "insert", ["set", [named("c3")]]])]),
    # ovsdb-server 3.1 collects a row that only refers to itself but keeps
    # two that refer to each other (each counts the other's reference):
    # the cycle stays, unreachable, on both servers.
    ("a cycle no root reaches: kept", [
        upd("Root", "r2", {"strong": ["set", []]})]),
    ("map to references: new child, old one collected", [
        ins("Child", "c5", {"n": 5}),
        upd("Root", "r2", {"refmap": ["map", [["k", named("c5")]]]})]),
    ("weak reference: its target deleted", [delete("Other", "o1")]),
    ("optional weak reference: its target deleted", [delete("Other", "o3")]),
    ("condition change: name == r2",
     cond_change("m4", {"Root": [{"where": [["name", "==", "r2"]]}]})),
    ("condition change of an update3 monitor",
     cond_change("m5", {"Root": [{"where": [["opt", "!=", ["set", []]]]}],
                        "Child": [{"where": [["n", ">=", 5]]}]})),
    ("outside the new condition", [upd("Root", "r1", {"i": 20})]),
    ("inserted and deleted in one transaction", [
        ins("Root", "r3", {}), delete("Root", "r3")]),
    ("an aborted transaction", [upd("Root", "r1", {"i": 30}),
                                {"op": "abort"}]),
    # (Not r2 itself: ovsdb-server 3.1.0 leaves a dangling weak reference
    # in a row that the same transaction modifies before it deletes the
    # row referred to: its assess_weak_refs() has already assessed the
    # referring row when the deletion queues the reference for removal.
    # xsw removes it, as RFC 7047 says.)
    ("several tables and rows in one transaction", [
        ins("Root", "r4", {"weak": ["set", [ref("o2")]]}),
        upd("Root", "r1", {"i": 9, "opt": 2}),
        delete("Other", "o2")]),
    ("the same row twice in one transaction", [
        upd("Root", "r2", {"i": 11, "opt": 6}),
        mut("Root", "r2", ["i", "+=", 1], ["s", "insert", "w"]),
        upd("Root", "r2", {"opt": ["set", []]})]),
    ("condition change: everything",
     cond_change("m4", {"Root": [{"where": [True]}],
                        "Child": [{"where": [True]}]})),
    ("delete roots: their children collected", [delete("Root", "r1"),
                                                delete("Root", "r2")]),
    ("insert after deletes", [ins("Root", "r5", {"opt": 1}),
                              delete("Root", "r4")]),
]


class Session:
    """A raw session that keeps what it receives between barriers."""

    def __init__(self, db):
        self.conn = ovsdb_raw.Connection(db.sock, timeout=30)
        self.n = 0

    def send(self, method, params):
        return self.conn.request(method, params)

    def barrier(self):
        """Everything the server sent before it answered an echo sent
        now, the echo's reply excepted."""
        self.n += 1
        tag = "barrier-%d" % self.n
        id_ = self.conn.request("echo", [tag])
        self.conn.reply(id_)
        out = list(self.conn.backlog)
        self.conn.backlog.clear()
        return out

    def close(self):
        self.conn.close()


def resolve(ops, uuids):
    """'ops' with each {"$ref": label} replaced by the row's UUID."""
    if isinstance(ops, dict):
        if set(ops) == {"$ref"}:
            return ["uuid", uuids[ops["$ref"]]]
        return {k: resolve(v, uuids) for k, v in ops.items()}
    if isinstance(ops, list):
        return [resolve(v, uuids) for v in ops]
    return ops


UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}$")


def normalise(value, labels):
    """UUIDs to labels (anywhere: keys, ["uuid", x], strings), sets and
    maps sorted."""
    if isinstance(value, str):
        if UUID_RE.match(value):
            return "#" + labels.get(value, "<uuid>")
        return value
    if isinstance(value, dict):
        return {normalise(k, labels): normalise(v, labels)
                for k, v in value.items()}
    if isinstance(value, list):
        out = [normalise(v, labels) for v in value]
        if len(out) == 2 and out[0] in ("set", "map") \
                and isinstance(out[1], list):
            out[1] = sorted(out[1], key=lambda v: json.dumps(v,
                                                             sort_keys=True))
        return out
    return value


def strip_txn_ids(msg):
    """update3 and monitor_cond_since replies name transactions by random
    ids: keep only where they are."""
    msg = copy.deepcopy(msg)
    if msg.get("method") == "update3":
        msg["params"][1] = "<txn>"
    r = msg.get("result")
    if isinstance(r, list) and len(r) == 3 and isinstance(r[0], bool):
        r[1] = "<txn>"
    return msg


def run_script(db):
    """Runs STEPS on 'db'; returns {step index: {monitor: [messages]}},
    the writer's per-step results, and the IDL-style session's messages,
    all normalised."""
    uuids, labels = {}, {U1: "u1", U2: "u2"}
    sessions = {}
    log = []
    try:
        for name, (method, params) in MONITORS.items():
            s = Session(db)
            s.send(method, params)
            sessions[name] = s
        log.append(("monitor requests", {n: s.barrier()
                                         for n, s in sessions.items()},
                    None))
        writer = Session(db)
        for title, step in STEPS:
            if isinstance(step, tuple):
                _, mon_id, conds = step
                target = next(n for n, (m, p) in MONITORS.items()
                              if p[1] == mon_id)
                sessions[target].send("monitor_cond_change",
                                      [mon_id, mon_id, conds])
                result = None
            else:
                ops = resolve(step, uuids)
                reply = writer.conn.reply(writer.send("transact",
                                                      [DB] + ops))
                result = reply.get("result") or reply.get("error")
                for op, r in zip(ops, result or []):
                    if op.get("op") == "insert" and r and "uuid" in r:
                        uuids[op["uuid-name"]] = r["uuid"][1]
                        labels[r["uuid"][1]] = op["uuid-name"]
                # Only whether each operation failed, and how, is compared:
                # error details are worded by each server.
                result = [sorted(r) if isinstance(r, dict) else r
                          for r in (result or [])]
            log.append((title, {n: s.barrier()
                                for n, s in sessions.items()}, result))
        writer.close()

        # An IDL-style client inserts a row and deletes it right after,
        # without waiting, on a session that monitors the table.
        idl = Session(db)
        idl.send("monitor_cond_since", [DB, "idl", {
            "Root": [{"columns": ["name", "i", "opt"]}]}, ZERO])
        first = idl.barrier()
        id1 = idl.send("transact", [DB, ins("Root", "idl1", {"i": 1})])
        id2 = idl.send("transact", [DB, delete("Root", "idl1")])
        msgs = []
        while not (any(m.get("id") == id1 for m in msgs)
                   and any(m.get("id") == id2 for m in msgs)):
            m = idl.conn.recv()
            if m is None:
                break
            msgs.append(m)
        msgs += idl.barrier()
        for m in msgs:
            r = m.get("result")
            if isinstance(r, list) and r and isinstance(r[0], dict) \
                    and "uuid" in r[0]:
                labels[r[0]["uuid"][1]] = "idl1"
        idl.close()
    finally:
        for s in sessions.values():
            s.close()

    out = []
    for title, per_monitor, result in log:
        out.append((title, {n: [normalise(strip_txn_ids(m), labels)
                                for m in msgs]
                            for n, msgs in per_monitor.items()},
                    normalise(result, labels)))
    idl_msgs = [normalise(strip_txn_ids(m), labels) for m in first + msgs]
    return out, idl_msgs


def test_monitors(c):
    results = {}
    tmp = tempfile.mkdtemp(prefix="xt-monitor-diff-")
    try:
        schema = os.path.join(tmp, "xtmon.ovsschema")
        with open(schema, "w") as f:
            json.dump(SCHEMA, f)
        for peer in ("ovs", "xsw"):
            with DbServer(peer=peer, schema=schema) as db:
                results[peer] = run_script(db)
        ovs_log, ovs_idl = results["ovs"]
        xsw_log, xsw_idl = results["xsw"]
        n_msgs = 0
        for (title, o, o_res), (_, x, x_res) in zip(ovs_log, xsw_log):
            if o_res is not None:
                c.eq(x_res, o_res, "%s: the writer's result" % title)
            for name in MONITORS:
                n_msgs += len(o[name])
                c.eq(x[name], o[name], "%s: %s receives the same" % (
                    title, name))
        c.ok(n_msgs >= 3 * len(STEPS),
             "ovsdb-server sent %d notifications and replies over %d steps"
             % (n_msgs, len(STEPS)))
        c.eq(xsw_idl, ovs_idl, "a client that inserts a row and deletes it "
             "at once gets the same replies and updates, in the same order "
             "and grouping")
        python_idl_insert_delete(c, schema)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def python_idl_insert_delete(c, schema):
    """The Python IDL, through a recording proxy, inserts a row, commits,
    deletes it, commits: what the server sent it is compared."""
    seen = {}
    for peer in ("ovs", "xsw"):
        with DbServer(peer=peer, schema=schema) as db:
            path = os.path.join(db.dir, "proxy.sock")
            proxy = ovsdb_raw.Proxy(path, db.sock)
            helper = ovs.db.idl.SchemaHelper(location=schema)
            helper.register_columns("Root", ["name", "en", "i", "opt"])
            idl = ovs.db.idl.Idl("unix:" + path, helper)
            try:
                c.ok(idl_run_until(idl, idl.has_ever_connected),
                     "%s: the Python IDL connects" % peer)
                idl_run_until(idl, lambda: idl.change_seqno > 0)
                txn = ovs.db.idl.Transaction(idl)
                row = txn.insert(idl.tables["Root"])
                row.name = "py1"
                row.en = "a"
                row.i = 1
                c.eq(txn.commit_block(), txn.SUCCESS,
                     "%s: the IDL inserts a row" % peer)
                c.ok(idl_run_until(idl, lambda: any(
                    r.name == "py1" for r in
                    idl.tables["Root"].rows.values())),
                    "%s: the IDL sees its row" % peer)
                txn = ovs.db.idl.Transaction(idl)
                next(r for r in idl.tables["Root"].rows.values()
                     if r.name == "py1").delete()
                c.eq(txn.commit_block(), txn.SUCCESS,
                     "%s: the IDL deletes it" % peer)
                c.ok(idl_run_until(idl, lambda: not idl.tables["Root"].rows),
                     "%s: the IDL sees it gone" % peer)
            finally:
                idl.close()
            msgs = proxy.messages("s2c")
            proxy.close()
        labels = {}
        for m in msgs:
            r = m.get("result")
            if isinstance(r, list) and len(r) > 1 and isinstance(r[0], dict) \
                    and "uuid" in r[0]:
                labels[r[0]["uuid"][1]] = "py1"
        # The schema the server sends, and the _Server database's rows,
        # are each server's own (random "cid" and "sid" too): only the
        # XtMon updates and the transact replies are compared.  The
        # Python IDL numbers its requests with one counter for the whole
        # process: ids are compared by order of appearance.
        out, ids = [], {}
        for m in msgs:
            m = strip_txn_ids(m)
            if m.get("method") == "update3" or (
                    isinstance(m.get("result"), list)
                    and m["result"] and isinstance(m["result"][0], dict)):
                if m.get("id") is not None:
                    m["id"] = ids.setdefault(m["id"], "req%d" % len(ids))
                out.append(normalise(m, labels))
        seen[peer] = out
    c.eq(seen["xsw"], seen["ovs"], "the Python IDL's insert and delete: "
         "the same updates and replies, in the same order and grouping")
    c.ok(len(seen["ovs"]) >= 4, "ovsdb-server sent the IDL %d of them"
         % len(seen["ovs"]))


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_monitors)
    checks.finish()
