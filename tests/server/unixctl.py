"""xsw-dbserver's control socket, driven by Open vSwitch's own ovs-appctl:
the commands an operator uses, and that "exit" stops the server."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from xswenv import DbServer, Checks, run  # noqa: E402


def test_unixctl(c):
    with DbServer() as db:
        db.vsctl("add-br", "br0")
        c.eq(db.appctl("ovsdb-server/list-dbs"), "Open_vSwitch\n_Server\n",
             "ovsdb-server/list-dbs lists the databases")
        c.eq(db.appctl("ovsdb-server/list-remotes"),
             "punix:%s\n" % db.sock, "ovsdb-server/list-remotes")
        extra = os.path.join(db.dir, "extra.sock")
        db.appctl("ovsdb-server/add-remote", "punix:" + extra)
        c.ok(os.path.exists(extra), "ovsdb-server/add-remote listens")
        out, err = run(["ovs-vsctl", "--db=unix:" + extra, "--no-wait",
                        "list-br"])
        c.eq(out, "br0\n", "clients are served on the added remote")
        db.appctl("ovsdb-server/remove-remote", "punix:" + extra)
        c.ok(not os.path.exists(extra), "ovsdb-server/remove-remote stops")
        out, err = run(["ovs-appctl", "-t", db.ctl,
                        "ovsdb-server/remove-remote", "punix:/nonexistent"],
                       check=False)
        c.ok("no such remote" in err, "removing an unknown remote is an "
             "error", err)
        mem = db.appctl("memory/show")
        c.ok("rows:" in mem and "sessions:" in mem and "rss-kib:" in mem,
             "memory/show reports rows, sessions and RSS", mem)
        c.ok("xsw-dbserver" in db.appctl("version"), "version")
        db.appctl("vlog/set", "server:file:dbg")
        c.ok("server" in db.appctl("vlog/list"), "vlog/list")
        db.appctl("exit")
        deadline = time.time() + 5
        while db.proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        c.eq(db.proc.poll(), 0, "exit stops the server cleanly")
        db.proc = None


def test_ovsdb_server_commands(c):
    """ovsdb-server/compact, ovsdb-server/sync-status and memory/show, as
    ovsdb-server answers them, each server in the same run."""
    for peer in ("xsw", "ovs"):
        with DbServer(peer=peer) as db:
            db.vsctl("init")
            c.eq(db.appctl("ovsdb-server/sync-status"), "state: active\n",
                 "[%s] ovsdb-server/sync-status" % peer)

            cov = db.appctl("coverage/show").splitlines()
            c.ok(cov and re.match(r"^Event coverage, avg rate over last: 5 "
                                  r"seconds, last minute, last hour,  "
                                  r"hash=[0-9a-f]{8}:$", cov[0])
                 and re.match(r"^\d+ events never hit$", cov[-1])
                 and all(re.match(r"^\S+ +\d+\.\d/sec +\d+\.\d{3}/sec +"
                                  r"\d+\.\d{4}/sec   total: \d+$", line)
                         for line in cov[1:-1]),
                 "[%s] coverage/show in Open vSwitch's format" % peer,
                 "\n".join(cov))
            if peer == "xsw":
                c.ok(any(re.match(r"^server_txn_write .* total: [1-9]", line)
                         for line in cov),
                     "[xsw] coverage/show counts the transaction that wrote",
                     "\n".join(cov))

            mem = db.appctl("memory/show")
            pairs = mem.split()
            c.ok(mem.endswith("\n") and pairs == sorted(pairs)
                 and all(re.match(r"^[a-z-]+:\d+$", p) for p in pairs)
                 and "cells" in [p.split(":")[0] for p in pairs]
                 and "monitors" in [p.split(":")[0] for p in pairs],
                 "[%s] memory/show: sorted key:value pairs with cells and "
                 "monitors" % peer, mem)

            # Grow the file, then shrink the data, then compact.
            args = []
            for i in range(200):
                args += ["--", "add-br", "xtbr%d" % i, "--", "set",
                         "Bridge", "xtbr%d" % i,
                         "external_ids:pad=%s" % ("x" * 200)]
            db.vsctl(*args[1:])
            args = []
            for i in range(1, 200):
                args += ["--", "del-br", "xtbr%d" % i]
            db.vsctl(*args[1:])
            c.eq(db.appctl("ovsdb-server/compact"), "",
                 "[%s] ovsdb-server/compact" % peer)
            c.eq(db.appctl("ovsdb-server/compact", "Open_vSwitch"), "",
                 "[%s] ovsdb-server/compact Open_vSwitch" % peer)
            out, err = run(["ovs-appctl", "-t", db.ctl,
                            "ovsdb-server/compact", "xtnone"], check=False)
            c.ok("no database by that name" in err,
                 "[%s] compacting an unknown database is an error" % peer,
                 err)
            c.eq(db.vsctl("list-br"), "xtbr0\n",
                 "[%s] the data survives compaction" % peer)
            if peer == "xsw" and db.etcd:
                keys = run(["etcdctl", "--endpoints=" + db.etcd.url, "get",
                            "--prefix", "/xsw/Open_vSwitch/",
                            "--keys-only"],
                           env=dict(os.environ, ETCDCTL_API="3"))[0].split()
                # The last 100 records stay behind the snapshot, for front
                # ends a little behind (docs/storage-etcd.md).
                c.ok(len([k for k in keys if "/log/" in k]) <= 100
                     and [k for k in keys if "/snap/" in k],
                     "[xsw] compaction leaves a snapshot and at most 100 "
                     "log records in etcd", " ".join(keys)[:1000])
            elif peer == "xsw":
                wal = db.db + "-wal"
                c.ok(not os.path.exists(wal) or os.path.getsize(wal) == 0,
                     "[xsw] compaction leaves the WAL empty")
                free_pages = subprocess.run(
                    [sys.executable, "-c", "import sqlite3, sys; print("
                     "sqlite3.connect('file:%s?mode=ro' % sys.argv[1], "
                     "uri=True).execute('pragma freelist_count')"
                     ".fetchone()[0])", db.db],
                    capture_output=True, text=True).stdout.strip()
                c.eq(free_pages, "0", "[xsw] ... and no free pages in the "
                     "file")


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_unixctl)
    checks.run(test_ovsdb_server_commands)
    checks.finish()
