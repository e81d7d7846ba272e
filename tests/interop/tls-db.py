"""TLS files from the database, as ovs-ctl starts ovsdb-server:
--private-key=db:Open_vSwitch,SSL,private_key, --certificate=db:...,
--ca-cert=db:...  and --remote=db:Open_vSwitch,Open_vSwitch,manager_options.
Driven by Open vSwitch 3.1's ovs-vsctl (set-ssl, set-manager) and
ovsdb-client, against xsw-dbserver and, in the same run, ovsdb-server:

- set-ssl, then a pssl: manager: ovsdb-client and ovs-vsctl reach the
  server over ssl: with a certificate the CA signed; a pssl:0 manager's
  port shows in status:bound_port;
- an ssl: (active) manager: the server connects out over TLS, with the
  same files, to a test peer that requires a client certificate;
- xsw only: a pssl: manager set before any SSL row says why it does not
  listen yet (status:last_error), and listens once set-ssl is done.

The certificates are generated when the test runs (tls.py's make_pki)."""
import shutil
import ssl
import subprocess

from xswenv import DbServer, Checks, free_port, wait_until
from managerlib import Peer, manager, wait_manager
from tls import make_pki, tls_args

MANAGERS = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"
DB_TLS = ["--private-key=db:Open_vSwitch,SSL,private_key",
          "--certificate=db:Open_vSwitch,SSL,certificate",
          "--ca-cert=db:Open_vSwitch,SSL,ca_cert"]
PEERS = ("xsw", "ovs")


def client(pki, *args):
    p = subprocess.run(["ovsdb-client", "--timeout=5"]
                       + tls_args(pki, "client") + list(args),
                       capture_output=True, text=True, timeout=30)
    return p.stdout if p.returncode == 0 else None


def set_ssl(db, pki):
    db.vsctl("set-ssl", "%s/server-key.pem" % pki,
             "%s/server-cert.pem" % pki, "%s/ca-cert.pem" % pki)


def test_passive(c, peer, pki):
    with DbServer(peer=peer, extra_args=[MANAGERS] + DB_TLS) as db:
        db.vsctl("init")
        set_ssl(db, pki)
        port = free_port()
        db.vsctl("set-manager", "pssl:%d:127.0.0.1" % port)
        remote = "ssl:127.0.0.1:%d" % port
        out = wait_until(lambda: client(pki, "list-dbs", remote), timeout=20)
        c.eq(out, "Open_vSwitch\n_Server\n", "[%s] set-ssl, pssl: manager: "
             "ovsdb-client list-dbs over ssl:" % peer)
        p = subprocess.run(["ovs-vsctl", "--db=" + remote, "--timeout=20",
                            "--no-wait"] + tls_args(pki, "client")
                           + ["add-br", "xtbr0"],
                           capture_output=True, text=True, timeout=30)
        c.ok(p.returncode == 0 and db.vsctl("list-br") == "xtbr0\n",
             "[%s] ovs-vsctl add-br over ssl:" % peer, p.stderr)

        # pssl:0: the port bound shows in status:bound_port.
        db.vsctl("set-manager", "pssl:0:127.0.0.1")
        bound = wait_manager(db, "pssl:0:127.0.0.1",
                             lambda m: m["status"].get("bound_port"))
        bound = bound and bound["status"]["bound_port"]
        c.eq(bound and client(pki, "list-dbs", "ssl:127.0.0.1:%s" % bound),
             "Open_vSwitch\n_Server\n", "[%s] pssl:0: status:bound_port "
             "gives the port, and clients reach it" % peer)


def test_active(c, peer, pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain("%s/client-cert.pem" % pki,
                        "%s/client-key.pem" % pki)
    ctx.load_verify_locations("%s/ca-cert.pem" % pki)
    ctx.verify_mode = ssl.CERT_REQUIRED
    with DbServer(peer=peer, extra_args=[MANAGERS] + DB_TLS) as db, \
            Peer() as mgr:
        db.vsctl("init")
        set_ssl(db, pki)
        db.vsctl("set-manager", mgr.target.replace("tcp:", "ssl:"))
        ok = mgr.accept()
        if ok:
            mgr.conn.settimeout(20)
            mgr.conn = ctx.wrap_socket(mgr.conn, server_side=True)
            mgr.conn.settimeout(None)
        c.ok(ok, "[%s] ssl: manager: the server connects over TLS, with a "
             "certificate the manager's CA signed" % peer)
        reply = ok and mgr.request("list_dbs", [])
        c.eq(reply and reply["result"], ["Open_vSwitch", "_Server"],
             "[%s] ... and serves the manager" % peer)


def test_ssl_later(c, pki):
    with DbServer(extra_args=[MANAGERS] + DB_TLS) as db:
        db.vsctl("init")
        port = free_port()
        target = "pssl:%d:127.0.0.1" % port
        db.vsctl("set-manager", target)
        row = wait_manager(db, target, lambda m: "last_error" in m["status"])
        c.ok(row and "--private-key" in row["status"]["last_error"],
             "[xsw] pssl: manager without an SSL row: status:last_error "
             "says what is missing", repr(manager(db, target)))
        set_ssl(db, pki)
        out = wait_until(lambda: client(pki, "list-dbs",
                                        "ssl:127.0.0.1:%d" % port),
                         timeout=20)
        c.eq(out, "Open_vSwitch\n_Server\n",
             "[xsw] ... and listens once set-ssl is done")


if __name__ == "__main__":
    checks = Checks()
    pki = make_pki()
    try:
        for peer in PEERS:
            checks.run(lambda c: test_passive(c, peer, pki))
            checks.run(lambda c: test_active(c, peer, pki))
        checks.run(lambda c: test_ssl_later(c, pki))
    finally:
        shutil.rmtree(pki, ignore_errors=True)
    checks.finish()
