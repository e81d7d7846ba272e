"""Read-your-writes across front ends (docs/storage-etcd.md, "Consistency
across front ends"), with one etcd 3.4 of the test's own on loopback
ports and two xsw-dbserver front ends A and B on it:

- 200 times in a row, a client writes through one front end and, once
  that write's reply is in, another client reads through the other front
  end, in both directions: a "select" must see the value just written,
  and so must the first contents of a new monitor, and an "update" that
  changes nothing (no commit of its own checks what it read).  B learns of A's
  commit from its etcd watch, a few milliseconds after A's reply; without
  the catch-up that each read makes first (server_db_read_fresh()), 51-73
  of the 200 selects and 21-34 of the monitors saw the value before (two
  runs, busy machine), and without the second look after a write that
  changed nothing, 50 of the 200 updates matched no row.
- the same with the real clients: ovs-vsctl add-br through A, then
  ovs-vsctl br-exists through B, 10 times (this one passed without the
  catch-up too: starting ovs-vsctl takes longer than the watch).

Each front end says it is a "leader" in _Server, and ovsdb(7) promises
that transactions on the leader "always yield fresh results": the Open
vSwitch IDLs and ovs-vsctl pick such a server to avoid stale reads.

It prints the read latencies through the other front end (p50, p99), the
cost of that catch-up (one linearizable read of etcd's head per read)."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovsdb_raw  # noqa: E402
from xswenv import (Checks, Etcd, EtcdFrontEnd, VSWITCH_SCHEMA,  # noqa: E402
                    XSW_DBSERVER, run, stop_etcd_test)

ITERATIONS = 200
VSCTL_ITERATIONS = 10
FRONT_ENDS = []     # A and B.


def write(conn, value):
    result = conn.call("transact", ["Open_vSwitch", {
        "op": "update", "table": "Open_vSwitch", "where": [],
        "row": {"next_cfg": value}}])
    assert result[0].get("count") == 1, result


def select(conn):
    result = conn.call("transact", ["Open_vSwitch", {
        "op": "select", "table": "Open_vSwitch", "where": [],
        "columns": ["next_cfg"]}])
    return result[0]["rows"][0]["next_cfg"]


def rewrite(conn, value):
    """The same value again where it is 'value': changes nothing, so no
    commit checks what it read; returns how many rows it matched."""
    result = conn.call("transact", ["Open_vSwitch", {
        "op": "update", "table": "Open_vSwitch",
        "where": [["next_cfg", "==", value]],
        "row": {"next_cfg": value}}])
    return result[0].get("count")


def monitor_first(conn, i):
    """next_cfg in the first contents of a new monitor."""
    result = conn.call("monitor_cond", ["Open_vSwitch", "xt-m%d" % i, {
        "Open_vSwitch": [{"columns": ["next_cfg"]}]}])
    conn.call("monitor_cancel", ["xt-m%d" % i])
    conn.backlog.clear()
    rows = result["Open_vSwitch"]
    return next(iter(rows.values()))["initial"]["next_cfg"]


def test_raw(c):
    a, b = FRONT_ENDS
    conns = [ovsdb_raw.Connection(fe.sock, 20) for fe in (a, b)]
    try:
        conns[0].call("transact", ["Open_vSwitch", {
            "op": "insert", "table": "Open_vSwitch",
            "row": {"next_cfg": 0}}])
        stale_selects = []
        stale_monitors = []
        stale_writes = []
        latencies = []
        for i in range(1, ITERATIONS + 1):
            writer, reader = conns[i % 2], conns[1 - i % 2]
            write(writer, i)
            start = time.monotonic()
            got = select(reader)
            latencies.append(time.monotonic() - start)
            if got != i:
                stale_selects.append((i, got))
            got = monitor_first(reader, i)
            if got != i:
                stale_monitors.append((i, got))
            write(writer, -i)
            got = rewrite(reader, -i)
            if got != 1:
                stale_writes.append((i, got))
        c.eq(stale_selects[:5], [], "%d selects through the other front "
             "end right after the write's reply see it (%d stale)"
             % (ITERATIONS, len(stale_selects)))
        c.eq(stale_monitors[:5], [], "%d new monitors through the other "
             "front end start with the write (%d stale)"
             % (ITERATIONS, len(stale_monitors)))
        c.eq(stale_writes[:5], [], "%d writes through the other front end "
             "that change nothing match the row as just written (%d "
             "stale)" % (ITERATIONS, len(stale_writes)))
        q = statistics.quantiles(latencies, n=100)
        print("select through the other front end: p50 %.2f ms, p99 %.2f "
              "ms" % (q[49] * 1000, q[98] * 1000))
    finally:
        for conn in conns:
            conn.close()


def test_vsctl(c):
    a, b = FRONT_ENDS
    missing = []
    for i in range(VSCTL_ITERATIONS):
        a.vsctl("add-br", "xtbr%d" % i)
        p = subprocess.run(["ovs-vsctl", "--db=" + b.remote, "--no-wait",
                            "--timeout=20", "br-exists", "xtbr%d" % i],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:       # 2: no such bridge.
            missing.append("xtbr%d (exit %d %s)" % (i, p.returncode,
                                                    p.stderr.strip()))
    c.eq(missing, [], "ovs-vsctl br-exists through B right after add-br "
         "through A finds the bridge, %d times" % VSCTL_ITERATIONS)


def main():
    c = Checks()
    dir = tempfile.mkdtemp(prefix="xt-etcd-ryw-")
    etcd = None
    fes = FRONT_ENDS
    try:
        etcd = Etcd(dir).start()
        run([XSW_DBSERVER, "--storage=etcd:" + etcd.url, "--create",
             VSWITCH_SCHEMA])
        for name in ("xt-a", "xt-b"):
            fes.append(EtcdFrontEnd(etcd.url, dir, name).start())
        c.run(test_raw)
        c.run(test_vsctl)
    finally:
        stop_etcd_test(fes, etcd, dir)
    c.finish()


if __name__ == "__main__":
    main()
