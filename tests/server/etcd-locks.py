"""Locks (RFC 7047 4.1.8-4.1.10) across xsw-dbserver front ends that share
one etcd (dbserver/etcd-lock.c, docs/storage-etcd.md "Locks across front
ends"), with one etcd 3.4 of the test's own on loopback ports:

- locks.py's scenarios (lock, steal, unlock, and "assert" at the end) with
  the sessions spread over two front ends, each client receiving what it
  receives from one ovsdb-server 3.1 in the same run;
- how long "locked" takes to reach a client on the other front end;
- the Python IDL's set_lock() on two front ends: exactly one has it, and
  the other takes over when the owner leaves; the same with two
  xsw-switchd (on a database without bridges: they touch no device);
- a clean exit of the owner's front end hands the lock on at once, and
  kill -9 of it within the lease's TTL (10 s);
- etcd stopped (SIGSTOP): the owner's front end stops claiming the lock
  within the TTL (fail closed: "stolen", and "assert" fails), and someone
  owns it again once etcd is back.

Across front ends a notification that another client caused has no echo
to wait behind (it arrives through etcd's watch), so each client waits
until it has as many messages as ovsdb-server sent it, then a moment more
for any extra one."""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovs.db.idl  # noqa: E402
import ovs.poller  # noqa: E402

import locks  # noqa: E402  (its scenarios, and its recording client)
from xswenv import (Checks, DbServer, Etcd, EtcdFrontEnd,  # noqa: E402
                    TOP_BUILDDIR, VSWITCH_SCHEMA, XSW_DBSERVER,
                    die_with_parent, run, stop_process)

ETCDCTL_ENV = dict(os.environ, ETCDCTL_API="3")
XSW_SWITCHD = os.path.join(TOP_BUILDDIR, "switchd", "xsw-switchd")
TTL = 10            # dbserver/etcd-lock.h's ETCD_LOCK_LEASE_TTL.
ETCD = None
DIR = None
FRONT_ENDS = []     # Every front end started, to stop at the end.


def front_end(name):
    fe = EtcdFrontEnd(ETCD.url, DIR, name)
    FRONT_ENDS.append(fe)
    return fe.start()


def lock_keys():
    return run(["etcdctl", "--endpoints=" + ETCD.url, "get", "--prefix",
                "/xsw-locks/", "--keys-only"], env=ETCDCTL_ENV)[0].split()


class Client(locks.Client):
    """locks.py's recording client, on a front end, that can also wait for
    notifications from elsewhere."""

    def __init__(self, fe, name):
        self.name = name
        self.conn = locks.ovsdb_raw.Connection(fe.sock, timeout=20)
        self.seen = []

    def pump(self, timeout):
        """Receives once, waiting up to 'timeout' seconds, into 'seen'."""
        sock = self.conn.sock
        sock.settimeout(max(timeout, 0.001))
        try:
            self.conn._read()
        except socket.timeout:
            pass
        finally:
            sock.settimeout(self.conn.timeout)
        self.seen.extend(self.conn.backlog)
        del self.conn.backlog[:]

    def wait_for(self, n, timeout=5):
        deadline = time.monotonic() + timeout
        while len(self.seen) < n and time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())

    def wait_notification(self, method, timeout, start=None):
        """Seconds from 'start' (default: now) until notification 'method'
        arrives, or None."""
        start = start or time.monotonic()
        while time.monotonic() - start < timeout:
            for i, msg in enumerate(self.seen):
                if msg.get("method") == method:
                    del self.seen[:i + 1]
                    return time.monotonic() - start
            self.pump(start + timeout - time.monotonic())
        return None

    def asserts(self, lock):
        """Whether a transaction's "assert" of 'lock' succeeds."""
        reply = self.conn.reply(self.conn.request(
            "transact", ["Open_vSwitch", {"op": "assert", "lock": lock}]))
        return "error" not in reply["result"][0]


# c1 on front end a, c2 and c3 on b: every scenario crosses front ends.
PLACES = {"c1": "a", "c2": "b", "c3": "b"}


def run_across(fes, steps, lock, want):
    clients = {n: Client(fes[PLACES[n]], n) for n in sorted(want)}
    log = {n: [] for n in clients}
    try:
        for i, (who, method) in enumerate(steps):
            clients[who].call(method, lock)
            for n, c in clients.items():
                c.wait_for(len(want[n][i]))
            time.sleep(0.1)         # Any extra notification.
            for n, c in clients.items():
                c.pump(0.001)
                log[n].append(c.seen)
                c.seen = []
        for n, c in clients.items():
            c.call("transact", "Open_vSwitch", {"op": "assert", "lock": lock})
            log[n].append(c.seen)
    finally:
        for c in clients.values():
            c.close()
    return log


def test_scenarios(c, a, b):
    want = {}
    with DbServer(peer="ovs") as db:
        for i, (title, steps) in enumerate(locks.SCENARIOS.items()):
            want[title] = locks.run_scenario(db, steps, "xtlock%d" % i)
    for i, (title, steps) in enumerate(locks.SCENARIOS.items()):
        got = run_across({"a": a, "b": b}, steps, "xtlock%d" % i,
                         want[title])
        for n in sorted(want[title]):
            for j, step in enumerate(steps + [("*", "assert")]):
                c.eq(got[n][j], want[title][n][j],
                     "%s: step %d (%s %s): %s on front end %s receives what "
                     "it receives from one ovsdb-server" % (
                         title, j + 1, step[0], step[1], n, PLACES[n]))


def test_latency(c, a, b):
    """"locked" reaching a client on the other front end after "unlock"."""
    times = []
    owner, waiter = Client(a, "owner"), Client(b, "waiter")
    try:
        for i in range(20):
            owner.call("lock", "xtlat")
            waiter.call("lock", "xtlat")
            c.ok(owner.seen[-1]["result"] == {"locked": True}
                 and waiter.seen[-1]["result"] == {"locked": False},
                 "round %d: the first lock is granted, the second on the "
                 "other front end queues" % i, repr(owner.seen + waiter.seen))
            owner.seen, waiter.seen = [], []
            start = time.monotonic()
            owner.call("unlock", "xtlat")
            t = waiter.wait_notification("locked", 5, start)
            if t is None:
                c.ok(False, "round %d: the waiter is told \"locked\"" % i)
                break
            times.append(t * 1000)
            waiter.call("unlock", "xtlat")
            owner.seen, waiter.seen = [], []
    finally:
        owner.close()
        waiter.close()
    if times:
        print("\"locked\" on the other front end after \"unlock\": median "
              "%.1f ms, min %.1f, max %.1f (%d rounds)"
              % (statistics.median(times), min(times), max(times),
                 len(times)))


def test_assert(c, a, b):
    one, two = Client(a, "one"), Client(b, "two")
    try:
        one.call("lock", "xtassert")
        two.call("lock", "xtassert")
        c.eq((one.asserts("xtassert"), two.asserts("xtassert")),
             (True, False), "\"assert\": the owner on front end a passes, "
             "the waiter on front end b fails")
        c.eq([re.search(r"locks:(\d+)", fe.appctl("memory/show")).group(1)
              for fe in (a, b)], ["1", "1"],
             "memory/show on each front end counts the lock its client "
             "holds or waits for")
        two.call("unlock", "xtassert")
        two.call("steal", "xtassert")
        c.ok(one.wait_notification("stolen", 5) is not None,
             "a steal on b: the owner on a is told \"stolen\"")
        c.eq((one.asserts("xtassert"), two.asserts("xtassert")),
             (False, True), "\"assert\" after the steal: a fails, b passes")
    finally:
        one.close()
        two.close()


def idl_for(fe):
    helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
    helper.register_table("Open_vSwitch")
    idl = ovs.db.idl.Idl(fe.remote, helper)
    idl.set_lock("xtidl")
    return idl


def run_idls(idls, cond, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for idl in idls:
            idl.run()
        if cond():
            return True
        poller = ovs.poller.Poller()
        for idl in idls:
            idl.wait(poller)
        poller.timer_wait(50)
        poller.block()
    return False


def test_python_idl(c, a, b):
    idls = [idl_for(a), idl_for(b)]
    try:
        c.ok(run_idls(idls, lambda: any(i.has_lock for i in idls)),
             "Python IDLs on two front ends: one gets the lock")
        both = not run_idls(idls, lambda: all(i.has_lock for i in idls), 1)
        c.ok(both and [i.has_lock for i in idls].count(True) == 1,
             "... and only one: the other is contended",
             repr([(i.has_lock, i.is_lock_contended) for i in idls]))
        owner = [i for i in idls if i.has_lock][0]
        other = [i for i in idls if not i.has_lock][0]
        owner.close()
        idls.remove(owner)
        c.ok(run_idls(idls, lambda: other.has_lock),
             "the owner's IDL closes: the other front end's IDL gets it")
    finally:
        for idl in idls:
            idl.close()


def switchd(fe, name):
    """An xsw-switchd on front end 'fe', with its files in DIR."""
    log = os.path.join(DIR, name + ".log")
    proc = subprocess.Popen(
        [XSW_SWITCHD, "--unixctl=" + os.path.join(DIR, name + ".ctl"),
         "--log-file=" + log, "-vconsole:off", fe.remote],
        env=dict(os.environ, XSW_RUNDIR=DIR, XSW_LOGDIR=DIR),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent)
    return proc, log


def read(path):
    try:
        return open(path).read()
    except OSError:
        return ""


def test_switchd(c, a, b):
    """Two xsw-switchd, each on a front end of its own: one manages the
    host (it holds the database lock), the other waits, and takes over
    when the first exits."""
    a.vsctl("init")
    acquired = "acquired the database lock"
    waiting = "another xsw-switchd holds the database lock"
    procs = [switchd(a, "xt-switchd-a"), switchd(b, "xt-switchd-b")]
    try:
        def states():
            return [(acquired in read(log), waiting in read(log))
                    for _, log in procs]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sorted(states()) != [
                (False, True), (True, False)]:
            time.sleep(0.1)
        c.eq(sorted(states()), [(False, True), (True, False)],
             "two xsw-switchd on two front ends: one acquires the lock, the "
             "other says another xsw-switchd holds it")
        owner = next(i for i, st in enumerate(states()) if st[0])
        stop_process(procs[owner][0])
        other_log = procs[1 - owner][1]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and acquired not in read(other_log):
            time.sleep(0.1)
        c.ok(acquired in read(other_log),
             "the owner exits: the xsw-switchd on the other front end "
             "acquires the lock", read(other_log)[-1500:])
    finally:
        for proc, _ in procs:
            stop_process(proc)


def owner_leaves(c, b, sig):
    """A lock owned on a third front end, whose server is stopped with
    'sig'; returns the seconds a waiter on b waited for "locked"."""
    k = front_end("k")
    owner, waiter = Client(k, "owner"), Client(b, "waiter")
    try:
        owner.call("lock", "xtleave")
        waiter.call("lock", "xtleave")
        c.ok(owner.seen[-1]["result"] == {"locked": True},
             "the front end to stop owns the lock")
        start = time.monotonic()
        k.proc.send_signal(sig)
        t = waiter.wait_notification("locked", TTL + 10, start)
        if sig == signal.SIGTERM:
            c.eq(k.proc.wait(timeout=15), 0, "the front end exits 0")
        k.stop(sig)

        waiter.call("unlock", "xtleave")
        return t
    finally:
        owner.close()
        waiter.close()
        k.stop()


def test_owner_exits(c, a, b):
    t = owner_leaves(c, b, signal.SIGTERM)
    c.ok(t is not None and t < 3,
         "the owner's front end exits cleanly (SIGTERM): the waiter on "
         "another is told \"locked\" at once (it revoked its lease)",
         "after %s s" % t)
    print("after SIGTERM of the owner's front end: \"locked\" in %s s" % t)
    t = owner_leaves(c, b, signal.SIGKILL)
    c.ok(t is not None and TTL - 4 < t < TTL + 5,
         "kill -9 of the owner's front end: the waiter on another is told "
         "\"locked\" when its lease expires (%d s TTL)" % TTL,
         "after %s s" % t)
    print("after kill -9 of the owner's front end: \"locked\" in %s s" % t)
    c.eq([k for k in lock_keys() if "/xtleave/" in k], [],
         "no key of the lock is left in etcd")


def test_etcd_stops(c, a, b):
    """Fail closed: etcd stops answering while a owns the lock."""
    one, two = Client(a, "one"), Client(b, "two")
    try:
        one.call("lock", "xtstop")
        two.call("lock", "xtstop")
        os.kill(ETCD.proc.pid, signal.SIGSTOP)
        try:
            start = time.monotonic()
            t = one.wait_notification("stolen", TTL + 5)
            c.ok(t is not None and t < TTL + 2,
                 "etcd stopped: the owner is told \"stolen\" within the TTL",
                 "after %s s" % t)
            print("etcd stopped: \"stolen\" after %s s" % t)
            c.ok(not one.asserts("xtstop"),
                 "... and its \"assert\" fails (fail closed)")
        finally:
            os.kill(ETCD.proc.pid, signal.SIGCONT)
        # Both leases lapsed: each front end gets a new one and queues its
        # waiter again; whichever comes first owns the lock.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if one.asserts("xtstop") or two.asserts("xtstop"):
                break
            time.sleep(0.1)
        owners = [one.asserts("xtstop"), two.asserts("xtstop")]
        c.eq(owners.count(True), 1, "etcd back: exactly one owns the lock "
             "again (after %.1f s)" % (time.monotonic() - start))
    finally:
        one.close()
        two.close()


def main():
    global ETCD, DIR
    checks = Checks()
    DIR = tempfile.mkdtemp(prefix="xt-etcd-locks-")
    try:
        ETCD = Etcd(DIR).start()
        run([XSW_DBSERVER, "--storage=etcd:" + ETCD.url, "--create",
             VSWITCH_SCHEMA])
        a, b = front_end("a"), front_end("b")
        for test in (test_scenarios, test_latency, test_assert,
                     test_python_idl, test_switchd, test_owner_exits,
                     test_etcd_stops):
            checks.run(lambda c, test=test: test(c, a, b))
    finally:
        for fe in FRONT_ENDS:
            try:
                fe.stop()
            except Exception as e:
                checks.ok(False, "front end %s: %s" % (fe.sock, e))
        if ETCD:
            ETCD.stop()
        shutil.rmtree(DIR, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    main()
