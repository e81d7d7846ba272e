#!/usr/bin/python3
"""tls: xsw-ctl on an ssl: database, with -p/-c/-C (--private-key,
--certificate, --ca-cert) as ovs-vsctl takes them, against both servers.

A throw-away PKI (a CA, a server and a client certificate, and a second CA
that signed nothing of the server's) is made with the openssl command.
Open vSwitch's ovsdb-server and xsw-dbserver each listen on pssl: on a free
loopback port; on each, xsw-ctl changes the database over TLS and ovs-vsctl
reads the change back over TLS (and the other way round), and xsw-ctl must
refuse, saying why, a server whose certificate its CA did not sign, and an
ssl: remote without keys.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")


def make_pki(d):
    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=d, check=True,
                       capture_output=True, timeout=60)

    for ca in ("ca", "otherca"):
        run("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
            "/CN=xt-" + ca, "-keyout", ca + "-key.pem", "-out",
            ca + "-cert.pem")
    for name in ("server", "client"):
        run("req", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
            "/CN=xt-" + name, "-keyout", name + "-key.pem", "-out",
            name + "-req.pem")
        run("x509", "-req", "-in", name + "-req.pem", "-CA", "ca-cert.pem",
            "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2", "-out",
            name + "-cert.pem")
    return {n: os.path.join(d, n) for n in os.listdir(d)}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TlsServer(xswenv.DbServer):
    """A server that also listens on pssl:PORT:127.0.0.1."""

    def __init__(self, peer, pki):
        self.port = free_port()
        super().__init__(peer=peer, extra_args=[
            "--remote=pssl:%d:127.0.0.1" % self.port,
            "--private-key=" + pki["server-key.pem"],
            "--certificate=" + pki["server-cert.pem"],
            "--ca-cert=" + pki["ca-cert.pem"]])
        self.ssl = "ssl:127.0.0.1:%d" % self.port

    def wait_tls(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise xswenv.Failure("nothing listens on %s" % self.ssl)


def tool(prog, remote, pki, *args, key="client", ca="ca"):
    argv = [XSW_CTL if prog == "xsw-ctl" else "ovs-vsctl",
            "--db=" + remote, "--no-wait", "--timeout=20"]
    if key:
        argv += ["-p", pki[key + "-key.pem"], "-c", pki[key + "-cert.pem"],
                 "-C", pki[ca + "-cert.pem"]]
    p = subprocess.run(argv + list(args), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    if not shutil.which("openssl"):
        print("SKIP: no openssl command to make certificates")
        sys.exit(77)
    checks = xswenv.Checks()
    pkidir = tempfile.mkdtemp(prefix="xt-ctl-tls-")
    try:
        pki = make_pki(pkidir)
        for peer in ("ovs", "xsw"):
            name = "ovsdb-server" if peer == "ovs" else "xsw-dbserver"
            with TlsServer(peer, pki) as db:
                db.wait_tls()
                checks.eq(tool("xsw-ctl", db.ssl, pki, "add-br", "br0", "--",
                               "set-manager", "ptcp:6640", "--",
                               "set-fail-mode", "br0", "secure"),
                          (0, "", ""), "%s: xsw-ctl writes over TLS" % name)
                checks.eq(tool("ovs-vsctl", db.ssl, pki, "get-manager", "--",
                               "get-fail-mode", "br0"),
                          (0, "ptcp:6640\nsecure\n", ""),
                          "%s: ovs-vsctl reads it back over TLS" % name)
                tool("ovs-vsctl", db.ssl, pki, "set-controller", "br0",
                     "tcp:10.0.0.1:6653")
                checks.eq(tool("xsw-ctl", db.ssl, pki, "get-controller",
                               "br0", "--", "list-br"),
                          (0, "tcp:10.0.0.1:6653\nbr0\n", ""),
                          "%s: xsw-ctl reads over TLS" % name)

                status, out, err = tool("xsw-ctl", db.ssl, pki, "list-br",
                                        ca="otherca")
                checks.ok(status == 1 and not out
                          and "certificate verify failed" in err,
                          "%s: xsw-ctl refuses a server its CA did not "
                          "sign" % name, err)
                status, out, err = tool("xsw-ctl", db.ssl, pki, "list-br",
                                        key=None)
                checks.ok(status == 1 and not out and "--private-key" in err,
                          "%s: an ssl: remote without keys is refused, "
                          "naming the options" % name, err)
    finally:
        shutil.rmtree(pkidir, ignore_errors=True)
    status, out, err = tool("xsw-ctl", "unix:/nonexistent", {
        "client-key.pem": "/nonexistent/key.pem",
        "client-cert.pem": "/nonexistent/cert.pem",
        "ca-cert.pem": "/nonexistent/ca.pem"}, "list-br")
    checks.ok(status == 1 and "/nonexistent/" in err and "cannot" in err,
              "a TLS file that cannot be read is an error naming it", err)
    status, out, err = subprocess.run(
        [XSW_CTL, "-p", "/x/key.pem", "list-br"], capture_output=True,
        text=True, timeout=60).returncode, "", ""
    checks.ok(status == 1, "a private key without a certificate and CA is "
              "an error")
    checks.finish()


if __name__ == "__main__":
    main()
