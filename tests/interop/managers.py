"""Managers, as ovs-ctl, OpenStack and operators use them, driven by Open
vSwitch 3.1's own ovs-vsctl and ovsdb-client against xsw-dbserver and, in
the same run, against ovsdb-server, both started with
--remote=db:Open_vSwitch,Open_vSwitch,manager_options:

- set-manager ptcp:PORT:127.0.0.1 makes ovsdb-client list-dbs answer on
  that port, del-manager closes it;
- the Manager row's status and is_connected are written back (bound_port,
  n_connections) and follow the connections;
- a ptcp:0 manager binds some port, logs it ("listening on port N") and
  shows it in status:bound_port;
- inactivity_probe: a silent client gets an "echo" after that long and is
  disconnected if it does not answer; 0 disables the probe;
- other_config:dscp marks the connections (48 by default), as ss shows;
- xsw-dbserver started with no --remote at all serves the Manager rows too;
- any db: column: OVN's SB_Global.connections (ovn-sbctl set-connection
  read-only), and a role, which xsw cannot enforce, refused.

Ports: free ones found by binding port 0 first, never fixed ones."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from xswenv import (DbServer, Checks, XSW_DBSERVER, run, free_port,
                    wait_until)
from managerlib import manager, wait_manager

MANAGERS = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"
PEERS = ("xsw", "ovs")


def list_dbs(port):
    """ovsdb-client list-dbs on tcp:127.0.0.1:PORT; its output, or None if
    it fails."""
    p = subprocess.run(["ovsdb-client", "--timeout=5", "list-dbs",
                        "tcp:127.0.0.1:%d" % port],
                       capture_output=True, text=True, timeout=20)
    return p.stdout if p.returncode == 0 else None


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


def test_life_cycle(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        port = free_port()
        target = "ptcp:%d:127.0.0.1" % port
        c.ok(refused(port), "[%s] nothing listens on the port at first"
             % peer)

        start = time.time()
        db.vsctl("set-manager", target)
        out = wait_until(lambda: list_dbs(port), timeout=20)
        elapsed = time.time() - start
        c.eq(out, "Open_vSwitch\n_Server\n",
             "[%s] set-manager %s: ovsdb-client list-dbs answers there "
             "(%.0f ms after ovs-vsctl started)" % (peer, target,
                                                   elapsed * 1000))
        c.eq(db.vsctl("get-manager"), target + "\n",
             "[%s] get-manager" % peer)

        st = wait_until(lambda: manager(db, target)["status"].get(
            "bound_port"), timeout=15)
        c.eq(st, str(port), "[%s] status:bound_port is written back" % peer)

        s1 = socket.create_connection(("127.0.0.1", port))
        s2 = socket.create_connection(("127.0.0.1", port))
        try:
            row = wait_manager(db, target, lambda m: m["status"].get(
                "n_connections") == "2")
            c.ok(row and row["is_connected"] is True,
                 "[%s] two clients: is_connected, status:n_connections=2"
                 % peer, repr(manager(db, target)))
        finally:
            s1.close()
            s2.close()
        row = wait_manager(db, target, lambda m: m["is_connected"] is False)
        c.ok(row and "n_connections" not in row["status"],
             "[%s] clients gone: is_connected false again" % peer,
             repr(manager(db, target)))

        db.vsctl("del-manager")
        c.ok(wait_until(lambda: refused(port), timeout=10),
             "[%s] del-manager closes the listener" % peer)
        c.eq(db.vsctl("get-manager"), "", "[%s] no manager left" % peer)


def test_port_zero(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        target = "ptcp:0:127.0.0.1"
        db.vsctl("set-manager", target)
        port = wait_until(lambda: manager(db, target)["status"].get(
            "bound_port"), timeout=15)
        c.ok(port and int(port) > 0,
             "[%s] ptcp:0: status:bound_port says the port bound" % peer,
             repr(manager(db, target)))
        if not port:
            return
        c.eq(list_dbs(int(port)), "Open_vSwitch\n_Server\n",
             "[%s] ovsdb-client list-dbs answers on that port" % peer)
        log = open(db.log).read()
        c.ok(re.search(r"0:127\.0\.0\.1: listening on port %s$" % port, log,
                       re.M),
             "[%s] the log says \"listening on port %s\"" % (peer, port),
             log[-2000:])


def test_inactivity_probe(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        port = free_port()
        target = "ptcp:%d:127.0.0.1" % port
        db.vsctl("set-manager", target)
        db.vsctl("set", "Manager", target, "inactivity_probe=1000")
        c.ok(wait_until(lambda: list_dbs(port), timeout=20),
             "[%s] manager with inactivity_probe=1000 listens" % peer)

        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(10)
        try:
            start = time.time()
            data = b""
            while b"echo" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            msg = json.loads(data.decode())
            c.ok(msg.get("method") == "echo" and msg.get("id") is not None,
                 "[%s] a silent client is sent an echo request (after %.1f s)"
                 % (peer, time.time() - start), repr(data))
            # Say nothing: the server gives up after another interval.
            try:
                rest = s.recv(4096)
            except OSError:
                rest = b""
            c.eq(rest, b"", "[%s] ... and disconnected when it does not "
                 "answer (after %.1f s)" % (peer, time.time() - start))
        finally:
            s.close()

        # An answering client stays.
        db.vsctl("set", "Manager", target, "inactivity_probe=1000")
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(10)
        try:
            start = time.time()
            n_echoes = 0
            while time.time() - start < 3.5:
                data = s.recv(4096)
                if not data:
                    break
                for line in data.decode().replace("}{", "}\n{").split("\n"):
                    msg = json.loads(line)
                    if msg.get("method") == "echo":
                        n_echoes += 1
                        s.sendall(json.dumps(
                            {"result": msg["params"], "error": None,
                             "id": msg["id"]}).encode())
            c.ok(n_echoes >= 1 and data,
                 "[%s] a client that answers the echoes stays connected"
                 % peer, "echoes=%d" % n_echoes)
        finally:
            s.close()

        db.vsctl("set", "Manager", target, "inactivity_probe=0")
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(3)
        try:
            try:
                data = s.recv(4096)
            except socket.timeout:
                data = None
            c.eq(data, None, "[%s] inactivity_probe=0: no probe, no "
                 "disconnection in 3 s" % peer)
        finally:
            s.close()


def server_tos(port):
    """The TOS byte of the server's end of a fresh connection to 'port',
    as ss(8) shows it, e.g. "0xc0".  Only that connection: the server's
    ends of earlier ones may still be open (CLOSE-WAIT until a busy server
    reads their EOF) with an older TOS, in an order ss does not define."""
    s = socket.create_connection(("127.0.0.1", port))
    try:
        client_port = s.getsockname()[1]

        def tos():
            out = subprocess.run(
                ["ss", "-tnH", "--tos", "state", "established",
                 "( sport = :%d and dport = :%d )" % (port, client_port)],
                capture_output=True, text=True).stdout
            m = re.search(r"tos:(0x[0-9a-f]+)", out)
            return m and m.group(1)
        return wait_until(tos, timeout=10)
    finally:
        s.close()


def test_dscp(c, peer):
    with DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        db.vsctl("init")
        port = free_port()
        target = "ptcp:%d:127.0.0.1" % port
        db.vsctl("set-manager", target)
        wait_until(lambda: list_dbs(port), timeout=20)
        c.eq(server_tos(port), "0xc0", "[%s] a manager's connections are "
             "marked DSCP 48 by default" % peer)
        db.vsctl("set", "Manager", target, "other_config:dscp=10")
        seen = []

        def marked():
            seen.append(server_tos(port))
            return seen[-1] == "0x28"
        wait_until(marked, timeout=20)
        c.eq(seen[-1], "0x28",
             "[%s] other_config:dscp=10 marks them DSCP 10 (TOS of %d "
             "connections: %s)" % (peer, len(seen), sorted(set(map(str, seen)))))


def test_ovn_connections(c, peer):
    """Any db: column: OVN's Southbound SB_Global.connections, with
    ovn-sbctl set-connection, read-only."""
    sb_schema = "/usr/share/ovn/ovn-sb.ovsschema"
    with DbServer(peer=peer, schema=sb_schema, extra_args=[
            "--remote=db:OVN_Southbound,SB_Global,connections"]) as db:
        sbctl = ["ovn-sbctl", "--db=" + db.remote, "--timeout=20"]
        run(sbctl + ["init"])
        port = free_port()
        run(sbctl + ["set-connection", "read-only",
                     "ptcp:%d:127.0.0.1" % port])
        c.eq(wait_until(lambda: list_dbs(port), timeout=20),
             "OVN_Southbound\n_Server\n",
             "[%s] ovn-sbctl set-connection: listening" % peer)
        p = subprocess.run(
            ["ovsdb-client", "--timeout=10", "transact",
             "tcp:127.0.0.1:%d" % port, json.dumps(
                 ["OVN_Southbound", {"op": "update", "table": "SB_Global",
                                     "where": [], "row": {"options": [
                                         "map", [["xt", "1"]]]}}])],
            capture_output=True, text=True, timeout=30)
        c.ok('"not allowed"' in p.stdout,
             "[%s] ... read-only: a write is \"not allowed\"" % peer,
             p.stdout + p.stderr)
        if peer == "xsw":
            port2 = free_port()
            target = "ptcp:%d:127.0.0.1" % port2
            run(sbctl + ["--", "--id=@c", "create", "Connection",
                         'target="%s"' % target, "role=ovn-controller",
                         "--", "add", "SB_Global", ".", "connections",
                         "@c"])
            status = wait_until(lambda: (lambda out: out if "last_error"
                                         in out else None)(run(
                                             sbctl + ["get", "Connection",
                                                      target, "status"])[0]),
                                timeout=15)
            c.ok(status and "role-based access control" in status
                 and refused(port2),
                 "[xsw] a role (RBAC) is refused, and status says why",
                 repr(status))


def test_no_remote_option(c):
    """xsw-dbserver with no --remote: punix:<rundir>/db.sock and the
    Manager rows of the default database, as ovs-ctl starts
    ovsdb-server."""
    d = tempfile.mkdtemp(prefix="xt-mgr-")
    proc = None
    try:
        env = dict(os.environ, XSW_RUNDIR=d, XSW_DBDIR=d)
        proc = subprocess.Popen(
            [XSW_DBSERVER, "--unixctl=" + os.path.join(d, "ctl"),
             "--log-file=" + os.path.join(d, "log"), "-vconsole:off"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sock = os.path.join(d, "db.sock")
        db = "--db=unix:" + sock
        c.ok(wait_until(lambda: os.path.exists(sock)
                        and run(["ovs-vsctl", db, "--no-wait", "init"],
                                check=False), timeout=20),
             "[xsw] no --remote: serves punix:<rundir>/db.sock")
        port = free_port()
        run(["ovs-vsctl", db, "--no-wait", "set-manager",
             "ptcp:%d:127.0.0.1" % port])
        c.eq(wait_until(lambda: list_dbs(port), timeout=20),
             "Open_vSwitch\n_Server\n",
             "[xsw] no --remote: a Manager row opens its listener")
        out, _ = run(["ovs-appctl", "-t", os.path.join(d, "ctl"),
                      "ovsdb-server/list-remotes"])
        c.eq(out, "db:Open_vSwitch,Open_vSwitch,manager_options\n"
             "punix:%s\n" % sock, "[xsw] list-remotes shows both defaults")
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def test_read_only_managers(c):
    """--read-only-remote=db:...: every manager the column lists is
    read-only (an xsw option; ovsdb-server has none)."""
    with DbServer(extra_args=["--read-only-remote=db:Open_vSwitch,"
                              "Open_vSwitch,manager_options"]) as db:
        db.vsctl("init")
        port = free_port()
        db.vsctl("set-manager", "ptcp:%d:127.0.0.1" % port)
        c.ok(wait_until(lambda: list_dbs(port), timeout=20),
             "[xsw] --read-only-remote=db:...: the manager listens")
        out = db.client("transact", "tcp:127.0.0.1:%d" % port, json.dumps(
            ["Open_vSwitch", {"op": "mutate", "table": "Open_vSwitch",
                              "where": [], "mutations": [
                                  ["next_cfg", "+=", 1]]}]))
        c.ok('"not allowed"' in out, "[xsw] ... and its clients may not "
             "write", out)


def test_list_remotes_port_zero(c):
    """A command-line ptcp:0 remote: the log and list-remotes give the
    port (ovsdb-server logs it too, but lists only the name)."""
    with DbServer(extra_args=["--remote=ptcp:0:127.0.0.1"]) as db:
        out = db.appctl("ovsdb-server/list-remotes")
        m = re.search(r"^ptcp:0:127\.0\.0\.1 \(port (\d+)\)$", out, re.M)
        c.ok(m, "[xsw] list-remotes shows the port ptcp:0 bound", out)
        if m:
            c.eq(list_dbs(int(m.group(1))), "Open_vSwitch\n_Server\n",
                 "[xsw] ... and clients reach the server there")
            c.ok(re.search(r"listening on port %s$" % m.group(1),
                           open(db.log).read(), re.M),
                 "[xsw] the log says \"listening on port %s\"" % m.group(1))


if __name__ == "__main__":
    checks = Checks()
    for peer in PEERS:
        checks.run(lambda c: test_life_cycle(c, peer))
        checks.run(lambda c: test_port_zero(c, peer))
        checks.run(lambda c: test_inactivity_probe(c, peer))
        checks.run(lambda c: test_ovn_connections(c, peer))
        checks.run(lambda c: test_dscp(c, peer))
    checks.run(test_no_remote_option)
    checks.run(test_list_remotes_port_zero)
    checks.run(test_read_only_managers)
    checks.finish()
