"""Raw JSON-RPC against xsw-dbserver and ovsdb-server 3.1: every method's
replies and error replies, byte for byte (as parsed JSON), so that clients
that match on error strings behave the same."""
import json
import socket

from xswenv import DbServer, Checks

# (request, ...) sent in order on one connection.
SESSION = [
    {"method": "list_dbs", "params": [], "id": 1},
    {"method": "get_schema", "params": ["Nope"], "id": 2},
    {"method": "get_schema", "params": [], "id": 3},
    {"method": "transact", "params": ["Nope", {"op": "comment",
                                               "comment": "x"}], "id": 4},
    {"method": "transact", "params": [], "id": 5},
    {"method": "monitor", "params": ["Nope", None, {}], "id": 6},
    {"method": "monitor_cond", "params": ["_Server", ["m"], {
        "Database": [{"columns": ["name", "model", "connected"]}]}],
     "id": 7},
    {"method": "monitor_cond", "params": ["_Server", ["m"], {
        "Database": [{"columns": ["name"]}]}], "id": 8},
    {"method": "monitor_cond", "params": ["_Server", ["m2"]], "id": 9},
    {"method": "monitor_cond_since", "params": [
        "Open_vSwitch", ["m3"], {"Bridge": [{"columns": ["name"]}]}],
     "id": 10},
    {"method": "monitor_cond_change", "params": [["x"], ["y"], {}],
     "id": 11},
    {"method": "monitor_cancel", "params": ["zz"], "id": 12},
    {"method": "monitor_cancel", "params": [["m"]], "id": 13},
    {"method": "nosuch", "params": [], "id": 14},
    {"method": "lock", "params": ["l1"], "id": 15},
    {"method": "lock", "params": ["l1"], "id": 16},
    {"method": "steal", "params": ["l1"], "id": 17},
    {"method": "unlock", "params": ["l2"], "id": 18},
    {"method": "lock", "params": ["1bad"], "id": 19},
    {"method": "steal", "params": [], "id": 20},
    {"method": "unlock", "params": ["l1"], "id": 21},
    {"method": "transact", "params": ["_Server", {
        "op": "delete", "table": "Database", "where": []}], "id": 22},
    {"method": "transact", "params": ["_Server", {
        "op": "select", "table": "Database", "where": [
            ["name", "==", "Open_vSwitch"]],
        "columns": ["name", "model", "connected", "leader"]}], "id": 23},
    {"method": "echo", "params": [1, "a", {"b": [2.5]}], "id": 24},
    {"method": "set_db_change_aware", "params": [True], "id": 25},
    {"method": "get_schema", "params": ["_Server", "extra"], "id": 26},
]


def converse(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(10)
    replies = []
    for m in SESSION:
        s.sendall(json.dumps(m).encode())
        buf = b""
        while True:
            buf += s.recv(65536)
            try:
                reply = json.loads(buf)
                break
            except ValueError:
                continue
        # Monitor results hold random row UUIDs; keep their shape only.
        r = reply.get("result")
        if isinstance(r, dict) and "Database" in r:
            reply["result"] = sorted(
                json.dumps(v, sort_keys=True) for v in
                r["Database"].values())
        replies.append(reply)
    s.close()
    return replies


def test_protocol(c):
    with DbServer() as db:
        xsw = converse(db.sock)
    with DbServer(peer="ovs") as db:
        ovs = converse(db.sock)
    for req, x, o in zip(SESSION, xsw, ovs):
        c.eq(x, o, "%s %s" % (req["method"], json.dumps(req["params"])[:60]))


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_protocol)
    checks.finish()
