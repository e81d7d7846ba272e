"""xsw-dbserver on an etcd that serves only https:// and requires client
certificates (etcd's --client-cert-auth), with a CA and certificates made
by the `openssl` command in the test's directory (docs/storage-etcd.md,
"TLS").

A front end given etcd's CA and a client certificate that CA signed
(--etcd-ca-cert, --etcd-certificate, --etcd-private-key) creates the
database, serves it, and a second front end sees a change through its
watch (the watch thread's connection has the same TLS settings).  Every
other combination must stop the server at start with an error that names
the problem, never fall back to plain HTTP and never skip verifying
etcd's certificate: no client certificate, a client certificate of
another CA, a CA that did not sign etcd's certificate, an https:// URL
without a CA, TLS files beside an http:// URL, a certificate without its
key, an unreadable file."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from xswenv import (Checks, Etcd, EtcdFrontEnd, XSW_DBSERVER,  # noqa: E402
                    VSWITCH_SCHEMA, run, stop_etcd_test)


def openssl(*args, dir):
    run(["openssl"] + list(args), timeout=60, env=dict(os.environ,
                                                       RANDFILE=""))


def make_ca(dir, name):
    key = os.path.join(dir, name + "-key.pem")
    cert = os.path.join(dir, name + ".pem")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=" + name, "-keyout", key, "-out", cert, dir=dir)
    return cert, key


def make_cert(dir, name, ca, san=None):
    """A key and a certificate for 'name' signed by 'ca' (cert, key)."""
    key = os.path.join(dir, name + "-key.pem")
    csr = os.path.join(dir, name + ".csr")
    cert = os.path.join(dir, name + ".pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
            "-keyout", key, "-out", csr, dir=dir)
    ext = os.path.join(dir, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\n")
        f.write("extendedKeyUsage=serverAuth,clientAuth\n")
        if san:
            f.write("subjectAltName=%s\n" % san)
    openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
            "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert,
            dir=dir)
    return cert, key


class TlsEtcd(Etcd):
    """One etcd member serving clients only on https://, requiring client
    certificates signed by 'ca'."""

    def __init__(self, dir, ca, server):
        super().__init__(dir, "xt-etcd-tls")
        self.url = "https://127.0.0.1:%d" % self.port
        self.args = ["--cert-file", server[0], "--key-file", server[1],
                     "--client-cert-auth", "--trusted-ca-file", ca]


def server(args):
    """Runs xsw-dbserver until it exits, or for 15 s (then it started:
    subprocess.run() kills it)."""
    try:
        p = subprocess.run([XSW_DBSERVER] + args, capture_output=True,
                           text=True, timeout=15)
    except subprocess.TimeoutExpired:
        return None, "(it started and served)"
    return p.returncode, p.stderr


def main():
    checks = Checks()
    dir = tempfile.mkdtemp(prefix="xt-etcd-tls-")
    etcd = None
    fes = []
    try:
        ca = make_ca(dir, "xt-ca")
        other_ca = make_ca(dir, "xt-other-ca")
        etcd_cert = make_cert(dir, "xt-etcd", ca, "IP:127.0.0.1")
        client = make_cert(dir, "xt-client", ca)
        stranger = make_cert(dir, "xt-stranger", other_ca)
        etcd = TlsEtcd(dir, ca[0], etcd_cert).start()
        storage = "--storage=etcd:" + etcd.url
        good = ["--etcd-ca-cert=" + ca[0], "--etcd-certificate=" + client[0],
                "--etcd-private-key=" + client[1]]

        rc, err = server([storage, "--create", VSWITCH_SCHEMA] + good)
        # On etcd, --create also warns that the schema's ephemeral columns
        # are stored persistent, as in a RAFT cluster (tests/server/etcd.py
        # checks that warning): nothing else may be said.
        err = "".join(line for line in err.splitlines(True)
                      if "from ephemeral to persistent" not in line)
        checks.eq((rc, err), (0, ""), "--create over https:// with a client "
                  "certificate")

        a = EtcdFrontEnd(etcd.url, dir, "a", good)
        b = EtcdFrontEnd(etcd.url, dir, "b", good)
        fes += [a, b]
        a.start()
        b.start()
        a.vsctl("add-br", "xtbr0", "--", "add-port", "xtbr0", "xtp0")
        deadline = time.time() + 20
        while b.ports() != {"xtbr0", "xtp0"} and time.time() < deadline:
            time.sleep(0.1)
        checks.eq(b.ports(), {"xtbr0", "xtp0"}, "a second front end sees "
                  "the change through its watch over https://")

        def refused(args, want, what):
            start = time.time()
            rc, err = server([storage, "Open_vSwitch",
                              "--remote=punix:" + os.path.join(dir, "x.s")]
                             + args)
            print("     (%.1f s) %s" % (time.time() - start, err.strip()))
            checks.ok(rc and all(w in err for w in want)
                      and time.time() - start < 3,
                      "%s: the server refuses to start at once, saying so"
                      % what,
                      "exit %s: %s" % (rc, err.strip()))

        refused(["--etcd-ca-cert=" + ca[0]],
                ["refused this server's TLS client certificate", "none"],
                "no client certificate")
        refused(["--etcd-ca-cert=" + ca[0],
                 "--etcd-certificate=" + stranger[0],
                 "--etcd-private-key=" + stranger[1]],
                ["refused this server's TLS client certificate",
                 "xt-stranger.pem"], "a client certificate of another CA")
        refused(["--etcd-ca-cert=" + other_ca[0],
                 "--etcd-certificate=" + client[0],
                 "--etcd-private-key=" + client[1]],
                ["does not verify against --etcd-ca-cert", etcd.url],
                "a CA that did not sign etcd's "
                "certificate")
        refused([], ["is https://", "--etcd-ca-cert"],
                "an https:// URL without --etcd-ca-cert")
        refused(["--etcd-ca-cert=" + ca[0],
                 "--etcd-certificate=" + client[0]],
                ["--etcd-private-key"], "a certificate without its key")
        refused(["--etcd-ca-cert=" + os.path.join(dir, "xt-missing.pem")],
                ["--etcd-ca-cert", "xt-missing.pem", "No such file"],
                "a CA file that does not exist")
        rc, err = server(["--storage=etcd:http://127.0.0.1:%d,%s"
                          % (etcd.port, etcd.url), "Open_vSwitch"] + good)
        checks.ok(rc and "is http://" in err,
                  "an http:// URL beside TLS files is refused (no fall back "
                  "to plain text)", err.strip())
        rc, err = server(["Open_vSwitch.db", "--etcd-ca-cert=" + ca[0]])
        checks.ok(rc and "--storage=etcd" in err,
                  "--etcd-ca-cert without --storage=etcd is refused",
                  err.strip())
        checks.eq(a.ports(), {"xtbr0", "xtp0"},
                  "the first front end still serves")
    finally:
        stop_etcd_test(fes, etcd, dir)
    checks.finish()


if __name__ == "__main__":
    main()
