"""Automatic snapshots on the etcd backend (docs/storage-etcd.md, "History
compaction"): no `ovs-appctl ovsdb-server/compact` anywhere here.

Front ends A and B both snapshot on their own every 50 records
(--etcd-snapshot-records=50, --etcd-snapshot-interval=0, where the default
is 1000 records and at least a minute), so both cross the mark at about
the same moments and their snapshots race (the compare on head lets one
win).  A writer on each, one small transaction per session, while a
monitor on B watches; then:

- snapshots appeared (snap/ keys, head's "snapshot"), and log records below
  the newest snapshot but the last 100 (the tail kept for front ends a
  little behind) are gone from etcd;
- etcd's own history was compacted too: a read at revision 1 is refused
  ("required revision has been compacted");
- every transaction is there; B kept up across every compaction: its
  monitor never disconnected, it and its monitor hold A's rows; neither
  front end reloaded;
- a new front end C loads from the snapshot and the log's tail and holds
  the same rows."""
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovsdb_raw  # noqa: E402
from xswenv import (Checks, Etcd, EtcdFrontEnd, XSW_DBSERVER,  # noqa: E402
                    VSWITCH_SCHEMA, run, stop_etcd_test)

ETCDCTL_ENV = dict(os.environ, ETCDCTL_API="3")
COLUMNS = {"Open_vSwitch": ["next_cfg"], "Bridge": ["name", "external_ids"]}
N_TXNS = 240


def etcdctl(etcd, *args, check=True):
    return run(["etcdctl", "--endpoints=" + etcd.url] + list(args),
               env=ETCDCTL_ENV, check=check)


def keys(etcd, kind):
    out = etcdctl(etcd, "get", "--prefix", "/xsw/Open_vSwitch/%s/" % kind,
                  "--keys-only")[0]
    return sorted(int(k.rsplit("/", 1)[1]) for k in out.split())


def head(etcd):
    out = etcdctl(etcd, "get", "/xsw/Open_vSwitch/head",
                  "--print-value-only")[0]
    return json.loads(out)


def main():
    checks = Checks()
    dir = tempfile.mkdtemp(prefix="xt-etcd-snap-")
    etcd = None
    fes = []
    try:
        etcd = Etcd(dir).start()
        run([XSW_DBSERVER, "--storage=etcd:" + etcd.url, "--create",
             VSWITCH_SCHEMA])
        a = EtcdFrontEnd(etcd.url, dir, "a", ["--etcd-snapshot-records=50",
                                              "--etcd-snapshot-interval=0"])
        b = EtcdFrontEnd(etcd.url, dir, "b", ["--etcd-snapshot-records=50",
                                              "--etcd-snapshot-interval=0"])
        fes += [a, b]
        a.start()
        b.start()
        ovsdb_raw.transact(a.sock, [{"op": "insert", "table": "Open_vSwitch",
                                     "row": {"next_cfg": 0}}])
        monitor = ovsdb_raw.Replica(b.sock, COLUMNS)
        errors = []

        def writer(fe, first):
            try:
                for i in range(first, N_TXNS, 2):
                    ovsdb_raw.transact(fe.sock, [
                        {"op": "insert", "table": "Bridge",
                         "row": {"name": "xtbr%d" % i}, "uuid-name": "br"},
                        {"op": "mutate", "table": "Open_vSwitch",
                         "where": [], "mutations": [
                             ["bridges", "insert",
                              ["set", [["named-uuid", "br"]]]],
                             ["next_cfg", "+=", 1]]}])
            except Exception as e:
                errors.append(str(e))
        start = time.monotonic()
        writers = [threading.Thread(target=writer, args=(fe, i))
                   for i, fe in enumerate((a, b))]
        for w in writers:
            w.start()
        while any(w.is_alive() for w in writers):
            monitor.pump(0.05)
        print("%d transactions in %.1f s" % (N_TXNS,
                                             time.monotonic() - start))
        checks.eq(errors[:3], [], "every transaction succeeds")

        h = head(etcd)
        logs, snaps = keys(etcd, "log"), keys(etcd, "snap")
        print("head %s; snap/ %s; log/ %d..%d (%d keys)"
              % (h, snaps, logs[0] if logs else 0, logs[-1] if logs else 0,
                 len(logs)))
        checks.ok(h["snapshot"] >= 150 and snaps == [h["snapshot"]],
                  "snapshots were taken without ovs-appctl: one snap/ key, "
                  "head's snapshot %d" % h["snapshot"])
        checks.ok(logs and logs[0] == max(h["snapshot"] - 100, 0) + 1
                  and logs[-1] == h["seq"],
                  "the log keeps the 100 records before the snapshot and "
                  "those after it, and nothing older",
                  "log %s" % logs[:3])
        out, err = etcdctl(etcd, "get", "--rev=1", "/xsw/Open_vSwitch/head",
                           check=False)
        checks.ok("compacted" in err, "etcd's own history was compacted "
                  "(a read at revision 1 is refused)", err.strip())

        final = ovsdb_raw.dump(a.sock, COLUMNS)
        checks.eq(sorted(r["next_cfg"] for r in
                         final["Open_vSwitch"].values()), [N_TXNS],
                  "every transaction counted")
        deadline = time.monotonic() + 10
        while (ovsdb_raw.normalize(monitor.rows)
               != ovsdb_raw.normalize(final)
               and not monitor.conn.eof and time.monotonic() < deadline):
            monitor.pump(0.1)
        checks.ok(not monitor.conn.eof, "B's monitor stayed connected "
                  "across the compactions")
        checks.eq(ovsdb_raw.normalize(monitor.rows),
                  ovsdb_raw.normalize(final), "B's monitor equals A's rows")
        checks.eq(ovsdb_raw.normalize(ovsdb_raw.dump(b.sock, COLUMNS)),
                  ovsdb_raw.normalize(final), "B holds A's rows")
        logs = [open(fe.log).read() for fe in (a, b)]
        won = [log.count("compacted the stored history on its own")
               for log in logs]
        lost = [log.count("automatic compaction did not happen")
                for log in logs]
        print("     snapshots taken by A, B: %s; lost the race: %s"
              % (won, lost))
        checks.ok(sum(won) >= 3, "the front ends snapshotted on their own")
        checks.ok(not any("reloading" in log for log in logs),
                  "neither front end reloaded")

        c = EtcdFrontEnd(etcd.url, dir, "c")
        fes.append(c)
        c.start()
        checks.eq(ovsdb_raw.normalize(ovsdb_raw.dump(c.sock, COLUMNS)),
                  ovsdb_raw.normalize(final), "a new front end loads the "
                  "snapshot and the log's tail")
        monitor.close()
    finally:
        stop_etcd_test(fes, etcd, dir)
    checks.finish()


if __name__ == "__main__":
    main()
