"""xsw-dbserver's control socket, driven by Open vSwitch's own ovs-appctl:
the commands an operator uses, and that "exit" stops the server."""
import os
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


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_unixctl)
    checks.finish()
