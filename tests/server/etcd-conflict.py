"""Two xsw-dbserver front ends on one etcd, each with writers that commit
at the same moments: a commit that loses the compare on etcd's `head` to
the other front end must be re-run against the fresh state, never answered
with an "I/O error", and the front end's monitors must stay connected
(docs/storage-etcd.md, "Optimistic concurrency").

Each writer, over a raw JSON-RPC session of its own, runs transactions
that all touch the same row: insert a Bridge named after the writer and
the transaction, add it to Open_vSwitch's `bridges` and add 1 to
Open_vSwitch's `next_cfg`.  Every transaction must succeed; at the end
next_cfg equals the number of transactions acknowledged, the Bridge names
are exactly those acknowledged, and a monitor on each front end, fed only
by its updates since the start, equals a fresh dump of either front end;
xsw_db_transactions_total counts each acknowledged transaction once as
"committed" (a re-run batch's writes are counted by the batch that
commits).

Then one writer on each front end adds Bridges of the same names
("xtsame-<i>", Bridge's name being unique): for each name exactly one
succeeds, and the other gets the "constraint violation" that running
after it gives, whether its front end learnt of the first one before
running it or only when its commit lost (a re-run), never an I/O error."""
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovsdb_raw  # noqa: E402
from xswenv import (Checks, Etcd, EtcdFrontEnd, XSW_DBSERVER,  # noqa: E402
                    VSWITCH_SCHEMA, run, scrape_metrics)

WRITERS_PER_FRONT_END = 3
TXNS_PER_WRITER = 40
COLUMNS = {"Open_vSwitch": ["next_cfg", "bridges"], "Bridge": ["name"]}


class Writer(threading.Thread):
    """Runs TXNS_PER_WRITER transactions on 'fe', each adding a Bridge named
    "xt<name>-<i>"."""

    def __init__(self, fe, name):
        super().__init__(daemon=True)
        self.fe = fe
        self.name = name
        self.acked = []         # Bridge names whose transaction succeeded.
        self.errors = []        # Anything else, as text.

    def run(self):
        try:
            with ovsdb_raw.Connection(self.fe.sock, 30) as conn:
                for i in range(TXNS_PER_WRITER):
                    br = "xt%s-%d" % (self.name, i)
                    msg = conn.reply(conn.request("transact", [
                        "Open_vSwitch",
                        {"op": "insert", "table": "Bridge",
                         "row": {"name": br}, "uuid-name": "br"},
                        {"op": "mutate", "table": "Open_vSwitch",
                         "where": [], "mutations": [
                             ["bridges", "insert",
                              ["set", [["named-uuid", "br"]]]],
                             ["next_cfg", "+=", 1]]}]))
                    errs = [r for r in msg.get("result") or [] if r
                            and "error" in r]
                    if msg.get("error") is not None or errs:
                        self.errors.append("%s: %s" % (br, json.dumps(
                            msg.get("error") or errs)[:300]))
                    else:
                        self.acked.append(br)
        except Exception as e:          # noqa: BLE001 (reported below)
            self.errors.append("%s: %r" % (self.name, e))


def coverage(fe, counter):
    """'counter''s total from the front end's coverage/show."""
    out = run(["ovs-appctl", "-t", fe.ctl, "coverage/show"])[0]
    for line in out.splitlines():
        words = line.split()
        if words and words[0] == counter:
            return int(words[-1])
    return 0


def test_conflicts(c, etcd, dir):
    run([XSW_DBSERVER, "--storage=etcd:" + etcd.url, "--create",
         VSWITCH_SCHEMA])
    fes = [EtcdFrontEnd(etcd.url, dir, n, ["--metrics=ptcp:0:127.0.0.1"])
           for n in ("a", "b")]
    try:
        for fe in fes:
            fe.start()
        ovsdb_raw.transact(fes[0].sock, [{"op": "insert",
                                          "table": "Open_vSwitch",
                                          "row": {"next_cfg": 0}}])
        monitors = [ovsdb_raw.Replica(fe.sock, COLUMNS) for fe in fes]
        writers = [Writer(fe, "%s%d" % (fe_name, i))
                   for fe, fe_name in zip(fes, ("a", "b"))
                   for i in range(WRITERS_PER_FRONT_END)]
        start = time.monotonic()
        for w in writers:
            w.start()
        while any(w.is_alive() for w in writers):
            for m in monitors:
                m.pump(0.05)
        elapsed = time.monotonic() - start
        reruns = [coverage(fe, "server_batch_rerun") for fe in fes]
        c.ok(sum(reruns) > 0, "the front ends re-ran batches after "
             "conflicts (%s): the test made them conflict" % reruns)
        errors = [e for w in writers for e in w.errors]
        acked = sorted(b for w in writers for b in w.acked)
        print("%d transactions from %d writers on 2 front ends in %.1f s, "
              "%d failed" % (len(acked) + len(errors), len(writers),
                             elapsed, len(errors)))
        c.eq(errors[:5], [], "no transaction fails (a conflict is re-run, "
             "not an I/O error); %d failed" % len(errors))
        txns = 'xsw_db_transactions_total{db="Open_vSwitch",result="%s"}'
        counted = [sum(scrape_metrics(fe.log).get(txns % r, 0) for fe in fes)
                   for r in ("committed", "failed")]
        c.eq(counted, [len(acked) + 1, 0], "the front ends count each "
             "acknowledged transaction (and the first insert) once as "
             "committed, none failed, after %s re-runs" % reruns)
        final = ovsdb_raw.dump(fes[0].sock, COLUMNS)
        names = sorted(r["name"] for r in final["Bridge"].values())
        c.eq(names, acked, "the Bridges are exactly those acknowledged")
        ovs = list(final["Open_vSwitch"].values())
        c.eq([r["next_cfg"] for r in ovs], [len(acked)],
             "next_cfg counts every acknowledged transaction")
        c.eq(ovsdb_raw.normalize(ovsdb_raw.dump(fes[1].sock, COLUMNS)),
             ovsdb_raw.normalize(final),
             "both front ends hold the same rows")
        for fe_name, m in zip(("a", "b"), monitors):
            deadline = time.monotonic() + 10
            while (ovsdb_raw.normalize(m.rows) != ovsdb_raw.normalize(final)
                   and not m.conn.eof and time.monotonic() < deadline):
                m.pump(0.1)
            c.ok(not m.conn.eof, "front end %s's monitor stays connected"
                 % fe_name)
            c.eq(ovsdb_raw.normalize(m.rows), ovsdb_raw.normalize(final),
                 "front end %s's monitor equals a fresh dump" % fe_name)
        same = [Writer(fe, "same") for fe in fes]
        for w in same:
            w.start()
        for w in same:
            w.join()
        wanted = ["xtsame-%d" % i for i in range(TXNS_PER_WRITER)]
        c.eq(sorted(same[0].acked + same[1].acked), sorted(wanted),
             "each of the same names added on both front ends succeeds once")
        other = [e for w in same for e in w.errors
                 if "constraint violation" not in e]
        c.eq(other, [], "the other gets a constraint violation")
        for m in monitors:
            m.conn.close()
    finally:
        for fe in fes:
            fe.stop()


def test_rerun_bound(c, etcd, dir):
    """What a client sees when its batch loses 33 times in a row (server.c's
    MAX_BATCH_RERUNS, 32 re-runs): real contention reaches that only by
    chance (16 threads putting head as fast as Python can, beside one
    writer: reruns, never 33 in a row), so front end A runs with
    XSW_ETCD_TEST_CONFLICTS=40, which makes its first 40 commits fail
    etcd's compare as another server's commit would.  The write gets an
    "I/O error" saying another server committed first, and is not stored;
    A's monitoring clients are disconnected (they resynchronize on
    reconnecting), B's are not; the next write, after the 7 remaining
    conflicts, succeeds."""
    a = EtcdFrontEnd(etcd.url, dir, "bound-a", env=dict(
        os.environ, XSW_ETCD_TEST_CONFLICTS="40"))
    b = EtcdFrontEnd(etcd.url, dir, "bound-b")
    try:
        a.start()
        b.start()
        monitors = [ovsdb_raw.Replica(fe.sock, COLUMNS) for fe in (a, b)]

        def add(fe, name):
            with ovsdb_raw.Connection(fe.sock, 30) as conn:
                return conn.reply(conn.request("transact", [
                    "Open_vSwitch",
                    {"op": "insert", "table": "Bridge",
                     "row": {"name": name}, "uuid-name": "br"},
                    {"op": "mutate", "table": "Open_vSwitch", "where": [],
                     "mutations": [["bridges", "insert",
                                    ["set", [["named-uuid", "br"]]]]]}]))
        start = time.monotonic()
        result = add(a, "xtbound-0")["result"]
        elapsed = time.monotonic() - start
        errors = [r for r in result if r and "error" in r]
        print("     after %.2f s: %s" % (elapsed, json.dumps(errors)))
        c.ok(errors and errors[-1]["error"] == "I/O error"
             and "another server committed first" in errors[-1]["details"],
             "the 33rd conflict in a row: the write gets an I/O error "
             "saying another server committed first")
        log = open(a.log).read()
        c.ok("committed first 33 times in a row" in log,
             "A's log says it gave up after 33 attempts")
        for m in monitors:
            m.pump(1.0)
        c.ok(monitors[0].conn.eof, "A's monitoring client is disconnected "
             "(to resynchronize)")
        c.ok(not monitors[1].conn.eof, "B's monitoring client is not")
        result = add(a, "xtbound-1")["result"]
        c.ok(not any(r and "error" in r for r in result),
             "the next write through A succeeds (after 7 re-runs)",
             json.dumps(result))
        for fe in (a, b):
            names = [r["name"] for r in
                     ovsdb_raw.dump(fe.sock, COLUMNS)["Bridge"].values()]
            c.eq((names.count("xtbound-0"), names.count("xtbound-1")),
                 (0, 1), "%s: the failed write was not stored, the next "
                 "one was" % fe.log.rsplit("/", 1)[1])
        for m in monitors:
            m.close()
    finally:
        a.stop()
        b.stop()


def test_convert_after_write(c, etcd, dir):
    """A "convert" read in the same turn of the loop as a write (one
    socket write carries both) commits the write's open batch before it
    converts.  When that commit loses the compare on head (front end A runs
    with XSW_ETCD_TEST_CONFLICTS=2: its next two commits lose, as to
    another server's), the batch runs again, as at the end of a turn: the
    write succeeds and is stored, never an "I/O error" for a conflict the
    server can resolve itself."""
    a = EtcdFrontEnd(etcd.url, dir, "conv-a", env=dict(
        os.environ, XSW_ETCD_TEST_CONFLICTS="2"))
    try:
        a.start()
        with ovsdb_raw.Connection(a.sock, 30) as conn:
            conn.call("set_db_change_aware", [True])
            schema = conn.call("get_schema", ["Open_vSwitch"])
            txn = {"method": "transact", "id": 101, "params": [
                "Open_vSwitch",
                {"op": "insert", "table": "Bridge",
                 "row": {"name": "xtconv"}, "uuid-name": "br"},
                {"op": "mutate", "table": "Open_vSwitch", "where": [],
                 "mutations": [["bridges", "insert",
                                ["set", [["named-uuid", "br"]]]]]}]}
            conv = {"method": "convert", "id": 102,
                    "params": ["Open_vSwitch", schema]}
            conn.send((json.dumps(txn) + json.dumps(conv)).encode())
            written = conn.reply(101)
            converted = conn.reply(102)
        c.ok(not any(r and "error" in r for r in written["result"]),
             "the write read with the convert succeeds after its batch "
             "lost the compare", json.dumps(written["result"]))
        c.eq(converted.get("error"), None, "the convert succeeds")
        names = [r["name"] for r in
                 ovsdb_raw.dump(a.sock, COLUMNS)["Bridge"].values()]
        c.eq(names.count("xtconv"), 1, "the write is stored")
        c.ok(coverage(a, "server_batch_rerun") >= 1,
             "A re-ran the batch (else this test tested nothing)")
    finally:
        a.stop()


if __name__ == "__main__":
    checks = Checks()
    DIR = tempfile.mkdtemp(prefix="xt-etcd-conflict-")
    etcd = None
    try:
        etcd = Etcd(DIR).start()
        checks.run(lambda c: test_conflicts(c, etcd, DIR))
        checks.run(lambda c: test_rerun_bound(c, etcd, DIR))
        checks.run(lambda c: test_convert_after_write(c, etcd, DIR))
    finally:
        if etcd:
            etcd.stop()
        shutil.rmtree(DIR, ignore_errors=True)
    checks.finish()
