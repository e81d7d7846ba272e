#!/usr/bin/env python3
"""Logging, as an operator drives it: every -v/--verbose spec that Open
vSwitch accepts works on all three programs (xsw-dbserver, xsw-ctl,
xsw-switchd), and every spec it refuses is refused with its words;
"vlog/set" through ovs-appctl at run time; and with jsonrpc at dbg, each
JSON-RPC message received and sent is logged as ovsdb-server logs it
("received request, method=..." / "send reply, result=...").  Each
program runs beside its Open vSwitch counterpart (ovsdb-server,
ovs-vsctl) with the same spec."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from xswenv import (Checks, DbServer, VSWITCH_SCHEMA,  # noqa: E402
                    XSW_DBSERVER, TOP_BUILDDIR, run)

XSW_CTL = os.path.join(TOP_BUILDDIR, "ctl", "xsw-ctl")
XSW_SWITCHD = os.path.join(TOP_BUILDDIR, "switchd", "xsw-switchd")

# Specs Open vSwitch accepts, as -vSPEC or --verbose=SPEC arguments.
GOOD = ["-v", "--verbose", "-vconsole:off", "-vvlog:off", "-vfile:dbg",
        "-vsyslog:err", "-vsyslog:off", "-vconsole:emer", "-vdbg",
        "-vjsonrpc", "-vjsonrpc:console:warn", "-vANY:ANY:info",
        "-vany:file:DBG", "--verbose=dbg", "--verbose=jsonrpc:file:warn",
        "-vjsonrpc:syslog:info", "-vFACILITY:local0", "-vfacility:daemon",
        "-vPATTERN:console:%c|%p|%m", "-vPATTERN:any:%d|%05N|%c%T|%p|%m",
        "-vvlog", "-vfile"]
# The daemons also take Open vSwitch's --syslog-method=libc (syslog(3), the
# only method xsw has; the others are refused, saying so).
DAEMON_GOOD = GOOD + ["--syslog-method=libc"]
# And specs it refuses: the same error text on both.
BAD = ["-vnosuch", "-vconsole:file", "-vdbg:warn", "-vjsonrpc:vlog",
       "-vPATTERN:nowhere:%m", "-vPATTERN", "-vFACILITY:nosuch",
       "--verbose=console:loud"]


def spec_error(stderr):
    """The part of an error message after "PROGRAM: "."""
    m = re.search(r"processing .*", stderr)
    return m.group(0) if m else stderr.strip()


class Daemon:
    """xsw-dbserver, ovsdb-server or xsw-switchd with extra arguments,
    in 'dirpath'; killed by PID at the end."""

    def __init__(self, kind, dirpath, extra, db_remote=None):
        self.dir = dirpath
        self.ctl = os.path.join(dirpath, kind + ".ctl")
        self.log = os.path.join(dirpath, kind + ".log")
        self.sock = os.path.join(dirpath, kind + ".sock")
        self.err = os.path.join(dirpath, kind + ".stderr")
        env = dict(os.environ, XSW_RUNDIR=dirpath, OVS_RUNDIR=dirpath,
                   XSW_LOGDIR=dirpath, OVS_LOGDIR=dirpath)
        if kind == "xsw-switchd":
            args = [XSW_SWITCHD, "--unixctl=" + self.ctl,
                    "--log-file=" + self.log] + extra + [db_remote]
        else:
            db = os.path.join(dirpath, kind + ".db")
            if not os.path.exists(db):
                if kind == "xsw-dbserver":
                    run([XSW_DBSERVER, "--create", VSWITCH_SCHEMA, db])
                else:
                    run(["ovsdb-tool", "create", db, VSWITCH_SCHEMA])
            prog = XSW_DBSERVER if kind == "xsw-dbserver" else "ovsdb-server"
            args = [prog, "--remote=punix:" + self.sock,
                    "--unixctl=" + self.ctl, "--log-file=" + self.log] \
                + extra + [db]
        self.proc = subprocess.Popen(args, env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.err, "w"))

    def wait_ready(self, timeout=20):
        """True once the control socket answers; False if it exited."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            if os.path.exists(self.ctl):
                out = subprocess.run(["ovs-appctl", "-t", self.ctl,
                                      "vlog/list"], capture_output=True)
                if out.returncode == 0:
                    return True
            time.sleep(0.05)
        return False

    def exit_status(self, timeout=20):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stderr(self):
        with open(self.err) as f:
            return f.read()

    def logtext(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def appctl(self, *args):
        p = subprocess.run(["ovs-appctl", "-t", self.ctl] + list(args),
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def with_tmpdir(fn):
    def wrapper(c):
        d = tempfile.mkdtemp(prefix="xt-vlog-")
        try:
            fn(c, d)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    wrapper.__name__ = fn.__name__
    return wrapper


@with_tmpdir
def test_dbserver_specs(c, d):
    for spec in DAEMON_GOOD:
        sub = tempfile.mkdtemp(dir=d)
        x = Daemon("xsw-dbserver", sub, [spec])
        o = Daemon("ovsdb-server", sub, [spec])
        try:
            c.ok(x.wait_ready() and o.wait_ready(),
                 "xsw-dbserver %s starts, as ovsdb-server does" % spec,
                 x.stderr()[-2000:])
        finally:
            x.stop()
            o.stop()
    sub = tempfile.mkdtemp(dir=d)
    x = Daemon("xsw-dbserver", sub, ["--syslog-method=udp:127.0.0.1:9"])
    c.ok(x.exit_status() == 1 and "not supported" in x.stderr(),
         "xsw-dbserver --syslog-method=udp:... is refused, saying so",
         x.stderr())
    x.stop()
    for spec in BAD:
        sub = tempfile.mkdtemp(dir=d)
        x = Daemon("xsw-dbserver", sub, [spec])
        o = Daemon("ovsdb-server", sub, [spec])
        try:
            sx, so = x.exit_status(), o.exit_status()
            c.ok(sx == 1 and so == 1
                 and spec_error(x.stderr()) == spec_error(o.stderr()),
                 "xsw-dbserver %s exits 1 saying what ovsdb-server says"
                 % spec, "xsw %s: %r\n     ovs %s: %r"
                 % (sx, x.stderr(), so, o.stderr()))
        finally:
            x.stop()
            o.stop()


@with_tmpdir
def test_dbserver_effects(c, d):
    # -vconsole:off: nothing on stderr; -vvlog:off: no "opened log file"
    # after the first (--log-file came before it, and logs it, as in Open
    # vSwitch), not even on vlog/reopen; -vfile:dbg: debug lines.
    x = Daemon("xsw-dbserver", d, ["-vconsole:off", "-vfile:dbg",
                                   "-vvlog:off"])
    try:
        c.ok(x.wait_ready(), "xsw-dbserver starts")
        run(["ovs-vsctl", "--db=unix:" + x.sock, "--no-wait", "add-br",
             "xtbr0"])
        c.eq(x.appctl("vlog/reopen")[0], 0, "vlog/reopen")
        x.stop()
        log = x.logtext()
        c.eq(x.stderr(), "", "-vconsole:off: nothing on stderr")
        c.ok(log.count("opened log file") == 1 and "|DBG|" in log,
             "-vvlog:off and -vfile:dbg: no vlog lines, debug lines",
             log[-2000:])
    finally:
        x.stop()

    sub = tempfile.mkdtemp(dir=d)
    x = Daemon("xsw-dbserver", sub, ["-vconsole:info",
                                     "-vPATTERN:console:<%c|%p> %m"])
    try:
        c.ok(x.wait_ready(), "xsw-dbserver with a console pattern starts")
        x.stop()
        lines = [l for l in x.stderr().split("\n") if l]
        c.ok(lines and all(re.match(r"<\w+\|(INFO|WARN|ERR|EMER)> ", l)
                           for l in lines),
             "-vPATTERN:console: stderr lines in that pattern", lines)
    finally:
        x.stop()


def jsonrpc_lines(text):
    """The jsonrpc debug lines of a log, without time, sequence number and
    connection name, with UUIDs masked."""
    out = []
    for line in text.split("\n"):
        m = re.match(r"[^|]*\|\d+\|jsonrpc\|DBG\|.*?: "
                     r"(received|send) (.*)", line)
        if m:
            out.append(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "UUID",
                              "%s %s" % (m.group(1), m.group(2))))
    return out


@with_tmpdir
def test_jsonrpc_dbg(c, d):
    """The same client requests to both servers; the jsonrpc debug lines
    of both logs say the same (key order aside: compared as sets of
    words)."""
    x = Daemon("xsw-dbserver", d, ["-vconsole:off"])
    o = Daemon("ovsdb-server", d, ["-vconsole:off"])
    try:
        c.ok(x.wait_ready() and o.wait_ready(), "both servers start")
        for dmn in (x, o):
            rc, out, err = dmn.appctl("vlog/set", "jsonrpc:file:dbg")
            c.eq((rc, err), (0, ""), "%s: vlog/set jsonrpc:file:dbg"
                 % os.path.basename(dmn.log))
            run(["ovsdb-client", "transact", "unix:" + dmn.sock,
                 '["Open_vSwitch",{"op":"insert","table":"Open_vSwitch",'
                 '"row":{"next_cfg":7}}]'])
            run(["ovsdb-client", "list-dbs", "unix:" + dmn.sock])
        # The lines are written before the replies leave.
        lx, lo = jsonrpc_lines(x.logtext()), jsonrpc_lines(o.logtext())
        want = [l for l in lo if "transact" in l or "list_dbs" in l
                or l.startswith("send reply")]
        c.ok(any('received request, method="transact", params=['
                 '"Open_vSwitch",' in l for l in lx)
             and any(l.startswith("send reply, result=[{\"uuid\":"
                                  "[\"uuid\",\"UUID\"]}]") for l in lx),
             "xsw logs the transact request and its reply", lx)

        def words(lines):
            return sorted(sorted(re.findall(r'"[^"]*"|\w+', l))
                          for l in lines)
        got = [l for l in lx if "transact" in l or "list_dbs" in l
               or l.startswith("send reply")]
        c.eq(words(got), words(want),
             "the same jsonrpc debug lines as ovsdb-server (words)")

        # Off again: nothing more.
        x.appctl("vlog/set", "jsonrpc:file:info")
        n = len(jsonrpc_lines(x.logtext()))
        run(["ovsdb-client", "list-dbs", "unix:" + x.sock])
        c.eq(len(jsonrpc_lines(x.logtext())), n,
             "vlog/set jsonrpc:file:info stops the message lines")

        # Errors of vlog/set, as ovsdb-server gives them.
        for spec in ["nosuch", "console:file", "PATTERN:x:%m",
                     "FACILITY:x"]:
            rx, ox = x.appctl("vlog/set", spec), o.appctl("vlog/set", spec)
            c.eq((rx[0], rx[2].split("\n")[0]),
                 (ox[0], ox[2].split("\n")[0]),
                 "vlog/set %s fails as on ovsdb-server" % spec)
        for cmd in ["vlog/list-pattern", "vlog/close", "vlog/reopen"]:
            rx, ox = x.appctl(cmd), o.appctl(cmd)
            c.eq(rx[0], ox[0], "%s: the same exit status as on "
                 "ovsdb-server" % cmd)
    finally:
        x.stop()
        o.stop()


@with_tmpdir
def test_ctl_specs(c, d):
    with DbServer() as db:
        db.vsctl("add-br", "xtbr0")
        for spec in GOOD + BAD:
            out_x = subprocess.run(
                [XSW_CTL, "--db=" + db.remote, spec, "list-br"],
                capture_output=True, text=True, timeout=30, cwd=d)
            out_o = subprocess.run(
                ["ovs-vsctl", "--db=" + db.remote, spec, "list-br"],
                capture_output=True, text=True, timeout=30, cwd=d)
            same_status = out_x.returncode == out_o.returncode
            same_out = out_x.stdout == out_o.stdout
            same_err = (spec not in BAD
                        or spec_error(out_x.stderr)
                        == spec_error(out_o.stderr))
            c.ok(same_status and same_out and same_err,
                 "xsw-ctl %s list-br: as ovs-vsctl (exit %d)"
                 % (spec, out_o.returncode),
                 "xsw-ctl %d %r %r\n     ovs-vsctl %d %r %r"
                 % (out_x.returncode, out_x.stdout, out_x.stderr[-500:],
                    out_o.returncode, out_o.stdout, out_o.stderr[-500:]))


@with_tmpdir
def test_switchd_specs(c, d):
    """xsw-switchd on an empty database (no bridges, so it touches no
    device): every good spec starts it, every bad one is refused with the
    words ovsdb-server uses; vlog/set works on its control socket and
    jsonrpc:dbg shows its database traffic."""
    with DbServer() as db:
        for spec in DAEMON_GOOD:
            sub = tempfile.mkdtemp(dir=d)
            s = Daemon("xsw-switchd", sub, [spec], db.remote)
            try:
                c.ok(s.wait_ready(), "xsw-switchd %s starts" % spec,
                     s.stderr()[-2000:])
            finally:
                s.stop()
        for spec in BAD:
            sub = tempfile.mkdtemp(dir=d)
            s = Daemon("xsw-switchd", sub, [spec], db.remote)
            o = Daemon("ovsdb-server", sub, [spec])
            try:
                ss, so = s.exit_status(), o.exit_status()
                c.ok(ss == 1 and spec_error(s.stderr())
                     == spec_error(o.stderr()),
                     "xsw-switchd %s exits 1 with ovsdb-server's words"
                     % spec, "%s %r" % (ss, s.stderr()))
            finally:
                s.stop()
                o.stop()

        sub = tempfile.mkdtemp(dir=d)
        s = Daemon("xsw-switchd", sub, ["-vconsole:off"], db.remote)
        try:
            c.ok(s.wait_ready(), "xsw-switchd starts")
            rc, out, err = s.appctl("vlog/set", "jsonrpc:file:dbg")
            c.eq((rc, err), (0, ""), "xsw-switchd: vlog/set jsonrpc:file:dbg")
            db.vsctl("set", "Open_vSwitch", ".", "external_ids:xt=1")
            deadline = time.time() + 20

            def logged():
                lines = jsonrpc_lines(s.logtext())
                return (any(l.startswith("received notification, "
                                         "method=") for l in lines)
                        and any(l.startswith("send request, method=")
                                for l in lines))
            while time.time() < deadline and not logged():
                time.sleep(0.1)
            c.ok(logged(), "xsw-switchd logs the updates it receives and "
                 "the requests it sends", s.logtext()[-2000:])
        finally:
            s.stop()


def main():
    c = Checks()
    for t in (test_dbserver_specs, test_dbserver_effects, test_jsonrpc_dbg,
              test_ctl_specs, test_switchd_specs):
        print("# %s" % t.__name__)
        c.run(t)
    c.finish()


if __name__ == "__main__":
    main()
