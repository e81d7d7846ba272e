"""Three xsw-dbserver front ends on a 3-member etcd cluster (loopback
ports, data directories of the test's own) under a steady stream of
writes from ovs-vsctl, two writers on each front end, and a monitor on
each: kill -9 of etcd's leader, then of a front end (restarted at once),
then the old leader's restart.  No acknowledged transaction may be lost,
every monitor (b's started again after b's restart) must end equal to a
fresh front end's dump, and every writer must write again within 5 s of
each kill; the test prints each writer's longest pause after each step
(its unavailability window)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovsdb_raw  # noqa: E402
from xswenv import (Checks, EtcdFrontEnd, XSW_DBSERVER,  # noqa: E402
                    VSWITCH_SCHEMA, etcd_cluster, run)

ETCDCTL_ENV = dict(os.environ, ETCDCTL_API="3")


def built_with_asan(program):
    out = subprocess.run(["ldd", program], capture_output=True, text=True)
    return "libasan" in out.stdout


# The limit is 5 s, for the server as users run it.  The suite
# also runs this test in the AddressSanitizer build, which is there to
# find memory errors on the failover paths; its server is several times
# slower, and under stress-ng --cpu 2 writes resumed after 6.8 and 7.5 s
# there (2.5 s at most in the plain build on the same loaded machine).
RESUME_LIMIT = 15 if built_with_asan(XSW_DBSERVER) else 5


class Writer(threading.Thread):
    """Adds bridges through 'fe' until stopped; records when each add was
    acknowledged.  ovs-vsctl's own --timeout bounds an attempt: one that
    lost its server waits in the IDL's reconnection backoff (1 s, 2 s...),
    a client's business, not the server's, so it gives up after 2 s and
    the next attempt connects afresh."""

    def __init__(self, fe, name):
        super().__init__()
        self.fe = fe
        self.name = name
        self.acked = []             # (time, bridge name)
        self.failed = 0
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            i += 1
            name = "xtw%s-%d" % (self.name, i)
            p = subprocess.run(["ovs-vsctl", "--db=" + self.fe.remote,
                                "--no-wait", "--timeout=2", "add-br", name],
                               capture_output=True, text=True)
            if p.returncode == 0:
                self.acked.append((time.monotonic(), name))
            else:
                self.failed += 1
                time.sleep(0.05)    # The server may be restarting.

    def longest_pause_after(self, t):
        """The longest time without an acknowledgement, from 't' on."""
        times = [t] + [a for a, _ in self.acked if a >= t]
        if len(times) == 1:
            return time.monotonic() - t     # None since.
        return max(b - a for a, b in zip(times, times[1:]))

    def wait_for_more(self, n, timeout=15):
        want = len(self.acked) + n
        deadline = time.monotonic() + timeout
        while len(self.acked) < want and time.monotonic() < deadline:
            time.sleep(0.05)


def leader(members):
    """The member that etcdctl reports as leader."""
    urls = ",".join(m.url for m in members if m.proc)
    out = run(["etcdctl", "--endpoints=" + urls, "endpoint", "status"],
              env=ETCDCTL_ENV)[0]
    for line in out.splitlines():
        fields = line.split(", ")
        if len(fields) > 4 and fields[4] == "true":
            return next(m for m in members if m.url == fields[0])
    raise AssertionError("no etcd leader in:\n" + out)


COLUMNS = {"Open_vSwitch": ["bridges"], "Bridge": ["name"]}


class Watcher(threading.Thread):
    """Keeps a monitor (ovsdb_raw.Replica) on front end 'fe' up to date
    until stopped; 'lost' says its server hung up."""

    def __init__(self, fe):
        super().__init__()
        self.fe = fe
        self.replica = ovsdb_raw.Replica(fe.sock, COLUMNS)
        self.halt = threading.Event()
        self.lost = False

    def run(self):
        while not self.halt.is_set() and not self.replica.conn.eof:
            self.replica.pump(0.1)
        self.lost = self.replica.conn.eof

    def stop(self):
        self.halt.set()
        self.join()


def pauses(writers, t):
    return [w.longest_pause_after(t) for w in writers]


def wait_all(writers, n):
    """Until every writer has 'n' more acknowledgements (each at most 15 s:
    a writer that cannot write is the test's failure, reported by the
    pauses)."""
    for w, want in [(w, len(w.acked) + n) for w in writers]:
        w.wait_for_more(want - len(w.acked))


def check_pauses(c, what, writers, t, fes):
    p = pauses(writers, t)
    print("unavailability after %s, per writer: %s s" % (
        what, ", ".join("%s %.2f" % (w.name, x)
                        for w, x in zip(writers, p))))
    if not c.ok(max(p) < RESUME_LIMIT, "writes resume within %d s of %s "
                "on every front end" % (RESUME_LIMIT, what),
                "paused %.2f s" % max(p)):
        for fe in fes:
            print(open(fe.log).read()[-2000:])


def test_ha(c):
    dir = tempfile.mkdtemp(prefix="xt-etcd-ha-")
    members = []
    fes = []
    writers = []
    watchers = []
    try:
        members = etcd_cluster(dir, 3)
        run([XSW_DBSERVER, "--storage=etcd:" + ",".join(m.url for m in members),
             "--create", VSWITCH_SCHEMA])
        # Every front end talks to the leader first: the member to be
        # killed is the one whose connections they hold.
        victim = leader(members)
        urls = ",".join([victim.url] + [m.url for m in members
                                        if m is not victim])
        fes = [EtcdFrontEnd(urls, dir, n).start() for n in ("a", "b", "c")]
        fes[0].vsctl("init")
        # Two writers on each front end: their commits conflict, and are
        # re-run.
        writers = [Writer(fe, "%s%d" % (n, k))
                   for fe, n in zip(fes, ("a", "b", "c")) for k in (0, 1)]
        watchers = [Watcher(fe) for fe in fes]
        for x in writers + watchers:
            x.start()
        wait_all(writers, 5)

        # The etcd leader dies (unless it changed meanwhile: any member
        # then, still the front ends' first).
        t = time.monotonic()
        victim.kill()
        wait_all(writers, 5)
        check_pauses(c, "kill -9 of etcd's leader", writers, t, fes)

        # Then front end b (while the dead member is still down): its
        # monitor is lost with it, and a new one starts once it is back.
        t = time.monotonic()
        fes[1].stop(signal.SIGKILL)
        fes[1].start()
        watchers[1].join()
        c.ok(watchers[1].lost, "b's monitor saw b die")
        watchers[1] = Watcher(fes[1])
        watchers[1].start()
        wait_all(writers, 5)
        check_pauses(c, "kill -9 and restart of front end b", writers, t,
                     fes)

        t = time.monotonic()
        victim.start()
        wait_all(writers, 5)
        check_pauses(c, "etcd's old leader's restart", writers, t, fes)
        for w in writers:
            w.halt.set()
        for w in writers:
            w.join()
        acked = [name for w in writers for _, name in w.acked]
        print("%d acknowledged, %d failed attempts (timeouts or errors)"
              % (len(acked), sum(w.failed for w in writers)))

        # Every acknowledged bridge is there, through a front end that
        # loads the database afresh from the whole cluster, and every
        # monitor ends equal to that dump.
        fresh = EtcdFrontEnd(urls, dir, "fresh").start()
        fes.append(fresh)
        final = ovsdb_raw.dump(fresh.sock, COLUMNS)
        bridges = set(r["name"] for r in final["Bridge"].values())
        lost = [name for name in acked if name not in bridges]
        c.ok(len(acked) > 60 and not lost,
             "no acknowledged transaction lost (%d acknowledged)"
             % len(acked), "lost: %s" % lost[:10])
        want = ovsdb_raw.normalize(final)
        for n, x in zip(("a", "b", "c"), watchers):
            deadline = time.monotonic() + 10
            while (ovsdb_raw.normalize(x.replica.rows) != want
                   and not x.lost and time.monotonic() < deadline):
                time.sleep(0.1)
            x.stop()
            c.ok(not x.lost, "%s's monitor stayed connected" % n)
            c.eq(ovsdb_raw.normalize(x.replica.rows), want,
                 "%s's monitor equals a fresh dump" % n)
            x.replica.close()
        watchers = []
    finally:
        for w in writers:
            w.halt.set()
        for x in writers + watchers:
            if x.is_alive():
                x.halt.set()
                x.join()
        for fe in fes:
            fe.stop()
        for m in members:
            m.stop()
        shutil.rmtree(dir, ignore_errors=True)


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_ha)
    checks.finish()
