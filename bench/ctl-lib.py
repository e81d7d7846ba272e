#! /usr/bin/python3
"""ctl-lib.py: what bench/ctl-bench.sh and tests/ctl/scale.py share.

    ctl-lib.py populate SOCKET NPORTS

gives the Open_vSwitch database served on the unix socket SOCKET one
Open_vSwitch row and a bridge br0 with NPORTS ports p0..p<NPORTS-1> (one
interface each, named like the port), in ONE transaction.  It talks
JSON-RPC straight over the socket, through neither CLI under test: building
a 10,000-port bridge with 10,000 CLI calls would take hours with ovs-vsctl
and measure nothing we care about, and a transaction that size does not fit
in one ovsdb-client command-line argument (128 KiB).

As a module (import it by path with importlib: its name has a dash):
transact(), populate(), and Proxy, a unix-socket relay that records what a
client and the server send each other.
"""

import json
import os
import socket
import sys
import threading
import time


class TransactError(Exception):
    pass


def transact(sock_path, ops, db="Open_vSwitch", timeout=120):
    """Runs one "transact" of 'ops' on 'db' over the unix socket
    'sock_path' and returns its result (the list of per-operation results).
    Raises TransactError if the server answered with an error or an
    operation failed."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(sock_path)
        sock.sendall(json.dumps({"method": "transact", "id": 0,
                                 "params": [db] + ops}).encode())
        buf, dec = "", json.JSONDecoder()
        while True:
            data = sock.recv(1 << 20)
            if not data:
                raise TransactError("the server closed the connection")
            buf += data.decode()
            try:
                msg, end = dec.raw_decode(buf.lstrip())
            except ValueError:
                continue        # Not a whole message yet.
            buf = buf.lstrip()[end:]
            if msg.get("id") == 0 and "result" in msg:
                break
            # Anything else (an "echo" from the server) is not ours.
    finally:
        sock.close()
    if msg.get("error"):
        raise TransactError(json.dumps(msg["error"]))
    for op_result in msg["result"]:
        if op_result and "error" in op_result:
            raise TransactError(json.dumps(msg["result"])[:2000])
    return msg["result"]


def populate(sock_path, n_ports, bridge="br0", prefix="p"):
    """Creates the Open_vSwitch row if there is none, and 'bridge' with
    'n_ports' ports named PREFIX0.. in one transaction."""
    rows = transact(sock_path, [{"op": "select", "table": "Open_vSwitch",
                                 "where": []}])[0]["rows"]
    ops = []
    if rows:
        ovs_where = [["_uuid", "==", ["uuid", rows[0]["_uuid"][1]]]]
    else:
        ops.append({"op": "insert", "table": "Open_vSwitch", "row": {},
                    "uuid-name": "ovs"})
        ovs_where = None
    ports = []
    for i in range(n_ports):
        name = "%s%d" % (prefix, i)
        ops.append({"op": "insert", "table": "Interface",
                    "row": {"name": name}, "uuid-name": "i%d" % i})
        ops.append({"op": "insert", "table": "Port",
                    "row": {"name": name,
                            "interfaces": ["named-uuid", "i%d" % i]},
                    "uuid-name": "p%d" % i})
        ports.append(["named-uuid", "p%d" % i])
    # A bridge has a port and an interface named like itself, as ovs-vsctl
    # add-br makes it, so that both CLIs see a bridge they would have made.
    ops.append({"op": "insert", "table": "Interface",
                "row": {"name": bridge, "type": "internal"},
                "uuid-name": "brif"})
    ops.append({"op": "insert", "table": "Port",
                "row": {"name": bridge,
                        "interfaces": ["named-uuid", "brif"]},
                "uuid-name": "brport"})
    ports.append(["named-uuid", "brport"])
    ops.append({"op": "insert", "table": "Bridge",
                "row": {"name": bridge, "ports": ["set", ports]},
                "uuid-name": "br"})
    if ovs_where is None:
        ops.append({"op": "mutate", "table": "Open_vSwitch",
                    "where": [["_uuid", "==", ["named-uuid", "ovs"]]],
                    "mutations": [["bridges", "insert",
                                   ["set", [["named-uuid", "br"]]]]]})
    else:
        ops.append({"op": "mutate", "table": "Open_vSwitch",
                    "where": ovs_where,
                    "mutations": [["bridges", "insert",
                                   ["set", [["named-uuid", "br"]]]]]})
    transact(sock_path, ops)


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
                client.close()
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


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "populate":
        sys.stderr.write("usage: %s populate SOCKET NPORTS\n" % sys.argv[0])
        sys.exit(1)
    try:
        populate(sys.argv[2], int(sys.argv[3]))
    except (OSError, TransactError) as e:
        sys.stderr.write("%s: %s\n" % (sys.argv[0], e))
        sys.exit(1)


if __name__ == "__main__":
    main()
