#!/usr/bin/python3
"""vsctl-compare: xsw-ctl's Open vSwitch, bridge, port, interface,
controller, fail-mode, manager and SSL commands against ovs-vsctl 3.1, each
on both servers: Open vSwitch's ovsdb-server and xsw-dbserver.

Each case names a set-up (a list of ovs-vsctl command lines) and one command
line.  The set-up is built once with ovs-vsctl on xsw-dbserver, and its
rows, UUIDs included, are copied into an ovsdb-server database file; for
each case both files are copied twice, so that the four runs below start
from the same rows with the same UUIDs (show prints rows in UUID order).
The case runs ovs-vsctl on ovsdb-server, the reference, and then

  - xsw-ctl on ovsdb-server    (xsw's client library against the real server)
  - ovs-vsctl on xsw-dbserver  (the real client against xsw's server)
  - xsw-ctl on xsw-dbserver

and requires of each, against the reference:

  - the same stdout, byte for byte;
  - the same stderr, once the program name is replaced and log lines and
    UUIDs (which differ between two servers' new rows) are masked;
  - the same exit status;
  - the same database afterwards (every table, rows matched by name, UUIDs
    replaced by the name of the row they point to).

Differences that remain on purpose are listed in docs/ctl-differences.md.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

# $XSW_DBSERVER overrides the server under test (e.g. a copy that a
# concurrent rebuild cannot pull from under the test).
xswenv.XSW_DBSERVER = os.environ.get("XSW_DBSERVER") or xswenv.XSW_DBSERVER

# $XSW_CTL overrides, e.g. XSW_CTL=ovs-vsctl checks the harness itself.
XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")

# ---- Set-ups: ovs-vsctl command lines, each a list of arguments. ----

BASIC = [
    ["add-br", "br0"],
    ["add-port", "br0", "p1"],
    ["add-port", "br0", "p2", "tag=5"],
    ["add-br", "fb", "br0", "10"],
    ["add-port", "fb", "p3"],
    ["add-bond", "br0", "bond0", "a", "b"],
    ["add-br", "br1"],
    ["add-port", "br1", "q1"],
    ["br-set-external-id", "br0", "k", "v"],
    ["br-set-external-id", "br0", "a", "1"],
    ["br-set-external-id", "fb", "k2", "v2"],
]

RICH = BASIC + [
    ["set", "Open_vSwitch", ".", "ovs_version=3.1.0"],
    ["set-fail-mode", "br0", "secure"],
    ["set-controller", "br0", "tcp:10.0.0.1:6653", "ptcp:6654"],
    ["set-manager", "ptcp:6640"],
    ["set", "Interface", "p1", "type=patch", "options:peer=q1"],
    ["set", "Interface", "a", "error=\"no such device\""],
    ["set", "Port", "p2", "trunks=1,2,3", "other_config:x=y"],
    ["set", "Bridge", "br0", "other_config:hwaddr=\"00:11:22:33:44:55\"",
     "other_config:foo=bar", "flood_vlans=7"],
    ["set", "Interface", "b", "ingress_policing_rate=100",
     "ingress_policing_burst=10"],
    ["--", "--id=@m", "create", "Mirror", "name=m0", "select_all=true",
     "--", "add", "Bridge", "br0", "mirrors", "@m"],
    ["--", "--id=@n", "create", "NetFlow", "targets=\"10.0.0.2:5566\"",
     "--", "set", "Bridge", "br1", "netflow=@n"],
]



def chain(*commands):
    """One "--" chain of the command lines in 'commands'."""
    out = []
    for c in commands:
        out += (["--"] if out else []) + list(c)
    return out


# A command line that names more than 64 rows makes xsw-ctl fetch whole
# tables (and, for add-port/add-bond/del-port, every bridge's ports set)
# instead of rows by name: "wide" has enough ports to cross that line, on a
# real bridge and on a fake one, and a tagged port of the fake bridge's VLAN.
WIDE_N = 80
WIDE = BASIC + [
    chain(*[["add-port", "br0", "w%d" % i] for i in range(WIDE_N)]),
    ["add-port", "fb", "v1"],
    ["add-port", "br0", "t1", "tag=10"],
]

# More fake bridges: one on fb's VLAN in br1, one more in br0, and a port
# marked fake_bridge without a tag (made with database commands, as add-br
# would not).  The bridge-only commands fetch only the fake ports and must
# still find these as with every port.  (Two fake bridges on one VLAN of
# one bridge are left out: ovs-vsctl lists both, xsw-ctl the first.)
FAKES = BASIC + [
    ["add-br", "fc", "br1", "10"],
    ["add-br", "fd", "br0", "20"],
    ["add-port", "fd", "p4"],
    ["--", "--id=@i", "create", "Interface", "name=nf",
     "--", "--id=@p", "create", "Port", "name=nf", "fake_bridge=true",
     "interfaces=@i", "--", "add", "Bridge", "br1", "ports", "@p"],
]

# Managers, controllers, fail modes and SSL, as set-manager, set-controller,
# set-fail-mode and set-ssl leave them (made by ovs-vsctl, like every
# set-up).
MGMT = BASIC + [
    ["set-manager", "ptcp:6640", "tcp:10.0.0.9:6640"],
    ["--inactivity-probe=3000", "set-controller", "br0", "tcp:10.0.0.1:6653",
     "ptcp:6654", "unix:/tmp/xt-none.sock"],
    ["set-controller", "br1", "ssl:10.0.0.2:6653"],
    ["set-fail-mode", "br0", "secure"],
    ["set-fail-mode", "br1", "standalone"],
    ["--bootstrap", "set-ssl", "/etc/xt/key.pem", "/etc/xt/cert.pem",
     "/etc/xt/ca.pem"],
]

SETUPS = {
    "empty": [],
    "init": [["init"]],
    "basic": BASIC,
    "rich": RICH,
    "wide": WIDE,
    "fakes": FAKES,
    "mgmt": MGMT,
}

# ---- Cases: (set-up, command line). ----

CASES = []


def case(setup, *args, stderr_differs=None):
    """'stderr_differs': the reason stderr is known to differ (listed in
    docs/ctl-differences.md); then stdout, the exit status and the database
    are still compared."""
    CASES.append((setup, list(args), stderr_differs))


# Open vSwitch commands.
for s in ("empty", "init", "basic", "rich"):
    case(s, "show")
case("empty", "init")
case("init", "init")
case("basic", "init")
case("rich", "emer-reset")
case("basic", "emer-reset")
case("init", "emer-reset")

# Bridge commands, read-only.
for s in ("init", "basic"):
    case(s, "list-br")
    case(s, "--real", "list-br")
    case(s, "--fake", "list-br")
    case(s, "--real", "--fake", "list-br")
for br in ("br0", "fb", "br1", "br9", "p1"):
    case("basic", "br-exists", br)
    case("basic", "br-to-vlan", br)
    case("basic", "br-to-parent", br)
    case("basic", "br-get-external-id", br)
case("basic", "br-get-external-id", "br0", "k")
case("basic", "br-get-external-id", "br0", "nokey")
case("basic", "br-get-external-id", "fb", "k2")
case("basic", "br-get-external-id", "fb", "k")

# Database commands printing _uuid: each row's own (a datum shared between
# rows once printed one UUID for every row).  Records named on the command
# line print in that order in both tools; a whole table would print in each
# tool's own hash order.
case("basic", "--columns=_uuid,name", "list", "Bridge", "br1", "br0")

# Bridge commands that write.
case("empty", "add-br", "br0")
case("init", "add-br", "br0")
case("basic", "add-br", "br2")
case("basic", "add-br", "br0")
case("basic", "add-br", "fb")
case("basic", "add-br", "p1")
case("basic", "add-br", "a")
case("basic", "--may-exist", "add-br", "br0")
case("basic", "--may-exist", "add-br", "br2")
case("basic", "--may-exist", "add-br", "fb")
case("basic", "--may-exist", "add-br", "fb", "br0", "10")
case("basic", "--may-exist", "add-br", "fb", "br0", "11")
case("basic", "--may-exist", "add-br", "fb", "br1", "10")
case("basic", "--may-exist", "add-br", "br0", "br1", "3")
case("basic", "--may-exist", "add-br", "fb2", "br0", "20")
case("basic", "add-br", "fb2", "br0", "20")
case("basic", "add-br", "fb2", "br0", "0")
case("basic", "add-br", "fb2", "br0", "10")
case("basic", "add-br", "fb2", "fb", "20")
case("basic", "add-br", "fb2", "br9", "20")
case("basic", "add-br", "fb2", "br0", "4096")
case("basic", "add-br", "fb2", "br0", "-1")
case("basic", "add-br", "fb2", "br0", "abc")
case("basic", "add-br", "fb2", "br0")
case("basic", "del-br", "br0")
case("basic", "del-br", "fb")
case("basic", "del-br", "br1")
case("basic", "del-br", "br9")
case("basic", "--if-exists", "del-br", "br9")
case("basic", "br-set-external-id", "br0", "k", "w")
case("basic", "br-set-external-id", "br0", "k")
case("basic", "br-set-external-id", "br0", "new", "x y")
case("basic", "br-set-external-id", "fb", "k3", "v3")
case("basic", "br-set-external-id", "fb", "k2")
case("basic", "br-set-external-id", "br9", "k", "v")

# Port commands.
for br in ("br0", "fb", "br1", "br9"):
    case("basic", "list-ports", br)
    case("basic", "list-ifaces", br)
for p in ("p1", "p3", "bond0", "a", "br0", "fb", "q1", "p9"):
    case("basic", "port-to-br", p)
    case("basic", "iface-to-br", p)
case("basic", "add-port", "br0", "p4")
case("basic", "add-port", "fb", "p4")
case("basic", "add-port", "br1", "p4", "tag=7", "other_config:x=y",
     "external_ids:k=\"a b\"")
case("basic", "add-port", "br0", "p1")
case("basic", "add-port", "br1", "p3")
case("basic", "add-port", "br0", "a")
case("basic", "add-port", "br0", "br1")
case("basic", "add-port", "br0", "fb")
case("basic", "add-port", "br9", "p4")
case("basic", "add-port", "br0", "p4", "nosuch=1")
case("basic", "add-port", "br0", "p4", "tag=abc")
case("basic", "--may-exist", "add-port", "br0", "p1")
case("basic", "--may-exist", "add-port", "br1", "p1")
case("basic", "--may-exist", "add-port", "fb", "p3")
case("basic", "--may-exist", "add-port", "br0", "p3")
case("basic", "--may-exist", "add-port", "br0", "bond0")
case("basic", "--may-exist", "add-port", "br0", "p4")
case("basic", "add-port", "br0", "x", "--", "add-port", "br0", "x")
case("basic", "add-port", "br0", "x", "--", "add-port", "br1", "y",
     "--", "list-ports", "br0", "--", "list-ports", "br1")
case("basic", "add-port", "br0", "x", "--", "del-port", "x")
case("basic", "add-br", "br2", "--", "add-port", "br2", "r1", "--",
     "list-ports", "br2", "--", "port-to-br", "r1")
case("basic", "del-br", "br0", "--", "add-br", "br0", "--",
     "list-ports", "br0")
case("basic", "add-bond", "br0", "b2", "c", "d")
case("basic", "--fake-iface", "add-bond", "br0", "b2", "c", "d")
case("basic", "add-bond", "br0", "b2", "c", "d", "lacp=active",
     "bond_mode=balance-slb")
case("basic", "add-bond", "fb", "b2", "c", "d")
case("basic", "add-bond", "br0", "b2", "c")
case("basic", "add-bond", "br0", "b2", "c", "x=1", "d")
case("basic", "add-bond", "br0", "b2", "a", "d")
case("basic", "add-bond", "br0", "b2", "p1", "d")
case("basic", "--may-exist", "add-bond", "br0", "bond0", "a", "b")
case("basic", "--may-exist", "add-bond", "br0", "bond0", "b", "a")
case("basic", "--may-exist", "add-bond", "br0", "bond0", "a", "c")
case("basic", "--may-exist", "add-bond", "br1", "bond0", "a", "b")
case("basic", "del-port", "p1")
case("basic", "del-port", "br0", "p1")
case("basic", "del-port", "bond0")
case("basic", "del-port", "fb", "p3")
case("basic", "del-port", "br0", "p3")
case("basic", "del-port", "fb", "p1")
case("basic", "del-port", "br1", "p1")
case("basic", "del-port", "br9", "p1")
case("basic", "del-port", "p9")
case("basic", "del-port", "br0")
case("basic", "del-port", "fb")
case("basic", "del-port", "br0", "br0")
case("basic", "del-port", "a")
case("basic", "--if-exists", "del-port", "p9")
case("basic", "--if-exists", "del-port", "br0")
case("basic", "--if-exists", "del-port", "br0", "p9")
case("basic", "--if-exists", "del-port", "fb", "p1")
case("basic", "--with-iface", "del-port", "a")
case("basic", "--with-iface", "del-port", "br0", "b")
case("basic", "--with-iface", "del-port", "br1", "b")
case("basic", "--with-iface", "del-port", "p1")
case("basic", "--with-iface", "del-port", "p9")
case("basic", "--if-exists", "--with-iface", "del-port", "p9")

# Chains and global options around these commands.
case("basic", "add-bond", "br0", "b2", "x", "x",
     stderr_differs="the server's transaction error is worded, not JSON")
case("basic", "add-port", "fb", "p5", "--", "list-ports", "fb", "--",
     "list-ports", "br0", "--", "port-to-br", "p5")
case("basic", "add-port", "br0", "p5", "tag=10", "--", "list-ports", "fb")
case("basic", "add-br", "fb2", "br0", "20", "--", "add-port", "fb2", "p5",
     "--", "list-ports", "fb2", "--", "br-to-parent", "fb2")
case("basic", "del-port", "p3", "--", "del-br", "fb", "--", "list-br")
case("basic", "--dry-run", "add-port", "br0", "p4")
case("basic", "--dry-run", "del-br", "br0")
case("basic", "--oneline", "list-ports", "br0", "--", "list-ifaces", "br0",
     "--", "br-get-external-id", "br0")
case("basic", "add-port", "br0", "p4", "--", "br-exists", "br9")
case("basic", "del-port", "br0", "p2", "--", "add-port", "br1", "p2",
     "--", "port-to-br", "p2")

# Long chains: the rows they name are more than xsw-ctl fetches by name.
W = ["w%d" % i for i in range(WIDE_N)]
case("wide", *chain(*[["del-port", "br0", w] for w in W]))
case("wide", *chain(*[["del-port", w] for w in W], ["list-ports", "br0"],
                    ["list-ports", "fb"], ["show"]))
case("wide", *chain(*[["del-port", "br0", w] for w in W[:70]],
                    ["del-port", "br0", "v1"]))
case("wide", *chain(*[["del-port", "br0", w] for w in W[:70]],
                    ["del-port", "br0", "nosuch"]))
case("wide", *chain(*[["--if-exists", "del-port", "br0", w]
                      for w in W[:70] + ["nosuch"]], ["list-ports", "br0"]))
case("wide", *chain(*[["del-port", "fb", w] for w in ["v1", "t1", "p3"]
                      + W[:70]]))
case("wide", *chain(*[["del-port", "br0", w] for w in W[:70]],
                    ["add-port", "fb", "w0"], ["port-to-br", "w0"],
                    ["list-ports", "br0"]))
case("wide", *chain(*[["add-port", "br1", "n%d" % i] for i in range(70)],
                    ["list-ports", "br1"], ["port-to-br", "n69"]))
case("wide", *chain(*[["add-port", "fb", "n%d" % i] for i in range(70)],
                    ["list-ports", "fb"], ["list-br"]))
case("wide", *chain(*[["add-port", "br1", "n%d" % i] for i in range(70)],
                    ["add-port", "br1", "w5"]))
case("wide", *chain(*[["--with-iface", "del-port", w] for w in W[:70]
                      + ["a"]], ["list-ifaces", "br0"]))

# The bridge-only commands fetch the fake ports, not every port.
for args in (["list-br"], ["--fake", "list-br"], ["--real", "list-br"]):
    case("fakes", *args)
for br in ("fb", "fc", "fd", "nf", "br1", "p3"):
    case("fakes", "br-exists", br)
    case("fakes", "br-to-vlan", br)
    case("fakes", "br-to-parent", br)
case("fakes", "list-br", "--", "list-ports", "fb", "--", "list-ports", "br0")
case("fakes", "list-br", "--", "add-port", "fd", "x1", "--", "list-br",
     "--", "port-to-br", "x1", "--", "list-ports", "fd")
case("fakes", "del-port", "p3", "--", "br-to-parent", "fb", "--", "list-br")
case("fakes", "br-exists", "fb", "--", "del-br", "fb", "--", "list-br")
case("fakes", "list-br", "--", "del-port", "br0", "p1", "--", "list-br")
case("fakes", "list-br", "--", "show")

# Manager commands.
for s in ("empty", "init", "mgmt"):
    case(s, "get-manager")
    case(s, "del-manager")
    case(s, "set-manager", "ptcp:6641:127.0.0.1")
    case(s, "get-ssl")
    case(s, "del-ssl")
    case(s, "set-ssl", "k", "c", "ca")
case("mgmt", "set-manager", "ptcp:6641", "tcp:10.0.0.9:6640", "punix:/x",
     "pssl:6642", "ssl:1.2.3.4:6640", "unix:/run/x.sock")
case("mgmt", "set-manager", "ptcp:6640", "--", "get-manager")
case("mgmt", "del-manager", "--", "get-manager", "--", "show")
case("mgmt", "set-manager", "ptcp", "nosuch:1", "tcpx:1", ":6640", "")
case("mgmt", "--inactivity-probe=5000", "set-manager", "ptcp:6641")
case("mgmt", "--inactivity-probe=abc", "set-manager", "ptcp:6641")
case("mgmt", "--inactivity-probe=-7", "set-manager", "ptcp:6641")
case("mgmt", "--inactivity-probe", "set-manager", "ptcp:6641")
case("mgmt", "--inactivity-probe", "set-manager", "ptcp:6641")
case("mgmt", "--inactivity-probe=5", "get-manager")
case("mgmt", "set-manager")
case("mgmt", "get-manager", "x")
case("mgmt", "--dry-run", "del-manager")
case("mgmt", "set-manager", "ptcp:1", "ptcp:1",
     stderr_differs="the server's transaction error is worded, not JSON")

# SSL commands.
case("mgmt", "--bootstrap", "set-ssl", "a b", "c", "d", "--", "get-ssl")
case("mgmt", "set-ssl", "k", "c", "ca", "--", "get-ssl", "--", "del-ssl",
     "--", "get-ssl")
case("mgmt", "set-ssl", "k", "c")
case("mgmt", "set-ssl", "k", "c", "ca", "x")
case("mgmt", "--bootstrap", "get-ssl")
case("mgmt", "--bootstrap=1", "set-ssl", "k", "c", "ca")
case("mgmt", "--bootstrap=1", "set-ssl", "k", "c", "ca")
case("mgmt", "del-ssl", "--", "show")

# Controller and fail-mode commands.
for s in ("basic", "mgmt"):
    for br in ("br0", "fb", "br1", "br9", "p1"):
        case(s, "get-controller", br)
        case(s, "del-controller", br)
        case(s, "set-controller", br, "tcp:10.1.1.1:6653")
        case(s, "get-fail-mode", br)
        case(s, "del-fail-mode", br)
        case(s, "set-fail-mode", br, "secure")
        case(s, "set-fail-mode", br, "standalone")
case("mgmt", "set-fail-mode", "br0", "closed")
case("mgmt", "set-fail-mode", "fb", "closed")
case("mgmt", "set-fail-mode", "br9", "closed")
case("mgmt", "set-fail-mode", "br0", "")
case("mgmt", "set-fail-mode", "br0")
case("mgmt", "set-controller")
case("mgmt", "set-controller", "br0")
case("mgmt", "set-controller", "br0", "ptcp:1", "tcp:2.2.2.2", "punix:/a",
     "ptcp:1", "--", "get-controller", "br0", "--", "get-controller", "fb")
case("mgmt", "set-controller", "br1", "bogus", "--", "get-controller", "br1")
case("mgmt", "--inactivity-probe=100", "set-controller", "br1", "tcp:x",
     "--", "show")
case("mgmt", "--inactivity-probe=x", "set-controller", "br1", "tcp:x")
case("mgmt", "--inactivity-probe=1", "get-controller", "br0")
case("mgmt", "del-controller", "br0", "--", "get-controller", "br0", "--",
     "del-fail-mode", "br0", "--", "get-fail-mode", "br0", "--",
     "get-fail-mode", "fb")
case("mgmt", "set-fail-mode", "br1", "secure", "--", "get-fail-mode",
     "br1", "--", "set-fail-mode", "br1", "standalone", "--",
     "get-fail-mode", "br1")
case("mgmt", "del-br", "br0", "--", "get-controller", "br0")
case("mgmt", "del-br", "fb", "--", "get-controller", "fb")
case("mgmt", "add-br", "br2", "--", "set-controller", "br2", "tcp:1.1.1.1",
     "--", "set-fail-mode", "br2", "secure", "--", "get-controller", "br2",
     "--", "get-fail-mode", "br2")
for args in (["show"], ["emer-reset"], ["emer-reset", "--", "show"],
             ["--oneline", "get-manager", "--", "get-ssl", "--",
              "get-controller", "br0"]):
    case("mgmt", *args)

# Bridge commands against a database without an Open_vSwitch row.
for args in (["list-br"], ["br-exists", "br0"], ["show"],
             ["list-ports", "br0"]):
    case("empty", *args)


# ---- Running. ----

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")
# A log line's time and sequence number differ from run to run (and xsw's
# log lines carry milliseconds); its module, level and message are kept.
LOG_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\|\d+\|", re.M)


def normalize_stderr(text):
    text = LOG_RE.sub("LOG|", text)
    # getopt's messages start with argv[0] as given (a path for xsw-ctl).
    text = re.sub(r"^\S*xsw-ctl: ", "ovs-vsctl: ", text, flags=re.M)
    return UUID_RE.sub("<uuid>", text)


class CopyServer(xswenv.DbServer):
    """A server ('peer': "xsw" or "ovs") serving a copy of the database
    file(s) 'template'."""

    def __init__(self, template, peer):
        super().__init__(peer=peer)
        self.template = template

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="xt-vsctl-")
        self.sock1 = os.path.join(self.dir, "db.sock")
        self.socks = [self.sock1]      # DbServer's 'sock' and 'remote'.
        self.ctl = os.path.join(self.dir, "db.ctl")
        self.db = os.path.join(self.dir, "conf.db")
        self.log = os.path.join(self.dir, "server.log")
        tdir, tname = os.path.split(self.template)
        for f in os.listdir(tdir):
            if f.startswith(tname):
                shutil.copy(os.path.join(tdir, f),
                            os.path.join(self.dir, "conf.db" + f[len(tname):]))
        self.start()
        return self


def build_template(workdir, name, commands):
    """Builds the set-up 'name' with ovs-vsctl on xsw-dbserver, and the same
    rows with the same UUIDs in an ovsdb-server file; returns the paths of
    the xsw-dbserver database and of the ovsdb-server one."""
    with xswenv.DbServer() as db:
        for args in commands:
            db.vsctl(*args)
        schema = json.loads(db.client("get-schema", db.remote))
        tables = sorted(schema["tables"])
        result = db.transact(*[{"op": "select", "table": t, "where": []}
                               for t in tables])
        db.stop()
        dest = os.path.join(workdir, name + ".db")
        for f in os.listdir(db.dir):
            if f.startswith("conf.db"):
                shutil.copy(os.path.join(db.dir, f),
                            dest + f[len("conf.db"):])
    # One transaction record holding every row, appended to a new
    # ovsdb-server file in its own log format ("OVSDB JSON <length> <SHA-1>"
    # and the JSON text): a set-up can be far bigger than a command line,
    # which is all that "ovsdb-tool transact" reads.
    txn = {}
    for t, r in zip(tables, result):
        for row in r["rows"]:
            uuid = row.pop("_uuid")[1]
            row.pop("_version", None)
            txn.setdefault(t, {})[uuid] = row
    ovs_dest = os.path.join(workdir, name + ".ovsdb")
    xswenv.run(["ovsdb-tool", "create", ovs_dest, xswenv.VSWITCH_SCHEMA])
    if txn:
        txn["_date"] = 0
        text = json.dumps(txn, separators=(",", ":")).encode()
        with open(ovs_dest, "ab") as f:
            f.write(b"OVSDB JSON %d %s\n" % (
                len(text), hashlib.sha1(text).hexdigest().encode()))
            f.write(text + b"\n")
    return dest, ovs_dest


def dump(db):
    """The whole database, canonical: rows matched by name, not UUID."""
    schema = json.loads(db.client("get-schema", db.remote))
    tables = sorted(schema["tables"])
    ops = [{"op": "select", "table": t, "where": []} for t in tables]
    result = db.transact(*ops)
    names = {}
    for t, r in zip(tables, result):
        for row in r["rows"]:
            name = row.get("name", row.get("target"))
            names[row["_uuid"][1]] = "%s:%s" % (t, json.dumps(name))

    def canon(v):
        if isinstance(v, list) and len(v) == 2 and v[0] == "uuid":
            return ["uuid", names.get(v[1], "<uuid>")]
        if isinstance(v, list) and len(v) == 2 and v[0] in ("set", "map"):
            return [v[0], sorted((canon(x) for x in v[1]),
                                 key=json.dumps)]
        if isinstance(v, list):
            return [canon(x) for x in v]
        return v

    out = {}
    for t, r in zip(tables, result):
        rows = []
        for row in r["rows"]:
            rows.append({c: canon(v) for c, v in row.items()
                         if c not in ("_uuid", "_version")})
        out[t] = sorted(rows, key=lambda x: json.dumps(x, sort_keys=True))
    return out


def describe(args):
    """The command line, with the middle of a long chain elided."""
    text = " ".join(args)
    if len(text) > 160:
        text = "%s ... %s (%d commands)" % (text[:70], text[-70:],
                                            args.count("--") + 1)
    return text


# The four runs of a case: (program, server).  The first is the reference.
RUNS = [("ovs-vsctl", "ovs"), ("xsw-ctl", "ovs"), ("ovs-vsctl", "xsw"),
        ("xsw-ctl", "xsw")]


def run_one(template, prog, peer, args):
    """Runs 'args' with 'prog' on a 'peer' server serving a copy of
    'template'; returns (stdout, stderr, status, database dump)."""
    with CopyServer(template, peer) as db:
        env = dict(os.environ, OVS_RUNDIR=db.dir, XSW_RUNDIR=db.dir)
        # Global options go first, as the tools read them; the command
        # line under test follows unchanged.
        p = subprocess.run([XSW_CTL if prog == "xsw-ctl" else "ovs-vsctl",
                            "--db=" + db.remote, "--no-wait",
                            "--timeout=20"] + args, capture_output=True,
                           text=True, timeout=60, env=env)
        return p.stdout, p.stderr, p.returncode, dump(db)


def run_case(checks, templates, setup, args, stderr_differs):
    what = "%s: %s" % (setup, describe(args))
    # The four runs are independent: run them side by side (most of each
    # is waiting for a server to start or a client to connect).
    with concurrent.futures.ThreadPoolExecutor(len(RUNS)) as pool:
        results = list(pool.map(
            lambda run: run_one(templates[setup][0 if run[1] == "xsw" else 1],
                                run[0], run[1], args), RUNS))

    def view(result):
        out, err, status, _ = result
        if setup == "empty":
            # The tools create the Open_vSwitch row, each its own UUID.
            out = UUID_RE.sub("<uuid>", out)
        err = normalize_stderr(err)
        if stderr_differs:
            err = bool(err)
        return out, err, status

    want = view(results[0])
    for (prog, peer), result in zip(RUNS[1:], results[1:]):
        label = "%s [%s on %s]" % (what, prog, xswenv.SERVER_NAMES[peer])
        if stderr_differs:
            label += " [stderr differs: %s]" % stderr_differs
        if checks.eq(view(result), want, label):
            checks.eq(result[3], results[0][3], label + " [database]")


def main():
    global XSW_CTL
    if not shutil.which(XSW_CTL):
        print("FAIL %s is not built" % XSW_CTL)
        sys.exit(1)
    checks = xswenv.Checks()
    only = sys.argv[1:]
    workdir = tempfile.mkdtemp(prefix="xt-vsctl-tmpl-")
    try:
        # Private copies of the programs under test: the run takes a while,
        # and a rebuild that relinks them meanwhile must not break it.
        for name in ("XSW_CTL", "XSW_DBSERVER"):
            path = (XSW_CTL if name == "XSW_CTL" else xswenv.XSW_DBSERVER)
            path = shutil.which(path)
            copy = os.path.join(workdir, os.path.basename(path))
            shutil.copy(path, copy)
            if name == "XSW_CTL":
                XSW_CTL = copy
            else:
                xswenv.XSW_DBSERVER = copy
        templates = {}
        for name, commands in SETUPS.items():
            templates[name] = build_template(workdir, name, commands)
        for setup, args, stderr_differs in CASES:
            if only and not any(o in " ".join(args) for o in only):
                continue
            try:
                run_case(checks, templates, setup, args, stderr_differs)
            except Exception as e:
                checks.ok(False, "%s: %s raised %s: %s"
                          % (setup, " ".join(args), type(e).__name__, e))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    main()
