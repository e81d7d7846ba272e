#!/usr/bin/python3
"""wait-until: a client that stays connected sees another client's changes,
on both servers.

`wait-until Port p1 tag=20` keeps its replica of the database and waits for
it to show the condition, so it follows the server's update notifications
(update2/update3 "modify" diffs) instead of reading the rows once.  For
each waiter (xsw-ctl, and ovs-vsctl for reference) on each server
(Open vSwitch's ovsdb-server and xsw-dbserver), and for each change of an
optional column (Port.tag, at most one value: 10 -> 15 -> 20, and 20 -> []
with "clear"), the test

  1. starts the waiter, with --timeout;
  2. waits until the server counts one more monitor than before
     ("memory/show", both servers have it), so that the waiter's replica
     holds the old value before anything changes;
  3. makes the changes with ovs-vsctl, a separate client;
  4. requires the waiter to exit 0 within its timeout, with nothing on
     stderr.

A replica that applies a diff wrongly keeps the old value (or warns that
the diff "leaves 2 elements") and times out.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

xswenv.XSW_DBSERVER = os.environ.get("XSW_DBSERVER") or xswenv.XSW_DBSERVER
XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")
SERVER_NAMES = {"ovs": "ovsdb-server", "xsw": "xsw-dbserver"}
# Long enough for a busy machine, short enough that a replica that never
# sees the change fails the test in reasonable time.
WAIT_TIMEOUT = 15

# (what, initial tag, changes made while waiting, the waiter's condition)
TRANSITIONS = [
    ("10 -> 15 -> 20", "10", [["set", "Port", "p1", "tag=15"],
                              ["set", "Port", "p1", "tag=20"]], "tag=20"),
    ("20 -> []", "20", [["clear", "Port", "p1", "tag"]], "tag=[]"),
]


def monitors(db):
    out = db.appctl("memory/show")
    m = re.search(r"monitors:(\d+)", out)
    if not m:
        raise xswenv.Failure("no monitor count in memory/show: %r" % out)
    return int(m.group(1))


def wait_for_monitors(db, want):
    deadline = time.time() + 20
    while monitors(db) < want:
        if time.time() > deadline:
            raise xswenv.Failure("the waiter never set up its monitor")
        time.sleep(0.05)


def wait_for_monitors_gone(db):
    """Waits until no client monitors (this test keeps none open between
    commands); returns that count, 0."""
    deadline = time.time() + 20
    while monitors(db) > 0:
        if time.time() > deadline:
            raise xswenv.Failure("a finished command's monitor is still "
                                 "counted after 20 s")
        time.sleep(0.05)
    return 0


def run_case(checks, peer, prog, transition):
    what, initial, changes, condition = transition
    label = "%s on %s: wait-until Port p1 %s (%s)" % (
        prog, SERVER_NAMES[peer], condition, what)
    with xswenv.DbServer(peer=peer) as db:
        db.vsctl("add-br", "br0", "--", "add-port", "br0", "p1",
                 "tag=" + initial)
        # ovs-vsctl's add-br monitored too: its monitor is gone only once
        # the server has read the EOF of a process that has exited, which a
        # busy server may not have done yet.  Counted before that, the
        # waiter's monitor would only make up for it.
        before = wait_for_monitors_gone(db)
        argv = [XSW_CTL if prog == "xsw-ctl" else "ovs-vsctl",
                "--db=" + db.remote, "--timeout=%d" % WAIT_TIMEOUT,
                "wait-until", "Port", "p1", condition]
        waiter = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            wait_for_monitors(db, before + 1)
            if waiter.poll() is not None:
                checks.ok(False, label, "the waiter exited (%d) before the "
                          "change: %s" % (waiter.returncode,
                                          waiter.stderr.read()))
                return
            for change in changes:
                db.vsctl(*change)
            out, err = waiter.communicate(timeout=WAIT_TIMEOUT + 30)
        finally:
            if waiter.poll() is None:
                waiter.kill()
                waiter.wait()
        checks.eq((waiter.returncode, out, err), (0, "", ""), label)
        checks.eq(db.vsctl("get", "Port", "p1", "tag"),
                  ("[]" if condition == "tag=[]" else "20") + "\n",
                  label + " [database]")


def main():
    checks = xswenv.Checks()
    for peer in ("ovs", "xsw"):
        for prog in ("ovs-vsctl", "xsw-ctl"):
            for transition in TRANSITIONS:
                try:
                    run_case(checks, peer, prog, transition)
                except Exception as e:
                    checks.ok(False, "%s on %s (%s) raised %s: %s"
                              % (prog, SERVER_NAMES[peer], transition[0],
                                 type(e).__name__, e))
    checks.finish()


if __name__ == "__main__":
    main()
