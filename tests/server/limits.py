"""xsw-dbserver's access control and input limits, as a client meets them:
read-only remotes, socket permissions, and the bounds on sessions, rows per
transaction, message size and JSON nesting."""
import json
import os
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import ovsdb_raw  # noqa: E402
from xswenv import DbServer, Checks, run  # noqa: E402


def rpc(path, msg, timeout=5):
    """Sends one request (a JSON value, or bytes as they are) on a session
    of its own; returns the first message received, or None if the server
    hung up."""
    with ovsdb_raw.Connection(path, timeout) as conn:
        try:
            conn.send(msg)
            return conn.recv()
        except (ConnectionResetError, BrokenPipeError):
            return None


def log_text(db):
    time.sleep(0.2)
    return open(db.log).read()


def test_read_only_remote(c):
    with DbServer() as db:
        ro = os.path.join(db.dir, "ro.sock")
        db.stop()
        db.extra_args = ["--read-only-remote=punix:" + ro]
        db.start()
        db.vsctl("add-br", "br0")
        reply = rpc(ro, {"method": "transact", "id": 1, "params": [
            "Open_vSwitch", {"op": "insert", "table": "Bridge",
                             "row": {"name": "x"}}]})
        err = reply["result"][0]
        c.eq(err.get("error"), "not allowed",
             "a write through a read-only remote is refused")
        c.ok("read only" in err.get("details", ""),
             "the error says the database is read-only", str(err))
        reply = rpc(ro, {"method": "transact", "id": 2, "params": [
            "Open_vSwitch", {"op": "select", "table": "Bridge", "where": [],
                             "columns": ["name"]}]})
        c.eq(reply["result"], [{"rows": [{"name": "br0"}]}],
             "reads through a read-only remote work")
        out, err = run(["ovs-vsctl", "--db=unix:" + ro, "--no-wait",
                        "add-br", "br1"], check=False)
        c.ok("not allowed" in err, "ovs-vsctl through a read-only remote "
             "fails with the server's reason", err)
        c.eq(db.vsctl("list-br"), "br0\n", "and nothing was written")
        c.ok("(read-only)" in db.appctl("ovsdb-server/list-remotes"),
             "list-remotes marks the read-only remote")


def test_socket_modes(c):
    with DbServer() as db:
        mode = stat.S_IMODE(os.stat(db.sock).st_mode)
        c.eq(oct(mode), oct(0o700), "punix: sockets are owner-only by "
             "default")
        mode = stat.S_IMODE(os.stat(db.ctl).st_mode)
        c.eq(oct(mode), oct(0o700), "the unixctl socket is owner-only")
        db.stop()
        db.extra_args = ["--unix-socket-mode=0770"]
        db.start()
        mode = stat.S_IMODE(os.stat(db.sock).st_mode)
        c.eq(oct(mode), oct(0o770), "--unix-socket-mode sets the mode")


def test_limits(c):
    with DbServer(extra_args=["--max-sessions=4", "--max-txn-rows=3",
                              "--max-message-size=100000",
                              "--max-nesting-depth=20"]) as db:
        db.vsctl("init")
        held = []
        for i in range(4):
            conn = ovsdb_raw.Connection(db.sock, 5)
            held.append(conn)
            # A reply proves the server has accepted this session.
            conn.send({"method": "echo", "params": [], "id": 0})
            c.ok(conn.recv() is not None, "session %d is served" % i)
        c.eq(rpc(db.sock, {"method": "echo", "params": [], "id": 1}), None,
             "a client beyond --max-sessions is disconnected")
        c.ok("--max-sessions" in log_text(db),
             "and the log says why")
        for conn in held:
            conn.close()
        time.sleep(0.2)
        c.ok(rpc(db.sock, {"method": "echo", "params": [], "id": 1})
             is not None, "once clients leave, new ones are served")

        ops = [{"op": "insert", "table": "Bridge", "row": {"name": "b%d" % i},
                "uuid-name": "b%d" % i} for i in range(4)]
        ops.append({"op": "mutate", "table": "Open_vSwitch", "where": [],
                    "mutations": [["bridges", "insert", ["set", [
                        ["named-uuid", "b%d" % i] for i in range(4)]]]]})
        reply = rpc(db.sock, {"method": "transact", "id": 2,
                              "params": ["Open_vSwitch"] + ops})
        c.eq(reply["result"][-1].get("error"), "resources exhausted",
             "a transaction changing more rows than --max-txn-rows fails")
        c.ok("--max-txn-rows" in reply["result"][-1].get("details", ""),
             "naming the limit", str(reply["result"][-1]))

        big = json.dumps({"method": "echo", "id": 3,
                          "params": ["x" * 200000]}).encode()
        c.eq(rpc(db.sock, big), None, "a message over --max-message-size "
             "closes the connection")
        deep = (b'{"method":"echo","id":4,"params":' + b"[" * 50 + b"]" * 50
                + b"}")
        c.eq(rpc(db.sock, deep), None, "JSON nested deeper than "
             "--max-nesting-depth closes the connection")
        c.eq(rpc(db.sock, {"method": "echo", "params": ["ok"], "id": 5}),
             {"result": ["ok"], "error": None, "id": 5},
             "the server keeps serving others")
        text = log_text(db)
        c.ok("100000" in text or "too long" in text or "size" in text,
             "the oversized message is logged", text[-500:])


if __name__ == "__main__":
    checks = Checks()
    for t in (test_read_only_remote, test_socket_modes, test_limits):
        checks.run(t)
    checks.finish()
