"""managerlib: helpers for the manager tests (managers.py,
active-managers.py, tls-db.py): a test peer that plays a manager, and the
Manager rows as ovs-vsctl shows them."""
import json
import select
import socket
import time

from xswenv import wait_until


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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        self.listener.close()
        return False

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
    """Manager row 'target' as {"is_connected": bool, "status": dict}
    (None and {} if there is no such row)."""
    out = db.vsctl("--format=json", "--columns=target,is_connected,status",
                   "list", "Manager")
    for row_target, is_connected, status in json.loads(out)["data"]:
        if row_target == target:
            return {"is_connected": is_connected, "status": dict(status[1])}
    return {"is_connected": None, "status": {}}


def wait_manager(db, target, pred, timeout=15):
    """Polls Manager row 'target' until pred(row) holds; the row, or None
    (status is refreshed every 2.5 s)."""
    def check():
        row = manager(db, target)
        return row if pred(row) else None
    return wait_until(check, timeout=timeout)
