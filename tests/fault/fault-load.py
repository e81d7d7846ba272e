"""fault-load: 1,000 concurrent clients, slow readers, 1,000 idle
connections, a 100 MB message and clients that hang up mid-request, all at
once against one xsw-dbserver.

The clients (one process, non-blocking sockets on epoll):
  - 500 writers: each inserts its own QoS row, then keeps updating its
    "type" column ("v1", "v2", ...) at random intervals, one transaction in
    flight at a time; every one must be acknowledged with success;
  - 450 group monitors (monitor_cond, update2): each watches the rows of
    one of 50 writer groups (a condition on external_ids);
  - 30 full monitors (RFC 7047 "monitor", update): they watch every QoS row;
  - 20 slow readers: full monitors that never read.  The server must drop
    them when their output backlog passes --max-backlog, instead of queuing
    without bound;
  - 1,000 idle connections, opened first, silent throughout, which must
    still answer an echo at the end;
  - mid-run: a client streams a 100 MB request (above the 64 MB default
    limit): the server must drop that client with one log line and go on;
    50 clients send half a request and hang up; 50 send a whole transaction
    and hang up without reading the reply.
When the writers stop, every monitor's replica must converge, within a
bound, on the final state (group monitors: their group's rows; full
monitors: exactly what a select returns), every idle connection must answer,
and the server's VmRSS (sampled each second) must stay bounded.

XSW_FAULT_LOAD_SECONDS (default 60) sets the length of the load.
"""
import json
import os
import random
import resource
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (Client, Sandbox, check, log, main, map_get,  # noqa
                      ovs_map, select_all, txn_error)

SECONDS = float(os.environ.get("XSW_FAULT_LOAD_SECONDS", "60"))
N_WRITERS = 500
N_GROUPS = 50
N_GROUP_MONITORS = 450
N_FULL_MONITORS = 30
N_SLOW = 20
N_IDLE = 1000
WRITE_INTERVAL = 2.0        # Mean seconds between a writer's transactions.
MAX_BACKLOG = 256 * 1024
CONVERGE_SECONDS = 30       # Bound on the monitors catching up at the end.
# Far above what 2,000 sessions need (about 60 MB here), far below what the
# slow readers would take if the backlog bound did not hold: each would
# queue every update of the run, and a leak would grow with the run.
RSS_LIMIT_KIB = 256 * 1024


class Conn:
    """A non-blocking client connection with its own parser and replica."""

    def __init__(self, loop, kind, path):
        self.loop = loop
        self.kind = kind
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A blocking connect waits for room in the listen queue instead of
        # failing with EAGAIN when 2,000 clients arrive at once.
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.rbuf = b""
        self.wbuf = bytearray()
        self.closed = None          # Why the server closed us, if it did.
        self.rows = {}              # Replica: uuid -> {"type":, "ids":}.
        self.pending = {}           # Request id -> callback(reply).
        self.next_id = 0
        self.events = 0
        self.update_events()

    def update_events(self):
        events = selectors.EVENT_READ if self.kind != "slow" else 0
        if self.wbuf:
            events |= selectors.EVENT_WRITE
        if events == self.events:
            return
        if self.events and events:
            self.loop.sel.modify(self.sock, events, self)
        elif events:
            self.loop.sel.register(self.sock, events, self)
        else:
            self.loop.sel.unregister(self.sock)
        self.events = events

    def request(self, method, params, callback=None):
        self.next_id += 1
        self.pending[self.next_id] = callback
        self.wbuf += json.dumps({"method": method, "params": params,
                                 "id": self.next_id}).encode()
        self.on_writable()

    def on_writable(self):
        try:
            n = self.sock.send(self.wbuf)
            del self.wbuf[:n]
        except BlockingIOError:
            pass
        except OSError as e:
            self.on_closed(str(e))
            return
        self.update_events()

    def on_readable(self):
        try:
            data = self.sock.recv(1 << 18)
        except BlockingIOError:
            return
        except OSError as e:
            data = b""
            reason = str(e)
        else:
            reason = "end of stream"
        if not data:
            self.on_closed(reason)
            return
        self.rbuf += data
        if not self.rbuf.rstrip().endswith(b"}"):
            return          # Mid-message: wait for the rest.
        text = self.rbuf.decode()
        dec = self.loop.decoder
        pos = 0
        try:
            while True:
                while pos < len(text) and text[pos].isspace():
                    pos += 1
                if pos == len(text):
                    break
                msg, pos = dec.raw_decode(text, pos)
                self.on_msg(msg)
        except json.JSONDecodeError:
            pass            # An incomplete last message.
        self.rbuf = text[pos:].encode()

    def on_closed(self, reason):
        if self.closed is None:
            self.closed = reason
            if self.events:
                self.loop.sel.unregister(self.sock)
                self.events = 0
            self.loop.closed.append(self)

    def on_msg(self, msg):
        method = msg.get("method")
        if method == "echo":
            self.wbuf += json.dumps({"result": msg["params"], "error": None,
                                     "id": msg["id"]}).encode()
            self.on_writable()
        elif method == "update":
            self.apply_update(msg["params"][1])
        elif method == "update2":
            self.apply_update2(msg["params"][1])
        elif method is not None:
            self.loop.fail("%s client: unexpected %r" % (self.kind, msg))
        else:
            cb = self.pending.pop(msg.get("id"), None)
            if msg.get("error") is not None:
                self.loop.fail("%s client: error reply %r"
                               % (self.kind, msg))
            elif cb:
                cb(msg["result"])

    def apply_update(self, updates):
        for uuid, u in updates.get("QoS", {}).items():
            new = u.get("new")
            if new is None:
                self.rows.pop(uuid, None)
            else:
                old = self.rows.get(uuid, {})
                self.rows[uuid] = {
                    "type": new.get("type", old.get("type")),
                    "ids": new.get("external_ids", old.get("ids"))}

    def apply_update2(self, updates):
        for uuid, u in updates.get("QoS", {}).items():
            if "delete" in u:
                self.rows.pop(uuid, None)
                continue
            full = u.get("initial") or u.get("insert")
            if full is not None:
                self.rows[uuid] = {"type": full.get("type", ""),
                                   "ids": full.get("external_ids")}
            elif "modify" in u:
                row = self.rows.get(uuid)
                if row is None:
                    self.loop.fail("modify of unknown row %s" % uuid)
                    continue
                # "type" is a scalar: the diff is the new value.
                if "type" in u["modify"]:
                    row["type"] = u["modify"]["type"]


class Loop:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.decoder = json.JSONDecoder()
        self.closed = []
        self.failures = []

    def fail(self, what):
        if len(self.failures) < 20:
            self.failures.append(what)

    def run_once(self, timeout):
        for key, mask in self.sel.select(timeout):
            conn = key.data
            if mask & selectors.EVENT_READ:
                conn.on_readable()
            if mask & selectors.EVENT_WRITE and conn.closed is None:
                conn.on_writable()


class Writer:
    def __init__(self, conn, index):
        self.conn = conn
        self.index = index
        self.group = index % N_GROUPS
        self.uuid = None
        self.acked = 0          # Updates acknowledged with success.
        self.busy = True
        self.next_at = 0

    def start(self):
        self.conn.request("transact", ["Open_vSwitch", {
            "op": "insert", "table": "QoS",
            "row": {"type": "v0", "external_ids": ovs_map({
                "w": str(self.index), "g": str(self.group)})}}],
            self.on_inserted)

    def on_inserted(self, result):
        if txn_error(result):
            self.conn.loop.fail("writer %d insert: %r" % (self.index, result))
            return
        self.uuid = result[0]["uuid"][1]
        self.busy = False

    def tick(self, now, rng):
        if self.busy or self.uuid is None or now < self.next_at:
            return
        self.busy = True
        n = self.acked + 1
        self.conn.request("transact", ["Open_vSwitch", {
            "op": "update", "table": "QoS",
            "where": [["_uuid", "==", ["uuid", self.uuid]]],
            "row": {"type": "v%d" % n}}], lambda r: self.on_updated(r, now))
        self.next_at = now + rng.uniform(0, 2 * WRITE_INTERVAL)

    def on_updated(self, result, sent):
        if txn_error(result):
            self.conn.loop.fail("writer %d update: %r" % (self.index, result))
        else:
            self.acked += 1
            self.conn.loop.latencies.append(time.monotonic() - sent)
        self.busy = False


def send_huge(path, out):
    """Streams a 100 MB transact request; the server must hang up."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    sent = 0
    try:
        s.sendall(b'{"method":"transact","params":["Open_vSwitch",{"op":'
                  b'"insert","table":"QoS","row":{"type":"')
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            s.sendall(chunk)
            sent += len(chunk)
        s.sendall(b'"}}],"id":1}')
        out["result"] = "the whole 100 MB was accepted"
        # The server may still close after reading it all.
        s.settimeout(30)
        out["reply"] = s.recv(4096)
    except OSError as e:
        out["result"] = "closed after %d MB: %s" % (sent >> 20, e)
        out["closed"] = True
    finally:
        s.close()


def hang_up_clients(path):
    """Clients that disconnect in the middle of a request, or right after
    sending one."""
    half = json.dumps({"method": "transact", "params": ["Open_vSwitch", {
        "op": "insert", "table": "QoS", "row": {"type": "half"}}],
        "id": 1}).encode()
    for i in range(50):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(half[:len(half) // 2])
        s.close()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(json.dumps({"method": "transact", "params": [
            "Open_vSwitch", {"op": "insert", "table": "QoS",
                             "row": {"type": "gone-%d" % i}}],
            "id": 1}).encode())
        s.close()


def test():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192
    if hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
        except (ValueError, OSError) as e:
            check(False, "cannot raise RLIMIT_NOFILE to %d: %s", want, e)
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    rng = random.Random(int(os.environ.get("XSW_FAULT_SEED", "16")))
    with Sandbox() as sb:
        srv = sb.server(extra_args=["--max-backlog=%d" % MAX_BACKLOG])
        loop = Loop()
        loop.latencies = []
        rss = []

        def sample_rss():
            v = srv.rss_kib()
            if v:
                rss.append((time.monotonic(), v))

        t0 = time.monotonic()
        idle = [Conn(loop, "idle", srv.sock) for _ in range(N_IDLE)]
        sample_rss()
        log("%d idle connections open; server VmRSS %d KiB",
            len(idle), rss[-1][1])

        def monitor_cond(c, group):
            c.request("monitor_cond", ["Open_vSwitch", ["g", group], {
                "QoS": [{"columns": ["type", "external_ids"],
                         "where": [["external_ids", "includes",
                                    ovs_map({"g": str(group)})]]}]}],
                lambda r: c.apply_update2(r))

        def monitor(c):
            c.request("monitor", ["Open_vSwitch", None, {
                "QoS": {"columns": ["type", "external_ids"]}}],
                lambda r: c.apply_update(r))

        group_mons = []
        for i in range(N_GROUP_MONITORS):
            c = Conn(loop, "group", srv.sock)
            c.group = i % N_GROUPS
            monitor_cond(c, c.group)
            group_mons.append(c)
        full_mons = []
        for i in range(N_FULL_MONITORS):
            c = Conn(loop, "full", srv.sock)
            monitor(c)
            full_mons.append(c)
        slow = []
        for i in range(N_SLOW):
            c = Conn(loop, "slow", srv.sock)
            monitor(c)
            slow.append(c)
        writers = [Writer(Conn(loop, "writer", srv.sock), i)
                   for i in range(N_WRITERS)]
        for w in writers:
            w.start()
        n_clients = (len(group_mons) + len(full_mons) + len(slow)
                     + len(writers))
        log("%d active clients connected (%d writers, %d group monitors, "
            "%d full monitors, %d slow readers) in %.1f s", n_clients,
            len(writers), len(group_mons), len(full_mons), len(slow),
            time.monotonic() - t0)

        start = time.monotonic()
        end = start + SECONDS
        next_sample = start
        huge = {}
        huge_thread = hang_thread = None
        while time.monotonic() < end and not loop.failures:
            now = time.monotonic()
            loop.run_once(0.05)
            for w in writers:
                w.tick(now, rng)
            if now >= next_sample:
                sample_rss()
                next_sample += 1.0
            if huge_thread is None and now > start + SECONDS / 3:
                huge_thread = threading.Thread(target=send_huge,
                                               args=(srv.sock, huge),
                                               daemon=True)
                huge_thread.start()
                hang_thread = threading.Thread(target=hang_up_clients,
                                               args=(srv.sock,),
                                               daemon=True)
                hang_thread.start()
            check(srv.alive(), "the server died under load")

        check(not loop.failures, "client failures: %s", loop.failures)
        # The writers stop; let the last transactions be answered.
        deadline = time.monotonic() + CONVERGE_SECONDS
        while (any(w.busy for w in writers)
               and time.monotonic() < deadline):
            loop.run_once(0.05)
        busy = [w.index for w in writers if w.busy]
        check(not busy, "writers %s still wait for a reply after %d s",
              busy[:10], CONVERGE_SECONDS)
        huge_thread.join(60)
        hang_thread.join(60)
        check(not huge_thread.is_alive() and not hang_thread.is_alive(),
              "the misbehaving clients hang")

        # What the server holds: every writer's row with its last value.
        c = Client(srv.sock, timeout=30)
        final = {r["_uuid"][1]: {"type": r["type"],
                                 "ids": r["external_ids"]}
                 for r in select_all(c, "QoS",
                                     ["_uuid", "type", "external_ids"])}
        for w in writers:
            got = final.get(w.uuid, {}).get("type")
            check(got == "v%d" % w.acked, "writer %d: %d updates "
                  "acknowledged, the row says %r", w.index, w.acked, got)

        def converged(m):
            if m.kind == "full":
                return m.rows == final
            want = {u: r for u, r in final.items()
                    if r["ids"] and map_get(r["ids"], "g") == str(m.group)}
            return m.rows == want

        monitors = group_mons + full_mons
        while time.monotonic() < deadline:
            if all(converged(m) for m in monitors if m.closed is None):
                break
            loop.run_once(0.05)
        dropped = [m for m in monitors if m.closed is not None]
        check(not dropped, "%d monitors that read were disconnected, e.g. "
              "%s", len(dropped), dropped[0].closed if dropped else "")
        behind = [m for m in monitors if not converged(m)]
        check(not behind, "%d monitors did not converge on the final "
              "state in %d s", len(behind), CONVERGE_SECONDS)

        # Slow readers: dropped by the backlog bound.  What they did not
        # read is still in their socket; after it, the end of the stream.
        for s in slow:
            s.sock.setblocking(True)
            s.sock.settimeout(10)
            n = 0
            try:
                while True:
                    data = s.sock.recv(1 << 20)
                    if not data:
                        break
                    n += len(data)
            except OSError as e:
                check(False, "slow reader: %s after %d bytes (expected the "
                      "end of the stream)", e, n)
            s.unread = n
        backlog_lines = [l for l in srv.log_text().splitlines()
                         if "output backlog" in l]
        check(backlog_lines, "no slow reader disconnect was logged")

        # Idle connections: all still there and answering.
        for i, ic in enumerate(idle):
            ic.request("echo", ["idle", i])
        deadline = time.monotonic() + CONVERGE_SECONDS
        while (any(ic.pending for ic in idle if ic.closed is None)
               and time.monotonic() < deadline):
            loop.run_once(0.05)
        lost = [ic for ic in idle if ic.closed is not None or ic.pending]
        check(not lost, "%d idle connections lost or silent, e.g. %s",
              len(lost), lost[0].closed if lost else "")

        # The 100 MB message.
        check(huge.get("closed"), "100 MB request: %s", huge.get("result"))
        too_big = [l for l in srv.log_text().splitlines()
                   if "exceeds the" in l and "byte" in l
                   and "backlog" not in l]
        check(len(too_big) == 1, "the 100 MB message: expected one log "
              "line, got %r", too_big)

        sample_rss()
        mem = srv.appctl("memory/show").strip()
        peak = max(v for _, v in rss)
        settled = rss[-1][1]
        log("load: %d active + %d idle clients for %.0f s; %d transactions "
            "acknowledged, none failed; latency median %.1f ms, max %.0f "
            "ms; %d rows", n_clients, len(idle), SECONDS,
            sum(w.acked for w in writers) + len(writers),
            1000 * sorted(loop.latencies)[len(loop.latencies) // 2],
            1000 * max(loop.latencies), len(final))
        log("load: server VmRSS start %d KiB, peak %d KiB, end %d KiB; "
            "memory/show: %s", rss[0][1], peak, settled, mem)
        log("load: %d slow readers dropped by --max-backlog=%d (unread "
            "bytes each: %d-%d); e.g. %s", len(slow), MAX_BACKLOG,
            min(s.unread for s in slow), max(s.unread for s in slow),
            backlog_lines[0].split("|")[-1])
        log("load: 100 MB request: %s; server log: %s", huge["result"],
            too_big[0].split("|")[-1])
        check(peak < RSS_LIMIT_KIB, "server VmRSS peaked at %d KiB "
              "(limit %d)", peak, RSS_LIMIT_KIB)
        c.close()
        check(srv.stop() == 0, "xsw-dbserver did not exit cleanly")
        for conn in idle + monitors + slow + [w.conn for w in writers]:
            conn.sock.close()


if __name__ == "__main__":
    main(test)
