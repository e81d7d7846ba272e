"""ovsdb-server's replication and clustering modes, and --bootstrap-ca-cert,
given to xsw-dbserver: each is refused at start with a message that names
the mode and says what xsw offers instead, never "unrecognized option";
ovsdb-server, in the same run, accepts the same command lines (so the test
uses them as Open vSwitch's users write them)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from xswenv import (Checks, XSW_DBSERVER, VSWITCH_SCHEMA, run,  # noqa: E402
                    free_port)

OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
BACKEND = "replicate through its storage backend"


def start(args, d, env_name, wait):
    """Runs a server with 'args' in 'd' for up to 'wait' seconds; returns
    (its exit status, or None if it was still running, and its stderr)."""
    env = dict(os.environ, **{env_name: d})
    err = os.path.join(d, "stderr")
    with open(err, "w") as f:
        p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                             stderr=f)
    try:
        rc = p.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        rc = None
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return rc, open(err).read()


def test_refused(c):
    d = tempfile.mkdtemp(prefix="xt-refused-")
    try:
        xdb = os.path.join(d, "xsw.db")
        odb = os.path.join(d, "ovs.db")
        cdb = os.path.join(d, "cluster.db")
        run([XSW_DBSERVER, "--create", VSWITCH_SCHEMA, xdb])
        run(["ovsdb-tool", "create", odb, OVS_SCHEMA])
        # A one-server cluster on a free port (ovsdb-server listens there
        # for the moment it runs); peers to sync from on another, where
        # nothing listens.
        run(["ovsdb-tool", "create-cluster", cdb, OVS_SCHEMA,
             "tcp:127.0.0.1:%d" % free_port()])
        nobody = "tcp:127.0.0.1:%d" % free_port()
        sock = "--remote=punix:" + os.path.join(d, "db.sock")
        ctl = "--unixctl=" + os.path.join(d, "db.ctl")
        cases = [
            ("--sync-from", ["--sync-from=" + nobody], None, BACKEND),
            ("--sync-from with --sync-exclude-tables",
             ["--sync-from=" + nobody,
              "--sync-exclude-tables=Open_vSwitch:Bridge"], None, BACKEND),
            ("--active", ["--active"], None, BACKEND),
            ("a relay: database", [], "relay:Open_vSwitch:" + nobody,
             BACKEND),
            ("a clustered database", [], cdb, BACKEND),
            ("--bootstrap-ca-cert",
             ["--bootstrap-ca-cert=" + os.path.join(d, "ca.pem")], None,
             "--ca-cert"),
        ]
        for what, args, db, hint in cases:
            # It must exit, however busy the machine.
            rc, err = start([XSW_DBSERVER, sock, ctl] + args + [db or xdb],
                            d, "XSW_RUNDIR", 20)
            c.ok(rc not in (0, None) and "not supported" in err
                 and hint in err and "unrecognized" not in err,
                 "[xsw] %s: refused, saying what to do instead" % what,
                 "rc=%r stderr=%r" % (rc, err))
            # It must not exit at once (a refusal is immediate).
            rc, err = start(["ovsdb-server", sock, ctl] + args + [db or odb],
                            d, "OVS_RUNDIR", 1.5)
            c.ok(rc is None, "[ovs] %s: ovsdb-server starts with it" % what,
                 "rc=%r stderr=%r" % (rc, err[-500:]))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_refused)
    checks.finish()
