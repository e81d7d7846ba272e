"""fault-corrupt: xsw-dbserver refuses damaged and foreign database files.

For each bad file the server must exit at start with a non-zero status (not
a signal), print an error that names the file, leave the file byte for byte
as it was (SHA-256 before and after), leave no new files beside it, and not
hang.  `xsw-dbserver --create` over such a file must refuse too, without
touching it.

Bad files:
  - a real database (hundreds of rows, checkpointed) with random bytes over
    several pages in its middle;
  - the same with its SQLite header (first 100 bytes) scrambled;
  - the same truncated to half its size, to 50 bytes, and to 0 bytes
    (SQLite takes an empty file for an empty database: the server must
    not);
  - a text file, another application's SQLite file (rollback journal and
    WAL), an Open vSwitch database (ovsdb-tool create), a directory.
"""
import os
import random
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (XSW_DBSERVER, VSWITCH_SCHEMA, Client, Sandbox,  # noqa
                      check, file_digest, log, main, ovs_map, run, txn_error)

PAGE = 4096


def make_real_db(sb):
    """A database with enough rows to span many pages, written by a
    server that exited cleanly (so that everything is in the main file)."""
    srv = sb.server(name="maker")
    c = Client(srv.sock)
    for i in range(20):
        ops = [{"op": "insert", "table": "QoS",
                "row": {"type": "linux-htb",
                        "external_ids": ovs_map({"n": "%d-%d" % (i, j),
                                                 "pad": "p" * 400})}}
               for j in range(20)]
        check(txn_error(c.transact(ops)) is None, "filling the database")
    c.close()
    check(srv.stop() == 0, "xsw-dbserver did not exit cleanly")
    check(not os.path.exists(srv.db + "-wal"), "a -wal file remains after a "
          "clean exit: the damage below would miss the newest pages")
    return srv.db


def scramble(path, offset, length, rng):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(bytes(rng.getrandbits(8) for _ in range(length)))


def listing(d):
    return sorted(os.listdir(d))


def expect_refused(sb, path, what):
    """Starts the server on 'path' and checks that it refuses it cleanly."""
    folder = os.path.dirname(path)
    digest = file_digest(path) if os.path.isfile(path) else None
    files = listing(folder)
    srv = sb.server(path, name="bad", start=False)
    try:
        os.unlink(srv.log)
    except FileNotFoundError:
        pass
    p = srv.spawn()
    try:
        rc = p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise check(False, "%s: the server neither started nor exited in "
                    "15 s", what)
    err = srv.stderr_text().strip()
    check(rc > 0, "%s: exit status %d (a signal if negative); stderr: %s",
          what, rc, err)
    check(err.startswith("xsw-dbserver: ") and path in err.splitlines()[0],
          "%s: the error does not name the file first: %r", what, err)
    for bad in ("Sanitizer", "Assertion", "Segmentation", "core dumped"):
        check(bad not in err, "%s: %s in stderr: %r", what, bad, err)
    if digest:
        check(file_digest(path) == digest, "%s: the file was modified", what)
    check(listing(folder) == files, "%s: files appeared beside it: %r",
          what, sorted(set(listing(folder)) - set(files)))

    # --create never overwrites.
    p = run([XSW_DBSERVER, "--create", VSWITCH_SCHEMA, path], check=False)
    check(p.returncode > 0, "%s: --create over it exited %d", what,
          p.returncode)
    if digest:
        check(file_digest(path) == digest, "%s: --create modified it", what)
    log("%-34s refused: %s", what + ":", err.replace("\n", " | "))


def test():
    rng = random.Random(int(os.environ.get("XSW_FAULT_SEED", "4")))
    with Sandbox() as sb:
        real = make_real_db(sb)
        size = os.path.getsize(real)
        check(size >= 32 * PAGE, "the real database is only %d bytes", size)
        log("a real database of %d bytes (%d pages)", size, size // PAGE)
        bad = sb.path("bad")
        os.mkdir(bad)

        def copy(name):
            p = os.path.join(bad, name)
            shutil.copyfile(real, p)
            return p

        # Sanity: an undamaged copy in the same place starts (so that the
        # refusals below are about the damage, not the setup).
        good = copy("good.db")
        srv = sb.server(good, name="good")
        check(srv.stop() == 0, "xsw-dbserver did not exit cleanly")
        os.unlink(good)

        p = copy("middle.db")
        # Whole pages, so that b-tree page headers are hit, not only
        # payload bytes that no structural check could notice.
        first = (size // PAGE) // 2 - 2
        scramble(p, first * PAGE, 4 * PAGE, rng)
        expect_refused(sb, p, "random bytes over 4 middle pages")

        p = copy("header.db")
        scramble(p, 0, 100, rng)
        expect_refused(sb, p, "scrambled SQLite header")

        for name, length in (("half.db", size // 2), ("fifty.db", 50),
                             ("empty.db", 0)):
            p = copy(name)
            os.truncate(p, length)
            expect_refused(sb, p, "truncated to %d bytes" % length)

        p = os.path.join(bad, "text.db")
        with open(p, "w") as f:
            f.write("bridge br0\n  port eth0\n")
        expect_refused(sb, p, "a text file")

        for mode in ("delete", "wal"):
            p = os.path.join(bad, "foreign-%s.db" % mode)
            con = sqlite3.connect(p)
            con.execute("PRAGMA journal_mode=%s" % mode)
            con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, "
                        "url TEXT)")
            con.execute("INSERT INTO moz_places (url) VALUES ('x')")
            con.commit()
            con.close()
            expect_refused(sb, p, "another application's SQLite (%s)"
                           % mode)

        p = os.path.join(bad, "ovsdb.db")
        run(["ovsdb-tool", "create", p, VSWITCH_SCHEMA])
        expect_refused(sb, p, "an Open vSwitch database file")

        p = os.path.join(bad, "dir.db")
        os.mkdir(p)
        expect_refused(sb, p, "a directory")

        random_damage(sb, real, bad, rng)


def random_damage(sb, real, folder, rng):
    """Small random damage anywhere past the header: the server either
    refuses the file as above or, when the damage hides where no check can
    see it (free space, the inside of a string), serves it and answers a
    read; it never crashes or hangs."""
    trials = int(os.environ.get("XSW_FAULT_DAMAGE_TRIALS", "30"))
    size = os.path.getsize(real)
    refused = served = 0
    for i in range(trials):
        p = os.path.join(folder, "damage-%d.db" % i)
        shutil.copyfile(real, p)
        length = rng.choice((1, 8, 64, 512))
        offset = rng.randrange(100, size - length)
        scramble(p, offset, length, rng)
        what = "%d bytes at offset %d" % (length, offset)
        srv = sb.server(p, name="damage", start=False)
        try:
            srv.start(timeout=15)
        except Exception:
            if srv.proc.poll() is None:
                raise check(False, "%s: the server hangs at start", what)
            expect_refused(sb, p, what)
            refused += 1
        else:
            c = Client(srv.sock)
            c.transact([{"op": "select", "table": "QoS", "where": []}])
            c.close()
            check(srv.stop() == 0, "%s: served, but exited badly", what)
            served += 1
        os.unlink(p)
    log("random damage: %d trials, %d refused at start, %d served "
        "(damage not detectable), no crash", trials, refused, served)


if __name__ == "__main__":
    main(test)
