"""xsw-dbserver front ends on a 3-member etcd cluster (loopback ports, data
directories of the test's own) under a steady stream of writes from
ovs-vsctl: kill -9 of etcd's leader, then of a front end, then restarting
both.  No acknowledged transaction may be lost, and writes must resume
within 5 s of each kill; the test prints the longest pause it saw."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from xswenv import (Checks, EtcdFrontEnd, XSW_DBSERVER,  # noqa: E402
                    VSWITCH_SCHEMA, etcd_cluster, run)

ETCDCTL_ENV = dict(os.environ, ETCDCTL_API="3")


class Writer(threading.Thread):
    """Adds bridges through 'fe' until stopped; records when each add was
    acknowledged.  ovs-vsctl's own --timeout bounds an attempt: one that
    lost its server waits in the IDL's reconnection backoff (1 s, 2 s...),
    a client's business, not the server's, so it gives up after 2 s and
    the next attempt connects afresh."""

    def __init__(self, fe):
        super().__init__()
        self.fe = fe
        self.acked = []             # (time, bridge name)
        self.failed = 0
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            i += 1
            name = "xtw%d" % i
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


def test_ha(c):
    dir = tempfile.mkdtemp(prefix="xt-etcd-ha-")
    members = []
    fe = None
    w = None
    try:
        members = etcd_cluster(dir, 3)
        urls = ",".join(m.url for m in members)
        run([XSW_DBSERVER, "--storage=etcd:" + urls, "--create",
             VSWITCH_SCHEMA])
        # The front end talks to the leader first: the member to be
        # killed is the one whose connections it holds.
        victim = leader(members)
        fe = EtcdFrontEnd(",".join([victim.url] + [
            m.url for m in members if m is not victim]), dir, "a").start()
        fe.vsctl("init")
        w = Writer(fe)
        w.start()
        w.wait_for_more(20)

        # The etcd leader dies (unless it changed meanwhile: any member
        # then, still the front end's).
        t = time.monotonic()
        victim.kill()
        w.wait_for_more(20)
        pause = w.longest_pause_after(t)
        print("longest pause after kill -9 of etcd's leader: %.2f s" % pause)
        if not c.ok(pause < 5, "writes resume within 5 s of killing etcd's "
                    "leader", "paused %.2f s" % pause):
            print(open(fe.log).read()[-3000:])

        # Then the front end (while the dead member is still down).
        t = time.monotonic()
        fe.stop(signal.SIGKILL)
        fe.start()
        w.wait_for_more(20)
        pause = w.longest_pause_after(t)
        print("longest pause around kill -9 and restart of the front end: "
              "%.2f s" % pause)
        c.ok(pause < 5, "writes resume within 5 s of killing the front end "
             "(and starting it again)", "paused %.2f s" % pause)

        victim.start()
        w.wait_for_more(20)
        w.halt.set()
        w.join()
        acked = [name for _, name in w.acked]
        w = None

        # Every acknowledged bridge is there, through a front end that
        # loads the database afresh from the whole cluster.
        fe.stop()
        fe.start()
        bridges = set(fe.vsctl("list-br").split())
        lost = [name for name in acked if name not in bridges]
        c.ok(len(acked) > 60 and not lost,
             "no acknowledged transaction lost (%d acknowledged)"
             % len(acked), "lost: %s" % lost[:10])
    finally:
        if w:
            w.halt.set()
            w.join()
        if fe:
            fe.stop()
        for m in members:
            m.stop()
        shutil.rmtree(dir, ignore_errors=True)


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_ha)
    checks.finish()
