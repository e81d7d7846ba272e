#!/usr/bin/python3
"""lazy-libs: xsw-ctl maps OpenSSL only for an ssl: database, and
libsystemd never; xsw-dbserver maps libcurl only on etcd.

Loading libssl and libcrypto costs every process about a millisecond
(lib/openssl-dl.h), libsystemd and its libraries about half of that
(lib/daemon.c), so xsw-ctl loads OpenSSL only when it has a TLS remote,
and libsystemd is only for a daemon to notify systemd.  On xsw-dbserver
listening on unix:, tcp: and ssl: (certificates from tls.py's make_pki):

- a whole `get` run under LD_DEBUG=files loads none of libssl, libcrypto
  and libsystemd on unix: or tcp:, and loads the first two on ssl:;
- a `wait-until` blocked on its condition, once its monitor is set up, has
  none of them in /proc/PID/maps on tcp:, and the first two on ssl:;
- with libssl made unloadable (/dev/null mounted over it, in a private
  mount namespace), xsw-ctl still works on unix: and tcp:, and on ssl:
  exits 1 with an error naming the library instead of crashing; so does
  xsw-dbserver with a pssl: remote, or importing an Open vSwitch database
  file (whose records' SHA-1s it checks with OpenSSL).

libcurl brings 30 libraries of its own and only the etcd backend uses it
(dbserver/curl-dl.h), so:

- xsw-dbserver on its SQLite file has no libcurl in /proc/PID/maps, and
  one on --storage=etcd (an etcd of its own) has it;
- with libcurl made unloadable, --storage=etcd exits 1 with an error
  naming it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import tls  # tests/ctl/tls.py
from tls import XSW_CTL, xswenv

LAZY_RE = re.compile(r"\blib(ssl|crypto|systemd|curl)\.so")
GET = ["get", "Open_vSwitch", ".", "external_ids:xt-lazy"]


def ctl_argv(remote, pki):
    argv = [XSW_CTL, "--db=" + remote, "--timeout=20"]
    if remote.startswith("ssl:"):
        argv += ["-p", pki["client-key.pem"], "-c", pki["client-cert.pem"],
                 "-C", pki["ca-cert.pem"]]
    return argv


def loaded_by_get(remote, pki):
    """Runs a whole `get` with LD_DEBUG=files; returns (exit status,
    stdout, the lazily loaded libraries the dynamic loader opened)."""
    p = subprocess.run(ctl_argv(remote, pki) + ["--no-wait"] + GET,
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, LD_DEBUG="files"))
    libs = sorted(set(m.group(0) for m in LAZY_RE.finditer(
        "\n".join(line for line in p.stderr.splitlines()
                  if "file=" in line))))
    return p.returncode, p.stdout, libs


def mapped_while_waiting(db, remote, pki, checks, what):
    """Starts a wait-until on 'remote', and once its monitor is set up
    returns the lazily loaded libraries in its /proc/PID/maps (and their
    paths),
    then lets it finish."""
    log = os.path.join(db.dir, "wait-until.log")
    with open(log, "w") as err:
        proc = subprocess.Popen(ctl_argv(remote, pki) + [
            "-vidl:dbg", "wait-until", "Open_vSwitch", ".",
            "external_ids:xt-lazy=" + what], stderr=err)
    try:
        ready = xswenv.wait_until(
            lambda: "found=" in open(log).read() or proc.poll() is not None)
        maps = open("/proc/%d/maps" % proc.pid).read() if ready else ""
        checks.ok(ready and proc.poll() is None,
                  "%s: wait-until is waiting" % what, open(log).read()[-500:])
        db.vsctl("set", "Open_vSwitch", ".", "external_ids:xt-lazy=" + what)
        checks.eq(proc.wait(timeout=30), 0,
                  "%s: wait-until returns once the condition holds" % what)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return lazy_in_maps(maps)


def lazy_in_maps(maps):
    """The lazily loaded libraries in 'maps' (a /proc/PID/maps), and their
    paths."""
    paths = set(line.split()[-1] for line in maps.splitlines()
                if LAZY_RE.search(line))
    return sorted(set(LAZY_RE.search(p).group(0) for p in paths)), paths


def without_libssl(libssl, argv):
    """Runs 'argv' in a private mount namespace where 'libssl' (or any
    library) is empty."""
    script = 'mount --bind /dev/null "$0" && exec "$@"'
    return subprocess.run(["unshare", "--mount", "--map-root-user", "sh",
                           "-c", script, libssl] + argv,
                          capture_output=True, text=True, timeout=60)


def mapped_by_pid(pid):
    return lazy_in_maps(open("/proc/%d/maps" % pid).read())


def check_dbserver_curl(checks, db, pkidir):
    """xsw-dbserver maps libcurl only on etcd, and without a loadable
    libcurl says so when --storage=etcd asks for it."""
    libs, _ = mapped_by_pid(db.proc.pid)
    checks.ok(("libcurl.so" in libs) == bool(db.etcd),
              "xsw-dbserver on %s: libcurl mapped only on etcd"
              % ("etcd" if db.etcd else "SQLite"), " ".join(libs))
    if not shutil.which("etcd"):
        print("note: no etcd, xsw-dbserver on etcd not checked")
        return
    etcd = xswenv.Etcd(pkidir).start()
    front = xswenv.EtcdFrontEnd(etcd.url, pkidir, "xt-lazy-front")
    try:
        xswenv.run([xswenv.XSW_DBSERVER, "--storage=etcd:" + etcd.url,
                    "--create", xswenv.VSWITCH_SCHEMA])
        front.start()
        front.vsctl("set", "Open_vSwitch", ".", "external_ids:xt-lazy=1")
        libs, paths = mapped_by_pid(front.proc.pid)
        checks.ok("libcurl.so" in libs,
                  "xsw-dbserver on etcd maps libcurl", " ".join(libs))
        libcurl = next((p for p in paths if "libcurl.so" in p), None)
    finally:
        front.stop()
        etcd.stop()
    if not libcurl:
        return
    p = without_libssl(libcurl, [
        xswenv.XSW_DBSERVER, "--storage=etcd:http://127.0.0.1:1",
        "--unixctl=" + os.path.join(pkidir, "ctl-curl"), "Open_vSwitch"])
    checks.ok(p.returncode == 1 and "cannot load libcurl (" in p.stderr
              and "libcurl.so" in p.stderr,
              "xsw-dbserver --storage=etcd without a loadable libcurl: an "
              "error naming it", p.stderr)


def main():
    if not shutil.which("openssl"):
        print("SKIP: no openssl command to make certificates")
        sys.exit(77)
    checks = xswenv.Checks()
    both = ["libcrypto.so", "libssl.so"]
    pkidir = tempfile.mkdtemp(prefix="xt-ctl-lazy-libs-")
    try:
        pki = tls.make_pki(pkidir)
        with tls.TlsServer("xsw", pki) as db:
            db.wait_tls()
            tcp_port = xswenv.free_port()
            db.appctl("ovsdb-server/add-remote",
                      "ptcp:%d:127.0.0.1" % tcp_port)
            tcp = "tcp:127.0.0.1:%d" % tcp_port
            db.vsctl("set", "Open_vSwitch", ".", "external_ids:xt-lazy=0")
            remotes = (("unix", db.remote), ("tcp", tcp), ("ssl", db.ssl))

            for name, remote in remotes:
                checks.eq(loaded_by_get(remote, pki),
                          (0, '"0"\n', both if name == "ssl" else []),
                          "%s: the lazily loaded libraries a get loads" % name)

            libssl = None
            for name, remote in remotes[1:]:
                libs, paths = mapped_while_waiting(db, remote, pki, checks,
                                                   name)
                checks.eq(libs, both if name == "ssl" else [],
                          "%s: the lazily loaded libraries a waiting wait-until "
                          "maps" % name)
                libssl = libssl or next((p for p in paths
                                         if "libssl.so" in p), None)

            p = without_libssl("/dev/null", ["true"])
            if not libssl or p.returncode:
                checks.ok(False, "cannot make libssl unloadable (%s)"
                          % p.stderr.strip())
                checks.finish()
            for name, remote in remotes:
                p = without_libssl(libssl, ctl_argv(remote, pki)
                                   + ["--no-wait"] + GET)
                if name == "ssl":
                    checks.ok(p.returncode == 1 and not p.stdout
                              and "TLS is unavailable: cannot load OpenSSL"
                              in p.stderr
                              and os.path.basename(libssl) in p.stderr,
                              "ssl: without a loadable libssl: an error "
                              "naming it", p.stderr)
                else:
                    checks.eq((p.returncode, p.stdout, p.stderr),
                              (0, "ssl\n", ""),
                              "%s: works without a loadable libssl" % name)
            check_dbserver_curl(checks, db, pkidir)
            spare = os.path.join(pkidir, "spare.db")
            xswenv.run([xswenv.XSW_DBSERVER, "--create", xswenv.VSWITCH_SCHEMA,
                        spare])
            p = without_libssl(libssl, [
                xswenv.XSW_DBSERVER, "--remote=pssl:0:127.0.0.1",
                "--private-key=" + pki["server-key.pem"],
                "--certificate=" + pki["server-cert.pem"],
                "--ca-cert=" + pki["ca-cert.pem"],
                "--unixctl=" + os.path.join(pkidir, "ctl"), spare])
            checks.ok(p.returncode == 1
                      and os.path.basename(libssl) in p.stderr
                      and "cannot load OpenSSL" in p.stderr,
                      "xsw-dbserver with pssl: and no loadable libssl: an "
                      "error naming it", p.stderr)
            ovs_file = os.path.join(pkidir, "ovs.db")
            xswenv.run(["ovsdb-tool", "create", ovs_file,
                        xswenv.VSWITCH_SCHEMA])
            p = without_libssl(libssl, [
                xswenv.XSW_DBSERVER, "--import", ovs_file,
                os.path.join(pkidir, "imported.db")])
            checks.ok(p.returncode == 1
                      and os.path.basename(libssl) in p.stderr
                      and "cannot check SHA-1s" in p.stderr,
                      "xsw-dbserver --import without a loadable libssl: an "
                      "error naming it", p.stderr)
    finally:
        shutil.rmtree(pkidir, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    main()
