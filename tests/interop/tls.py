"""TLS: ovsdb-client and ovs-vsctl (Open vSwitch 3.1) over ssl: against
xsw-dbserver --remote=pssl:PORT:127.0.0.1 with --private-key, --certificate
and --ca-cert.  A client whose certificate another CA signed, a client that
does not trust the server's CA, and a client speaking plain TCP are all
refused, each with one log line, while the server goes on serving.

The certificates are generated with the openssl command when the test runs:
no private key is checked in."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from xswenv import (DbServer, Checks, XSW_DBSERVER, VSWITCH_SCHEMA, run,
                    free_port)

PKI_SCRIPT = """
set -e
ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
       -nodes -days 2 -subj /CN=$1 -keyout $1-key.pem -out $1-cert.pem; }
cert() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
         -nodes -subj /CN=$1 -keyout $1-key.pem -out $1-req.pem
         openssl x509 -req -in $1-req.pem -CA $2-cert.pem -CAkey $2-key.pem \
         -CAcreateserial -days 2 -out $1-cert.pem; }
ca ca; ca otherca
cert server ca; cert client ca; cert rogue otherca
"""


def make_pki():
    d = tempfile.mkdtemp(prefix="xt-tls-")
    subprocess.run(["sh", "-c", PKI_SCRIPT], cwd=d, check=True,
                   capture_output=True)
    return d


def tls_args(pki, name, ca="ca"):
    return ["--private-key=%s/%s-key.pem" % (pki, name),
            "--certificate=%s/%s-cert.pem" % (pki, name),
            "--ca-cert=%s/%s-cert.pem" % (pki, ca)]


def wait_listening(port):
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def tls_failures(db):
    """Log lines about refused TLS connections."""
    try:
        return [line for line in open(db.log).read().splitlines()
                if "TLS handshake failed" in line]
    except OSError:
        return []


def wait_failures(db, n):
    deadline = time.time() + 5
    while time.time() < deadline and len(tls_failures(db)) < n:
        time.sleep(0.05)
    return tls_failures(db)


def main():
    pki = make_pki()
    port = free_port()
    remote = "ssl:127.0.0.1:%d" % port
    checks = Checks()
    try:
        with DbServer(extra_args=["--remote=pssl:%d:127.0.0.1" % port]
                      + tls_args(pki, "server")) as db:
            checks.ok(wait_listening(port), "xsw-dbserver listens on pssl:")

            def client(name, *args, ca="ca"):
                p = subprocess.run(["ovsdb-client", "--timeout=10"]
                                   + tls_args(pki, name, ca) + list(args),
                                   capture_output=True, text=True,
                                   timeout=30)
                return p.returncode, p.stdout, p.stderr

            def good_client(c):
                rc, out, err = client("client", "list-dbs", remote)
                c.eq((rc, out.split()), (0, ["Open_vSwitch", "_Server"]),
                     "ovsdb-client list-dbs over ssl:")

            def vsctl(c):
                out, err = run(["ovs-vsctl", "--db=" + remote,
                                "--timeout=20", "--no-wait"]
                               + tls_args(pki, "client") + ["add-br", "br0"])
                c.eq(err, "", "ovs-vsctl add-br over ssl: prints nothing")
                out, err = run(["ovs-vsctl", "--db=" + remote,
                                "--timeout=20"] + tls_args(pki, "client")
                               + ["list-br"])
                c.eq(out.split(), ["br0"], "ovs-vsctl list-br over ssl:")
                # The same database, seen through the Unix socket.
                c.eq(db.vsctl("list-br").split(), ["br0"],
                     "the bridge is in the database")

            def rogue_client(c):
                before = len(tls_failures(db))
                rc, out, err = client("rogue", "list-dbs", remote)
                c.ok(rc != 0, "a client certificate from another CA is "
                     "refused", "rc=%d out=%r" % (rc, out))
                c.ok("Open_vSwitch" not in out, "it learns nothing")
                lines = wait_failures(db, before + 1)
                time.sleep(0.3)       # Would a second line follow?
                lines = tls_failures(db)
                c.eq(len(lines) - before, 1, "the server logs one line")
                c.ok(lines and "certificate verify failed" in lines[-1]
                     and "127.0.0.1" in lines[-1],
                     "the line names the peer and OpenSSL's reason",
                     lines[-1] if lines else "")
                c.ok(db.alive(), "the server is still up")

            def distrusting_client(c):
                before = len(tls_failures(db))
                rc, out, err = client("client", "list-dbs", remote,
                                      ca="otherca")
                c.ok(rc != 0, "a client that does not trust the server's CA "
                     "fails", "rc=%d out=%r" % (rc, out))
                wait_failures(db, before + 1)

            def plain_client(c):
                before = len(tls_failures(db))
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b'{"method":"list_dbs","params":[],"id":1}')
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                s.close()
                c.ok(b"Open_vSwitch" not in data,
                     "plain TCP on pssl: gets no answer", repr(data))
                lines = wait_failures(db, before + 1)
                c.eq(len(lines) - before, 1,
                     "plain TCP on pssl: is logged once")

            checks.run(good_client)
            checks.run(vsctl)
            checks.run(rogue_client)
            checks.run(distrusting_client)
            checks.run(plain_client)
            # After all those refusals, service as usual.
            checks.run(good_client)

        def missing_keys(c):
            d = tempfile.mkdtemp(prefix="xt-tls-db-")
            try:
                dbfile = os.path.join(d, "conf.db")
                run([XSW_DBSERVER, "--create", VSWITCH_SCHEMA, dbfile])
                p = subprocess.run(
                    [XSW_DBSERVER, "--remote=pssl:%d:127.0.0.1" % port,
                     "--unixctl=" + os.path.join(d, "ctl"),
                     "-vconsole:off", dbfile],
                    env=dict(os.environ, XSW_RUNDIR=d),
                    capture_output=True, text=True, timeout=10)
                c.ok(p.returncode != 0 and "--private-key" in p.stderr,
                     "pssl: without keys is refused at start",
                     "rc=%d stderr=%r" % (p.returncode, p.stderr))
            finally:
                shutil.rmtree(d, ignore_errors=True)

        checks.run(missing_keys)
    finally:
        shutil.rmtree(pki, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    main()
