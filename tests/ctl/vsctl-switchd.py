#!/usr/bin/python3
"""vsctl-switchd: xsw-ctl fdb-show, dpif-show and bond-show ask
xsw-switchd's control socket, <rundir>/xsw-switchd.ctl, and print its
answer verbatim (with the database on ovsdb-server and on xsw-dbserver).

A stand-in control socket (JSON-RPC over a Unix socket, as ovs-appctl
speaks it) records the requests and answers with canned text, so the test
needs no datapath: it checks the method and arguments xsw-ctl sends, that
the answer reaches stdout byte for byte, and that a failed command or a
missing daemon is an error with a message and exit status 1.
"""
import json
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

xswenv.XSW_DBSERVER = os.environ.get("XSW_DBSERVER") or xswenv.XSW_DBSERVER
XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")

FDB = (" port  VLAN  MAC                Age\n"
       "    1     0  52:54:00:12:34:56    3\n"
       "    2    10  52:54:00:ab:cd:ef    0\n")
DPIF = ("xsw@xsw-system: hit:0 missed:0\n"
        "  br0:\n"
        "    br0 65534/1: (internal)\n")
BOND = ("---- bond0 ----\n"
        "bond_mode: active-backup\n"
        "\n"
        "member eth1: enabled\n"
        "  active member\n")


class FakeSwitchd:
    """Answers "fdb/show BR", "dpif/show" and "bond/show [PORT]" on
    'path'."""

    def __init__(self, path):
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _answer(self, req):
        method, params = req.get("method"), req.get("params")
        if method == "fdb/show" and params == ["br0"]:
            return FDB, None
        if method == "fdb/show":
            return None, "no such bridge"
        if method == "dpif/show" and params == []:
            return DPIF, None
        if method == "bond/show" and params in ([], ["bond0"]):
            return BOND, None
        if method == "bond/show":
            return None, "no such bond"
        return None, "\"%s\" is not a valid command" % method

    def _serve(self):
        dec = json.JSONDecoder()
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            buf = ""
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                buf += data.decode()
                try:
                    req, end = dec.raw_decode(buf.lstrip())
                except ValueError:
                    continue
                buf = buf.lstrip()[end:]
                self.requests.append(req)
                result, error = self._answer(req)
                conn.sendall(json.dumps({"result": result, "error": error,
                                         "id": req.get("id")}).encode())
            conn.close()

    def close(self):
        self.sock.close()


def ctl(db, rundir, *args):
    env = dict(os.environ, XSW_RUNDIR=rundir)
    p = subprocess.run([XSW_CTL, "--db=" + db.remote, "--no-wait",
                        "--timeout=20"] + list(args), capture_output=True,
                       text=True, timeout=60, env=env)
    return p.stdout, p.stderr, p.returncode


def main():
    if not os.path.exists(XSW_CTL):
        print("FAIL %s is not built" % XSW_CTL)
        sys.exit(1)
    checks = xswenv.Checks()
    # The database part of each command line goes through xsw's client
    # library: on Open vSwitch's ovsdb-server and on xsw-dbserver.
    for peer in ("ovs", "xsw"):
        run_on(checks.on(xswenv.SERVER_NAMES[peer]), peer)
    checks.finish()


def run_on(checks, peer):
    with xswenv.DbServer(peer=peer) as db:
        db.vsctl("add-br", "br0")
        rundir = os.path.join(db.dir, "run")
        os.mkdir(rundir)
        ctl_path = os.path.join(rundir, "xsw-switchd.ctl")

        out, err, rc = ctl(db, rundir, "fdb-show", "br0")
        checks.ok(rc == 1 and out == "" and ctl_path in err
                  and err.startswith("xsw-ctl: "),
                  "fdb-show without xsw-switchd: error naming the socket",
                  repr((out, err, rc)))

        switchd = FakeSwitchd(ctl_path)
        try:
            checks.eq(ctl(db, rundir, "fdb-show", "br0"), (FDB, "", 0),
                      "fdb-show br0 prints fdb/show's answer")
            checks.eq([(r["method"], r["params"]) for r in switchd.requests],
                      [("fdb/show", ["br0"])], "fdb-show sends fdb/show BR")
            checks.eq(ctl(db, rundir, "dpif-show"), (DPIF, "", 0),
                      "dpif-show prints dpif/show's answer")
            checks.eq(ctl(db, rundir, "bond-show"), (BOND, "", 0),
                      "bond-show prints bond/show's answer")
            checks.eq(ctl(db, rundir, "bond-show", "bond0"), (BOND, "", 0),
                      "bond-show PORT")
            checks.eq(ctl(db, rundir, "bond-show", "nobond"),
                      ("", "xsw-ctl: no such bond\n", 1),
                      "bond-show of a port that is no bond: the error")
            checks.eq([(r["method"], r["params"])
                       for r in switchd.requests[-3:]],
                      [("bond/show", []), ("bond/show", ["bond0"]),
                       ("bond/show", ["nobond"])],
                      "bond-show sends bond/show [PORT]")
            checks.eq(ctl(db, rundir, "fdb-show", "br9"),
                      ("", "xsw-ctl: no such bridge\n", 1),
                      "fdb-show br9: the daemon's error, exit 1")
            checks.eq(ctl(db, rundir, "fdb-show"),
                      ("", "xsw-ctl: 'fdb-show' command requires at least "
                       "1 arguments\n", 1), "fdb-show needs a bridge")
            checks.eq(ctl(db, rundir, "list-br", "--", "fdb-show", "br0"),
                      ("br0\n" + FDB, "", 0),
                      "fdb-show in a command line with database commands")
        finally:
            switchd.close()


if __name__ == "__main__":
    main()
