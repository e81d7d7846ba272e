"""ovsdb_raw: raw OVSDB JSON-RPC over a unix socket, for the test scripts
and the benchmarks.

The interop tests drive the server through real Open vSwitch clients; the
scripts here need what no client does: exact bytes on the wire, a request
the client would never send, a transaction too big for a command line
(ovsdb-client takes it as one argument, 128 KiB at most), or a record of
what a CLI and the server said to each other.  This module is that one
client, kept small and dependent on the standard library only:

    Connection(path)        one session: send(), request(), recv(),
                            reply(id), call(method, params), pump(seconds)
    transact(path, ops)     one "transact" on a fresh session
    populate(path, n)       a bridge with n ports, in one transaction
    Proxy(path, upstream)   a relay that records both directions

It lives next to xswenv.py because the tests already put tests/interop/ on
sys.path.  The benchmarks (bench/ctl-lib.py, bench/ctl-measure.py) live in
the same tree and add this directory to sys.path themselves: one copy,
reached from both, rather than a copy per directory.
"""

import codecs
import json
import os
import socket
import threading
import time


class RpcError(Exception):
    """The server answered a request with an error, or went away before
    answering."""


class TransactError(RpcError):
    """A "transact" failed: an RPC error, or an operation's error."""


class Connection:
    """One JSON-RPC session over the unix socket 'path'.

    Messages that arrive while the caller waits for something else (an
    "update" notification, the server's "echo", a reply to another id)
    are kept, in order, in 'backlog': recv() returns them first, and a
    caller that watches notifications reads or clears the list itself.
    Every blocking call raises socket.timeout after 'timeout' seconds."""

    def __init__(self, path, timeout=60):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.timeout = timeout
        self.backlog = []
        self.eof = False
        self._next_id = 0
        # Bytes may split a UTF-8 character; only whole ones reach _text.
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._text = ""
        self._decoder = json.JSONDecoder()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        self.sock.close()

    def send(self, msg):
        """Sends 'msg': a JSON value, or bytes sent as they are (for input
        that no encoder would produce)."""
        if not isinstance(msg, bytes):
            msg = json.dumps(msg).encode()
        self.sock.sendall(msg)

    def request(self, method, params):
        """Sends a request with an id of its own and returns that id."""
        self._next_id += 1
        self.send({"method": method, "params": params, "id": self._next_id})
        return self._next_id

    def notify(self, method, params):
        self.send({"method": method, "params": params, "id": None})

    def recv(self):
        """The next message received (the oldest in 'backlog' first), or
        None once the server has closed the connection."""
        while not self.backlog:
            if not self._read():
                return None
        return self.backlog.pop(0)

    def reply(self, id_):
        """The reply to the request 'id_'.  Raises RpcError if the server
        closes the connection first."""
        seen = 0
        while True:
            for i in range(seen, len(self.backlog)):
                msg = self.backlog[i]
                if (isinstance(msg, dict) and msg.get("id") == id_
                        and "method" not in msg):
                    del self.backlog[i]
                    return msg
            seen = len(self.backlog)
            if not self._read():
                raise RpcError("the server closed the connection")

    def call(self, method, params):
        """Sends a request and returns its result; raises RpcError if the
        server answers with an error."""
        msg = self.reply(self.request(method, params))
        if msg.get("error") is not None:
            raise RpcError("%s: %s" % (method, json.dumps(msg["error"])))
        return msg["result"]

    def pump(self, seconds):
        """Receives for 'seconds' (less if the server closes the
        connection), into 'backlog', and returns 'backlog'."""
        deadline = time.monotonic() + seconds
        try:
            while not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.sock.settimeout(left)
                try:
                    self._read()
                except socket.timeout:
                    break
        finally:
            self.sock.settimeout(self.timeout)
        return self.backlog

    def _read(self):
        """Receives once and queues every whole message received so far.
        Returns False at the end of the stream."""
        if self.eof:
            return False
        data = self.sock.recv(1 << 20)
        if not data:
            self.eof = True
            return False
        self._text += self._utf8.decode(data)
        while True:
            text = self._text.lstrip()
            if not text:
                self._text = ""
                return True
            try:
                msg, end = self._decoder.raw_decode(text)
            except ValueError:
                # Not a whole message yet.  (Malformed input waits for the
                # timeout: the server under test only sends JSON.)
                self._text = text
                return True
            self.backlog.append(msg)
            self._text = text[end:]


def transact(path, ops, db="Open_vSwitch", timeout=120):
    """Runs one "transact" of 'ops' on 'db' in a session of its own and
    returns its result (the list of per-operation results).  Raises
    TransactError if the server answered with an error or an operation
    failed."""
    with Connection(path, timeout) as conn:
        msg = conn.reply(conn.request("transact", [db] + list(ops)))
    if msg.get("error") is not None:
        raise TransactError(json.dumps(msg["error"]))
    for op_result in msg["result"]:
        if op_result and "error" in op_result:
            raise TransactError(json.dumps(msg["result"])[:2000])
    return msg["result"]


class Replica:
    """A "monitor" (RFC 7047: every update carries the rows' new values) of
    'columns' ({table: [column, ...]}) on the server at 'path', and the
    rows that its updates alone build: {table: {uuid: row}}.  pump() reads
    the updates that arrived; 'conn.eof' says the server hung up."""

    def __init__(self, path, columns, db="Open_vSwitch"):
        self.conn = Connection(path, 30)
        reqs = {t: {"columns": cols} for t, cols in columns.items()}
        self.rows = {t: {} for t in columns}
        self.apply(self.conn.call("monitor", [db, "xt", reqs]))

    def apply(self, update):
        for table, rows in update.items():
            for uuid, change in rows.items():
                if change.get("new") is None:
                    self.rows[table].pop(uuid, None)
                else:
                    self.rows[table][uuid] = change["new"]

    def pump(self, seconds):
        for msg in self.conn.pump(seconds):
            if msg.get("method") == "update":
                self.apply(msg["params"][1])
        self.conn.backlog.clear()

    def close(self):
        self.conn.close()


def dump(path, columns, db="Open_vSwitch"):
    """A fresh dump of 'columns' ({table: [column, ...]}) on the server at
    'path', in Replica's form."""
    result = transact(path, [
        {"op": "select", "table": t, "where": [], "columns": cols + ["_uuid"]}
        for t, cols in columns.items()], db=db)
    return {t: {row.pop("_uuid")[1]: row for row in r["rows"]}
            for t, r in zip(columns, result)}


def normalize(rows):
    """Replica's or dump()'s rows as comparable text, each set's elements
    sorted."""
    def value(v):
        if isinstance(v, list) and v and v[0] == "set":
            return ["set", sorted(v[1], key=json.dumps)]
        return v
    return json.dumps({t: {u: {k: value(v) for k, v in row.items()}
                           for u, row in rs.items()}
                       for t, rs in rows.items()}, sort_keys=True)


def populate(path, n_ports, bridge="br0", prefix="p"):
    """Creates the Open_vSwitch row if there is none, and 'bridge' with
    'n_ports' ports named PREFIX0.. (one interface each, named like the
    port) in one transaction.  The bridge also gets the internal port and
    interface named like itself that ovs-vsctl add-br makes, so that it
    holds n_ports + 1 ports and both CLIs see a bridge they would have
    made."""
    rows = transact(path, [{"op": "select", "table": "Open_vSwitch",
                            "where": [], "columns": ["_uuid"]}])[0]["rows"]
    ops = []
    if rows:
        ovs = ["uuid", rows[0]["_uuid"][1]]
    else:
        ops.append({"op": "insert", "table": "Open_vSwitch", "row": {},
                    "uuid-name": "ovs"})
        ovs = ["named-uuid", "ovs"]
    ports = []

    def add_port(name, tag, iface_row):
        ops.append({"op": "insert", "table": "Interface", "row": iface_row,
                    "uuid-name": "i" + tag})
        ops.append({"op": "insert", "table": "Port",
                    "row": {"name": name,
                            "interfaces": ["named-uuid", "i" + tag]},
                    "uuid-name": "p" + tag})
        ports.append(["named-uuid", "p" + tag])

    for i in range(n_ports):
        name = "%s%d" % (prefix, i)
        add_port(name, str(i), {"name": name})
    add_port(bridge, "br", {"name": bridge, "type": "internal"})
    ops.append({"op": "insert", "table": "Bridge",
                "row": {"name": bridge, "ports": ["set", ports]},
                "uuid-name": "br"})
    ops.append({"op": "mutate", "table": "Open_vSwitch",
                "where": [["_uuid", "==", ovs]],
                "mutations": [["bridges", "insert",
                               ["set", [["named-uuid", "br"]]]]]})
    transact(path, ops)


class Proxy:
    """Listens on the unix socket 'path' and relays every connection to the
    unix socket 'upstream', recording each side's bytes and when each chunk
    passed, so that a caller can tell what a client fetched, what it asked
    for, and how long the server took to answer."""

    def __init__(self, path, upstream):
        self.path = path
        self.upstream = upstream
        self.lock = threading.Lock()
        self.chunks = []        # (time, "c2s" or "s2c", bytes), in order.
        self.connections = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return          # close() closed the listener.
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                server.connect(self.upstream)
            except OSError:
                # The client sees the server's absence as a closed
                # connection, as it would without the proxy.
                client.close()
                server.close()
                continue
            with self.lock:
                self.connections += 1
            for src, dst, way in ((client, server, "c2s"),
                                  (server, client, "s2c")):
                threading.Thread(target=self._pump, daemon=True,
                                 args=(src, dst, way)).start()

    def _pump(self, src, dst, way):
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                with self.lock:
                    self.chunks.append((time.monotonic(), way, data))
                dst.sendall(data)
        except OSError:
            pass
        # Pass the end of the stream on, so each side sees the other go.
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def reset(self):
        with self.lock:
            self.chunks = []
            self.connections = 0

    def bytes(self, way):
        """All bytes sent one 'way' ("c2s": client to server, "s2c")."""
        with self.lock:
            return b"".join(c for _, w, c in self.chunks if w == way)

    def messages(self, way):
        """The JSON-RPC messages sent one 'way', in order.  Fine for one
        connection at a time, which is how the callers use it."""
        return split_messages(self.bytes(way))

    def close(self):
        self.listener.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def split_messages(data):
    """The JSON values concatenated in 'data' (bytes)."""
    text = data.decode()
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        msg, i = dec.raw_decode(text, i)
        out.append(msg)
