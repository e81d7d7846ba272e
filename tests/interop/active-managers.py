"""Active managers (the OpenDaylight/NSX model): a Manager row whose target
is tcp:IP:PORT or unix:PATH makes the database server connect out to that
peer, with backoff, and serve it as a client.  Checked against xsw-dbserver
and, in the same run, ovsdb-server (both with
--remote=db:Open_vSwitch,Open_vSwitch,manager_options), with a test peer
written here: it listens, accepts and speaks JSON-RPC as a client
(list_dbs, transact, monitor, lock), answering the server's echo probes.

Also: the Manager row's status follows the connection (is_connected,
state, locks_held), the server reconnects after the peer hangs up, and a
listener that goes away shows as is_connected=false.  Ports: free ones
found by binding port 0; the Unix socket lives in the test's directory."""
import json
import os
import select
import socket
import time

from xswenv import DbServer, Checks, wait_until

MANAGERS = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"
PEERS = ("xsw", "ovs")


class Peer:
    """A manager: listens, accepts the server's connection, and acts as an
    OVSDB client over it."""

    def __init__(self, family=socket.AF_INET, path=None):
        self.listener = socket.socket(family)
        if family == socket.AF_INET:
            self.listener.bind(("127.0.0.1", 0))
            self.target = "tcp:127.0.0.1:%d" % self.listener.getsockname()[1]
        else:
            self.listener.bind(path)
            self.target = "unix:" + path
        self.listener.listen(4)
        self.conn = None
        self.buf = b""
        self.decoder = json.JSONDecoder()
        self.notifications = []
        self.next_id = 1

    def accept(self, timeout=20):
        r, _, _ = select.select([self.listener], [], [], timeout)
        if not r:
            return False
        self.conn, _ = self.listener.accept()
        self.buf = b""
        return True

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def close_listener(self):
        self.listener.close()

    def send(self, msg):
        self.conn.sendall(json.dumps(msg).encode())

    def recv(self, timeout):
        """The next message (answering echo requests meanwhile), or None
        at EOF or timeout."""
        deadline = time.time() + timeout
        while True:
            text = self.buf.decode().lstrip()
            if text:
                try:
                    msg, end = self.decoder.raw_decode(text)
                except ValueError:
                    msg = None
                if msg is not None:
                    self.buf = text[end:].encode()
                    if msg.get("method") == "echo" and msg.get("id"):
                        self.send({"result": msg["params"], "error": None,
                                   "id": msg["id"]})
                        continue
                    return msg
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.conn], [], [], left)
            if not r:
                return None
            data = self.conn.recv(65536)
            if not data:
                return None
            self.buf += data

    def request(self, method, params, timeout=20):
        rid = self.next_id
        self.next_id += 1
        self.send({"method": method, "params": params, "id": rid})
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = self.recv(deadline - time.time())
            if msg is None:
                return None
            if msg.get("id") == rid:
                return msg
            self.notifications.append(msg)
        return None

    def wait_notification(self, method, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for n in self.notifications:
                if n.get("method") == method:
                    self.notifications.remove(n)
                    return n
            msg = self.recv(deadline - time.time())
            if msg is None:
                return None
            self.notifications.append(msg)
        return None


def manager(db, target):
    out = db.vsctl("--format=json", "--columns=target,is_connected,status",
                   "list", "Manager")
    for row_target, is_connected, status in json.loads(out)["data"]:
        if row_target == target:
            return {"is_connected": is_connected, "status": dict(status[1])}
    return {"is_connected": None, "status": {}}


def test_active_tcp(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        mgr = Peer()
        try:
            db.vsctl("set-manager", mgr.target)
            db.vsctl("set", "Manager", mgr.target, "max_backoff=1000")
            c.ok(mgr.accept(), "[%s] set-manager %s: the server connects "
                 "to the manager" % (peer, mgr.target))
            reply = mgr.request("list_dbs", [])
            c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
                 "[%s] the manager's list_dbs is answered" % peer)

            reply = mgr.request("transact", ["Open_vSwitch", {
                "op": "mutate", "table": "Open_vSwitch", "where": [],
                "mutations": [["external_ids", "insert",
                               ["map", [["xt-manager", "was-here"]]]]]}])
            c.eq(reply and reply["result"], [{"count": 1}],
                 "[%s] the manager's transaction commits" % peer)
            c.eq(db.vsctl("get", "Open_vSwitch", ".",
                          "external_ids:xt-manager"), "was-here\n",
                 "[%s] ovs-vsctl sees what the manager wrote" % peer)

            reply = mgr.request("monitor", ["Open_vSwitch", "xtmon", {
                "Bridge": {"columns": ["name"]}}])
            c.eq(reply and reply["result"], {},
                 "[%s] the manager's monitor starts (no bridges)" % peer)
            db.vsctl("add-br", "xtbr0")
            note = mgr.wait_notification("update")
            names = [row["new"]["name"] for row in
                     (note or {"params": [None, {}]})["params"][1]
                     .get("Bridge", {}).values()]
            c.eq(names, ["xtbr0"], "[%s] ... and hears of the bridge "
                 "ovs-vsctl adds" % peer)

            reply = mgr.request("lock", ["xtlock"])
            c.eq(reply and reply["result"], {"locked": True},
                 "[%s] the manager takes a lock" % peer)
            row = wait_until(lambda: (lambda m: m if m["status"].get(
                "locks_held") == "xtlock" else None)(manager(db, mgr.target)),
                timeout=15)
            c.ok(row and row["is_connected"] is True
                 and row["status"].get("state") == "ACTIVE",
                 "[%s] status: is_connected, state=ACTIVE, locks_held"
                 % peer, repr(manager(db, mgr.target)))

            # The manager hangs up: the server comes back.
            mgr.close()
            c.ok(mgr.accept(), "[%s] after the manager hangs up, the server "
                 "reconnects" % peer)
            reply = mgr.request("list_dbs", [])
            c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
                 "[%s] ... and serves the new connection" % peer)
            row = wait_until(lambda: (lambda m: m if "locks_held" not in
                                      m["status"] and "sec_since_disconnect"
                                      in m["status"] else None)(
                                          manager(db, mgr.target)),
                             timeout=15)
            c.ok(row, "[%s] status: the lock went with the old connection; "
                 "sec_since_disconnect appears" % peer,
                 repr(manager(db, mgr.target)))

            # The manager goes away for good.
            mgr.close()
            mgr.close_listener()
            row = wait_until(lambda: (lambda m: m if m["is_connected"]
                                      is False else None)(
                                          manager(db, mgr.target)),
                             timeout=15)
            c.ok(row and row["status"].get("state") in ("BACKOFF",
                                                        "CONNECTING"),
                 "[%s] no manager listening: is_connected false, state "
                 "BACKOFF" % peer, repr(manager(db, mgr.target)))
            db.vsctl("del-manager")
        finally:
            mgr.close()
            mgr.listener.close()


def test_active_unix(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        mgr = Peer(socket.AF_UNIX, os.path.join(db.dir, "xtmgr.sock"))
        try:
            db.vsctl("set-manager", mgr.target)
            c.ok(mgr.accept(), "[%s] unix: manager: the server connects"
                 % peer)
            reply = mgr.request("list_dbs", [])
            c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
                 "[%s] ... and answers the manager" % peer)
        finally:
            mgr.close()
            mgr.listener.close()


def test_active_probe(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        mgr = Peer()
        try:
            db.vsctl("set-manager", mgr.target)
            db.vsctl("set", "Manager", mgr.target, "inactivity_probe=1000")
            c.ok(mgr.accept(), "[%s] the server connects" % peer)
            mgr.conn.settimeout(15)
            start = time.time()
            got = b""
            try:
                while True:
                    data = mgr.conn.recv(4096)   # Never answered.
                    if not data:
                        break
                    got += data
            except OSError:
                pass
            c.ok(b'"echo"' in got and time.time() - start < 14,
                 "[%s] a manager that does not answer the echo is "
                 "disconnected (after %.1f s)" % (peer, time.time() - start),
                 repr(got))
            mgr.close()
            c.ok(mgr.accept(), "[%s] ... and reconnected to" % peer)
        finally:
            mgr.close()
            mgr.listener.close()


if __name__ == "__main__":
    checks = Checks()
    for peer in PEERS:
        checks.run(lambda c: test_active_tcp(c, peer))
        checks.run(lambda c: test_active_unix(c, peer))
        checks.run(lambda c: test_active_probe(c, peer))
    checks.finish()
