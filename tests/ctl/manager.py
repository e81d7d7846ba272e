#!/usr/bin/python3
"""manager: the manager workflow driven by xsw-ctl, on Open vSwitch's
ovsdb-server and on xsw-dbserver, each started as the distribution starts
ovsdb-server (--remote=db:Open_vSwitch,Open_vSwitch,manager_options):

  - "xsw-ctl set-manager ptcp:PORT:127.0.0.1" makes the server listen
    there, and xsw-ctl itself can then use the database through that
    port (--db=tcp:127.0.0.1:PORT);
  - get-manager prints the target, --inactivity-probe lands in the row;
  - del-manager closes the port;
  - Neutron's way (enable_connection_uri(): create a Manager row with
    --id and add it to manager_options) works the same through xsw-ctl.

Ports: free ones found by binding port 0 first, never fixed ones.
"""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

xswenv.XSW_DBSERVER = os.environ.get("XSW_DBSERVER") or xswenv.XSW_DBSERVER
XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")
MANAGERS = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"


def ctl(remote, *args, timeout=10):
    p = subprocess.run([XSW_CTL, "--db=" + remote, "--no-wait",
                        "--timeout=%d" % timeout] + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


def answers(port):
    """xsw-ctl list-br through tcp:127.0.0.1:PORT, if it succeeds."""
    status, out, _ = ctl("tcp:127.0.0.1:%d" % port, "list-br", timeout=3)
    return out if status == 0 else None


def run_on(checks, peer):
    with xswenv.DbServer(peer=peer, extra_args=[MANAGERS]) as db:
        ctl(db.remote, "add-br", "br0")
        port = xswenv.free_port()
        target = "ptcp:%d:127.0.0.1" % port
        checks.ok(refused(port), "nothing listens on the port at first")

        checks.eq(ctl(db.remote, "--inactivity-probe=5000", "set-manager",
                      target), (0, "", ""), "set-manager " + target)
        checks.eq(xswenv.wait_until(lambda: answers(port)), "br0\n",
                  "xsw-ctl uses the database through the manager's port")
        checks.eq(ctl(db.remote, "get-manager"), (0, target + "\n", ""),
                  "get-manager")
        checks.eq(db.vsctl("get", "Manager", target, "inactivity_probe"),
                  "5000\n", "--inactivity-probe is in the Manager row")

        checks.eq(ctl(db.remote, "del-manager"), (0, "", ""), "del-manager")
        checks.ok(xswenv.wait_until(lambda: refused(port)),
                  "del-manager closes the port")
        checks.eq(db.vsctl("list", "Manager"), "",
                  "del-manager leaves no Manager row")

        # Neutron's ovsdbapp enable_connection_uri(), through xsw-ctl.
        port = xswenv.free_port()
        target = "ptcp:%d:127.0.0.1" % port
        checks.eq(ctl(db.remote, "--id=@manager", "create", "Manager",
                      'target="%s"' % target, "--", "add", "Open_vSwitch",
                      ".", "manager_options", "@manager")[0], 0,
                  "Neutron's create Manager -- add manager_options")
        checks.eq(xswenv.wait_until(lambda: answers(port)), "br0\n",
                  "the server listens where Neutron asked")


def main():
    if not os.path.exists(XSW_CTL):
        print("FAIL %s is not built" % XSW_CTL)
        sys.exit(1)
    checks = xswenv.Checks()
    for peer in ("ovs", "xsw"):
        name = xswenv.SERVER_NAMES[peer]
        try:
            run_on(checks.on(name), peer)
        except Exception as e:
            checks.ok(False, "%s: raised %s: %s" % (name, type(e).__name__,
                                                    e))
    checks.finish()


if __name__ == "__main__":
    main()
