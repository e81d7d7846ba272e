"""fault-diskfull: xsw-dbserver on a full disk and on a read-only file.

Disk full (the database on a 16 MB tmpfs):
  - rows are committed, then a filler file takes every free byte;
  - a transaction too big for the space left is answered with an
    "I/O error" naming the file; the server stays up, keeps answering reads
    on the same connection and on new ones, and shows exactly the committed
    rows (the failed transaction is not half there);
  - the server is restarted while the disk is still full: it opens and
    serves everything committed;
  - once the filler is gone, the same transaction succeeds, and a restart
    shows the committed rows and the new one, not the failed attempts;
  - xsw_db_transactions_total (--metrics) counts each failed transaction
    as "failed" and never as "committed", whether its own write or its
    batch's commit failed (a Prometheus counter must not go down, so a
    write is counted only once its batch's outcome is known).

Read-only file (chmod 444, the server run as "nobody" through setpriv, the
database's folder not writable either):
  - the server starts, reads work, a write is answered with an "I/O error"
    that says the database is read-only; the file is not modified.
  - with chattr +i (where the file system supports it) the same as root.

Needs root (mount, setpriv, chattr).
"""
import errno
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (Client, Failure, Sandbox, check, file_digest, log,  # noqa
                      main, map_get, ovs_map, require_root, run, select_all,
                      txn_error)


def insert_qos(c, name, size=0):
    """Inserts a QoS row called 'name' carrying 'size' bytes of payload;
    returns the transact result."""
    ids = {"name": name}
    if size:
        # Many keys rather than one huge value: each is a separate string
        # but all land in the same row, so the commit needs that much room.
        chunk = "x" * 1000
        for i in range(size // 1000):
            ids["k%05d" % i] = chunk
    return c.transact([{"op": "insert", "table": "QoS",
                        "row": {"type": "linux-htb",
                                "external_ids": ovs_map(ids)}}])


def qos_names(c):
    return sorted(map_get(r["external_ids"], "name")
                  for r in select_all(c, "QoS", ["external_ids"]))


def expect_io_error(result, what, *words):
    err = txn_error(result)
    check(err is not None, "%s: the transaction succeeded: %r", what,
          result)
    check(err.get("error") == "I/O error", "%s: error %r, expected "
          "\"I/O error\"", what, err)
    details = err.get("details", "")
    for w in words:
        check(w in details, "%s: details %r do not mention %r",
              what, details, w)
    return details


def fill(path):
    """Writes 'path' until the file system is full; returns its size."""
    n = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                n += f.write(chunk)
            except OSError as e:
                check(e.errno == errno.ENOSPC, "filling: %s", e)
                break
        # Leave not even a partial block.
        while True:
            try:
                n += f.write(b"\0" * 512)
            except OSError:
                break
    return n


TXNS = 'xsw_db_transactions_total{db="Open_vSwitch",result="%s"}'


def txn_counts(srv):
    """The server's (committed, failed) transaction counters."""
    m = srv.metrics()
    return m.get(TXNS % "committed"), m.get(TXNS % "failed")


def test_disk_full(sb):
    mnt = sb.mount_tmpfs("full", "16m")
    db = sb.create_db(dir=mnt)
    srv = sb.server(db, extra_args=["--metrics=ptcp:0:127.0.0.1"])
    c = Client(srv.sock)
    committed = []
    for i in range(20):
        name = "before-%02d" % i
        check(txn_error(insert_qos(c, name, 2000)) is None,
              "insert %s failed", name)
        committed.append(name)

    counts = txn_counts(srv)
    check(counts == (20, 0), "20 inserts counted (committed, failed) %r",
          counts)

    filler = os.path.join(mnt, "filler")
    size = fill(filler)
    log("disk full: filler of %d bytes; the database folder holds %s",
        size, sorted(os.listdir(mnt)))

    details = expect_io_error(insert_qos(c, "big-1", 1 << 20),
                              "1 MB txn on a full disk", db)
    log("disk full: a 1 MB transaction got: I/O error: %s", details)
    check(srv.alive(), "the server died when the disk filled up")
    check(qos_names(c) == committed, "after the failed commit, the same "
          "connection reads %r", qos_names(c)[:5])

    # A few more failures in a row, from another connection: still up.
    c2 = Client(srv.sock)
    for i in range(5):
        expect_io_error(insert_qos(c2, "big-%d" % (i + 2), 1 << 20),
                        "repeated 1 MB txn", db)
    check(qos_names(c2) == committed, "a new connection reads %r",
          qos_names(c2)[:5])
    counts = txn_counts(srv)
    check(counts == (20, 6), "after 6 failed commits, (committed, failed) "
          "is %r, not (20, 6)", counts)
    log("disk full: xsw_db_transactions_total committed %d, failed %d",
        *counts)
    c.close()
    c2.close()

    # Restart while still full: everything committed is there.
    rc = srv.stop()
    check(rc == 0, "xsw-dbserver exited %r on SIGTERM with a full disk", rc)
    srv.start()
    c = Client(srv.sock)
    check(qos_names(c) == committed, "restarted on a full disk, reads %r",
          qos_names(c)[:5])

    # Space comes back: the same transaction goes through.
    os.unlink(filler)
    res = insert_qos(c, "big-after", 1 << 20)
    check(txn_error(res) is None, "with space again, the txn fails: %r",
          txn_error(res))
    committed.append("big-after")
    srv.kill9()
    srv.start()
    c = Client(srv.sock)
    check(qos_names(c) == sorted(committed), "after kill -9 and restart, "
          "reads %r", qos_names(c))
    c.close()
    log("disk full: %d committed rows kept, 6 failed transactions absent, "
        "writes work again once space returns", len(committed))
    srv.stop()


def read_only_checks(srv, names, what):
    """The server 'srv' serves a read-only copy holding QoS rows 'names'."""
    c = Client(srv.sock)
    check(qos_names(c) == names, "%s: reads %r", what, qos_names(c))
    details = expect_io_error(insert_qos(c, "ro-write"), what + " write")
    check("read-only" in details or "readonly" in details,
          "%s: the error %r does not say the database is read-only",
          what, details)
    log("%s: write refused: I/O error: %s", what, details)
    check(srv.alive(), "%s: the server died on a write", what)
    check(qos_names(c) == names, "%s: after the failed write, reads %r",
          what, qos_names(c))
    c.close()


def make_ro_db(sb, dirname, dirmode, names):
    """A database in folder 'dirname' (mode 'dirmode') holding QoS rows
    'names', written by a server that then exited cleanly; the file is
    made chmod 444.  Returns its path."""
    dbdir = sb.path(dirname)
    os.mkdir(dbdir)
    db = sb.create_db(dir=dbdir)
    srv = sb.server(db, name="rw-" + dirname)
    c = Client(srv.sock)
    for n in names:
        check(txn_error(insert_qos(c, n)) is None, "insert %s failed", n)
    c.close()
    check(srv.stop() == 0, "xsw-dbserver did not exit cleanly")
    os.chmod(db, 0o444)
    os.chmod(dbdir, dirmode)
    return db


def test_read_only(sb):
    names = ["ro-%d" % i for i in range(3)]
    rundir = sb.path("run-nobody")
    os.mkdir(rundir)
    os.chmod(rundir, 0o777)

    # The folder is writable (sticky, like /tmp), the file is not: SQLite
    # may create its -shm/-wal files, the database itself stays untouched.
    db = make_ro_db(sb, "rodb", 0o1777, names)
    before = file_digest(db)
    ro = sb.server(db, name="ro", user="nobody", rundir=rundir)
    read_only_checks(ro, names, "read-only file, server as nobody")
    check(ro.stop() == 0, "read-only server did not exit cleanly")
    check(file_digest(db) == before, "the read-only file was modified")

    # The folder is not writable either (a database shipped read-only):
    # storage.h promises that such a file opens read-only, although SQLite
    # cannot create the -shm file a WAL database normally needs.
    db2 = make_ro_db(sb, "rodb-dir", 0o755, names)
    before2 = file_digest(db2)
    ro2 = sb.server(db2, name="ro2", user="nobody", rundir=rundir,
                    start=False)
    ro2.start()
    read_only_checks(ro2, names, "read-only file and folder, as nobody")
    check(ro2.stop() == 0, "read-only server did not exit cleanly")
    check(file_digest(db2) == before2, "the read-only file was modified")

    # chattr +i stops root too; not every file system has it.
    os.chmod(db, 0o644)
    if run(["chattr", "+i", db], check=False).returncode != 0:
        log("chattr +i not supported here: immutable case skipped")
        return
    try:
        imm = sb.server(db, name="imm")
        read_only_checks(imm, names, "immutable file, server as root")
        check(imm.stop() == 0, "immutable-file server did not exit cleanly")
        check(file_digest(db) == before, "the immutable file was modified")
    finally:
        run(["chattr", "-i", db], check=False)


def test():
    require_root()
    with Sandbox() as sb:
        test_disk_full(sb)
        test_read_only(sb)


if __name__ == "__main__":
    main(test)
