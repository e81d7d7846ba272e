"""Neutron's Open vSwitch agent start-up, through ovsdbapp (python3-ovsdbapp
2.1, as OpenStack uses it), against xsw-dbserver and, in the same run,
ovsdb-server, both started as ovs-ctl starts ovsdb-server
(--remote=db:Open_vSwitch,Open_vSwitch,manager_options).

The agent's idl_factory() (neutron/agent/ovsdb/native/connection.py) does:

    try:
        helper = idlutils.get_schema_helper(conn, 'Open_vSwitch')
    except Exception:
        helpers.enable_connection_uri(conn)      # ovs-vsctl creates a Manager
        @tenacity.retry(wait=wait_exponential(multiplier=0.01),
                        stop=stop_after_delay(1), reraise=True)
        def do_get_schema_helper():
            return idlutils.get_schema_helper(conn, 'Open_vSwitch')
        helper = do_get_schema_helper()

so the manager's listener must be up within a second of ovs-vsctl's
return.  The same sequence runs here with ovsdbapp's own functions (the
retry written out: tenacity is not installed), ovs-vsctl reaching the
server through OVS_RUNDIR, as the agent's host would.  ovs-vsctl waits
for a switch daemon to catch up (cur_cfg), so a stand-in plays that part.
The port is a free one, found by binding port 0."""
import os
import subprocess
import sys
import time

from ovsdbapp.backend.ovs_idl import connection, idlutils
from ovsdbapp.schema.open_vswitch import helpers, impl_idl

from xswenv import DbServer, Checks, CurCfgFollower, free_port

PEERS = ("xsw", "ovs")


def neutron_retry(fn, stop_after=1.0, multiplier=0.01):
    """tenacity's retry(wait=wait_exponential(multiplier), stop=
    stop_after_delay(stop_after), reraise=True), as Neutron uses it."""
    start = time.time()
    attempt = 0
    while True:
        try:
            return fn()
        except Exception:
            attempt += 1
            if time.time() - start >= stop_after:
                raise
            time.sleep(min(multiplier * 2 ** attempt, 2 ** 62))


def test_neutron(c, peer):
    with DbServer(peer=peer, extra_args=[
            "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"]) as db:
        db.vsctl("init")
        follower = CurCfgFollower(db.remote)
        follower.start()
        try:
            conn_uri = "tcp:127.0.0.1:%d" % free_port()
            try:
                idlutils.get_schema_helper(conn_uri, "Open_vSwitch")
                failed = False
            except Exception:
                failed = True
            c.ok(failed, "[%s] get_schema_helper(%s) fails at first"
                 % (peer, conn_uri))

            env = dict(os.environ, OVS_RUNDIR=db.dir)

            def execute(cmd, **kwargs):
                p = subprocess.run(cmd, capture_output=True, text=True,
                                   env=env, timeout=60)
                if p.returncode:
                    raise RuntimeError("%s: %s" % (cmd, p.stderr))
                return p.stdout

            helpers.enable_connection_uri(conn_uri, execute=execute,
                                          timeout=20)
            start = time.time()
            try:
                helper = neutron_retry(
                    lambda: idlutils.get_schema_helper(conn_uri,
                                                       "Open_vSwitch"))
            except Exception as e:
                helper = None
                error = e
            c.ok(helper is not None,
                 "[%s] enable_connection_uri(), then the retry succeeds "
                 "within Neutron's second (%.0f ms)"
                 % (peer, (time.time() - start) * 1000),
                 helper is None and repr(error))
            if helper is None:
                return
            c.eq(db.vsctl("get-manager"), "ptcp:%s:127.0.0.1\n"
                 % conn_uri.rsplit(":", 1)[1],
                 "[%s] the Manager row ovsdbapp created" % peer)

            helper.register_all()
            idl = connection.OvsdbIdl(conn_uri, helper)
            conn = connection.Connection(idl=idl, timeout=20)
            api = impl_idl.OvsdbIdl(conn)
            api.add_br("br-int").execute(check_error=True)
            c.eq(api.list_br().execute(check_error=True), ["br-int"],
                 "[%s] the agent's API works over the manager connection"
                 % peer)
            conn.stop()
        finally:
            follower.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        checks = Checks()
        checks.run(lambda c: test_neutron(c, sys.argv[1]))
        checks.finish()
    # ovsdbapp keeps per-process state (a connection started once per
    # class), so each server gets a fresh agent process, as it would.
    rc = 0
    for peer in PEERS:
        rc |= subprocess.run([sys.executable, __file__, peer]).returncode
    sys.exit(rc)
