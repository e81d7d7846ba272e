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
import socket
import time

from xswenv import DbServer, Checks
from managerlib import Peer, manager, wait_manager

MANAGERS = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"
PEERS = ("xsw", "ovs")


def test_active_tcp(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db, Peer() as mgr:
        db.vsctl("init")
        db.vsctl("set-manager", mgr.target)
        db.vsctl("set", "Manager", mgr.target, "max_backoff=1000")
        c.ok(mgr.accept(), "[%s] set-manager %s: the server connects to "
             "the manager" % (peer, mgr.target))
        reply = mgr.request("list_dbs", [])
        c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
             "[%s] the manager's list_dbs is answered" % peer)

        reply = mgr.request("transact", ["Open_vSwitch", {
            "op": "mutate", "table": "Open_vSwitch", "where": [],
            "mutations": [["external_ids", "insert",
                           ["map", [["xt-manager", "was-here"]]]]]}])
        c.eq(reply and reply["result"], [{"count": 1}],
             "[%s] the manager's transaction commits" % peer)
        c.eq(db.vsctl("get", "Open_vSwitch", ".", "external_ids:xt-manager"),
             "was-here\n", "[%s] ovs-vsctl sees what the manager wrote"
             % peer)

        reply = mgr.request("monitor", ["Open_vSwitch", "xtmon", {
            "Bridge": {"columns": ["name"]}}])
        c.eq(reply and reply["result"], {},
             "[%s] the manager's monitor starts (no bridges)" % peer)
        db.vsctl("add-br", "xtbr0")
        note = mgr.wait_notification("update")
        names = [row["new"]["name"] for row in
                 (note or {"params": [None, {}]})["params"][1]
                 .get("Bridge", {}).values()]
        c.eq(names, ["xtbr0"], "[%s] ... and hears of the bridge ovs-vsctl "
             "adds" % peer)

        reply = mgr.request("lock", ["xtlock"])
        c.eq(reply and reply["result"], {"locked": True},
             "[%s] the manager takes a lock" % peer)
        row = wait_manager(db, mgr.target, lambda m: m["status"].get(
            "locks_held") == "xtlock")
        c.ok(row and row["is_connected"] is True
             and row["status"].get("state") == "ACTIVE",
             "[%s] status: is_connected, state=ACTIVE, locks_held" % peer,
             repr(manager(db, mgr.target)))

        # Another client holds "xtwait" and steals "xtsteal" from the
        # manager: the manager waits for one and has lost the other.
        other = socket.socket(socket.AF_UNIX)
        other.connect(db.sock)
        try:
            for i, (method, lock) in enumerate([("lock", "xtwait")]):
                other.sendall(json.dumps({"method": method, "params": [lock],
                                          "id": i}).encode())
                other.recv(4096)
            reply = mgr.request("steal", ["xtsteal"])
            c.eq(reply and reply["result"], {"locked": True},
                 "[%s] the manager steals xtsteal" % peer)
            reply = mgr.request("lock", ["xtwait"])
            c.eq(reply and reply["result"], {"locked": False},
                 "[%s] ... and waits for xtwait" % peer)
            other.sendall(json.dumps({"method": "steal",
                                      "params": ["xtsteal"],
                                      "id": 9}).encode())
            other.recv(4096)
            c.ok(mgr.wait_notification("stolen"),
                 "[%s] ... and is told xtsteal was stolen" % peer)
            row = wait_manager(db, mgr.target, lambda m: m["status"].get(
                "locks_lost") == "xtsteal")
            c.ok(row and row["status"].get("locks_held") == "xtlock"
                 and row["status"].get("locks_waiting") == "xtwait",
                 "[%s] status: locks_held, locks_waiting, locks_lost" % peer,
                 repr(manager(db, mgr.target)))
        finally:
            other.close()

        # The manager hangs up: the server comes back.
        mgr.close()
        c.ok(mgr.accept(), "[%s] after the manager hangs up, the server "
             "reconnects" % peer)
        reply = mgr.request("list_dbs", [])
        c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
             "[%s] ... and serves the new connection" % peer)
        row = wait_manager(db, mgr.target, lambda m: (
            "locks_held" not in m["status"]
            and "sec_since_disconnect" in m["status"]))
        c.ok(row, "[%s] status: the lock went with the old connection; "
             "sec_since_disconnect appears" % peer,
             repr(manager(db, mgr.target)))

        # The manager goes away for good.
        mgr.close()
        mgr.close_listener()
        row = wait_manager(db, mgr.target,
                           lambda m: m["is_connected"] is False)
        c.ok(row and row["status"].get("state") in ("BACKOFF",
                                                    "CONNECTING"),
             "[%s] no manager listening: is_connected false, state BACKOFF"
             % peer, repr(manager(db, mgr.target)))
        db.vsctl("del-manager")


def test_active_unix(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db, \
            Peer(socket.AF_UNIX, os.path.join(db.dir, "xtmgr.sock")) as mgr:
        db.vsctl("init")
        db.vsctl("set-manager", mgr.target)
        c.ok(mgr.accept(), "[%s] unix: manager: the server connects" % peer)
        reply = mgr.request("list_dbs", [])
        c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
             "[%s] ... and answers the manager" % peer)


def test_active_probe(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db, Peer() as mgr:
        db.vsctl("init")
        db.vsctl("set-manager", mgr.target)
        db.vsctl("set", "Manager", mgr.target, "inactivity_probe=1000")
        c.ok(mgr.accept(), "[%s] the server connects" % peer)
        mgr.conn.settimeout(15)
        start = time.time()
        got = b""
        try:
            while True:
                data = mgr.conn.recv(4096)       # Never answered.
                if not data:
                    break
                got += data
        except OSError:
            pass
        c.ok(b'"echo"' in got and time.time() - start < 14,
             "[%s] a manager that does not answer the echo is disconnected "
             "(after %.1f s)" % (peer, time.time() - start), repr(got))
        mgr.close()
        c.ok(mgr.accept(), "[%s] ... and reconnected to" % peer)


if __name__ == "__main__":
    checks = Checks()
    for peer in PEERS:
        checks.run(lambda c: test_active_tcp(c, peer))
        checks.run(lambda c: test_active_unix(c, peer))
        checks.run(lambda c: test_active_probe(c, peer))
    checks.finish()
