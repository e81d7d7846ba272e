"""Open vSwitch's own daemon as a long-lived client: ovs-vswitchd 3.1
(userspace "netdev" datapath, internal ports as TAPs) on xsw-dbserver and,
side by side in the same run, on ovsdb-server.

One script of ovs-vsctl commands (waiting for cur_cfg, as users run it)
adds and deletes ports and changes tags, trunks, vlan_mode, mtu_request
and ofport_request again and again, and restarts the database server
under the running switch twice.  After every step the two switches
must show the same thing: the datapath's ports (dpif/show), the OpenFlow
ports (ovs-ofctl show), how a broadcast from each port is forwarded
(ofproto/trace: which VLAN config ovs-vswitchd applied), the TAP devices'
MTU and state, and the columns ovs-vswitchd writes back (ofport, mtu,
link_state, admin_state, status, error, cur_cfg, datapath_id...).  Then
packets sent out a port must arrive in Interface:statistics on both, and
ovs-vswitchd's log of the xsw run must hold no warning or error that the
ovsdb-server run lacks.

Each ovs-vswitchd runs in a network namespace of its own ($XT + label), so
that its "ovs-netdev" TAP and the ports' TAPs can collide with nothing on
the host; the namespace, and every device in it, goes when the test ends.
"""
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from xswenv import (DbServer, Checks, Failure, run, die_with_parent,
                    stop_process, log_messages, UUID_RE)

XT = "xt%04x" % (os.getpid() % 65536)
BR = "xtbr"
N_PACKETS = 7            # sent out a port for the statistics check

# Every TAP gets a fixed MAC (Interface:mac), and the bridge a fixed
# hwaddr, so that MACs and the datapath ID are the same in both runs.
MACS = {"xtp%d" % i: "02:00:00:00:00:%02x" % i for i in range(1, 7)}


def add_port(name, *settings):
    """ovs-vsctl arguments adding internal port 'name' with Port
    'settings'."""
    cmd = ["add-port", BR, name, "--", "set", "Interface", name,
           "type=internal", "mac=\"%s\"" % MACS[name]]
    if settings:
        cmd += ["--", "set", "Port", name] + list(settings)
    return cmd


# The script: each entry is one ovs-vsctl invocation ("--"-joined commands
# form one transaction), a ("shell", ...) step run in the namespace, or
# ("restart",): the database server restarts under the running switch,
# which reconnects and resumes its monitor, or ("away", ARGS...): ARGS
# change the database while the switch is disconnected.
# Ports are added one per transaction: ovs-vswitchd numbers the ports
# added together in hash order, which differs from run to run whatever the
# server.
SCRIPT = [
    ["add-br", BR, "--", "set", "Bridge", BR, "datapath_type=netdev",
     "other_config:hwaddr=\"02:00:00:00:00:fe\""],
    add_port("xtp1", "tag=10"),
    add_port("xtp2", "tag=20"),
    add_port("xtp3", "trunks=10,20"),
    add_port("xtp4"),
    ["set", "Port", "xtp1", "tag=20"],
    ["set", "Port", "xtp1", "tag=30"],
    ["clear", "Port", "xtp1", "tag"],
    ["set", "Port", "xtp1", "tag=10"],
    ["set", "Port", "xtp3", "trunks=10,20,30"],
    ["add", "Port", "xtp3", "trunks", "40"],
    ["remove", "Port", "xtp3", "trunks", "10"],
    ["clear", "Port", "xtp3", "trunks"],
    ["set", "Port", "xtp3", "vlan_mode=native-untagged", "tag=30",
     "trunks=20"],
    ["set", "Port", "xtp3", "vlan_mode=access"],
    ["clear", "Port", "xtp3", "vlan_mode", "tag", "trunks"],
    ["set", "Interface", "xtp2", "mtu_request=1400"],
    ["set", "Interface", "xtp2", "mtu_request=9000"],
    ["clear", "Interface", "xtp2", "mtu_request"],
    ["set", "Interface", "xtp4", "mtu_request=1280"],
    ("shell", "ip", "link", "set", "xtp1", "up"),
    ("shell", "ip", "link", "set", "xtp4", "up"),
    ["del-port", "xtp4"],
    add_port("xtp4", "tag=40") + ["--", "set", "Interface", "xtp4",
                                  "ofport_request=10"],
    ["del-port", "xtp2", "--", "del-port", "xtp3"],
    add_port("xtp2", "tag=20"),
    add_port("xtp3", "trunks=20,40"),
    add_port("xtp5") + ["--", "set", "Interface", "xtp5",
                        "ofport_request=20", "mtu_request=2000"],
    ("shell", "ip", "link", "set", "xtp1", "down"),
    # A mirror (non-root, held by the bridge; its output port a weak
    # reference) and QoS (a root table).  (Not ingress policing: it goes
    # through tc, which fails here and floods the log with warnings.)
    ["--", "--id=@p", "get", "Port", "xtp4", "--", "--id=@m", "create",
     "Mirror", "name=xtm0", "select_all=true", "output_port=@p", "--",
     "set", "Bridge", BR, "mirrors=@m"],
    ["set", "Port", "xtp2", "qos=@q", "--", "--id=@q", "create", "QoS",
     "type=egress-policer", "other_config:cir=1000000",
     "other_config:cbs=2048"],
    ("restart",),
    ["set", "Port", "xtp2", "tag=21"],
    ("away", "set", "Port", "xtp2", "tag=22", "--", "set", "Port", "xtp3",
     "trunks=22,40"),
]
# Then the same changes over and over, several in one transaction.
for _i in range(6):
    SCRIPT += [
        ["set", "Port", "xtp1", "tag=%d" % (100 + _i), "--", "set", "Port",
         "xtp2", "trunks=%d,%d" % (200 + _i, 300 + _i), "--", "set",
         "Interface", "xtp5", "mtu_request=%d" % (1500 + 100 * _i)],
        ["clear", "Port", "xtp1", "tag", "--", "clear", "Port", "xtp2",
         "tag", "--", "del-port", "xtp5"],
        add_port("xtp5", "tag=%d" % (500 + _i)),
        add_port("xtp6", "trunks=%d" % (500 + _i)),
        ["del-port", "xtp6", "--", "set", "Port", "xtp2", "tag=20",
         "--", "clear", "Port", "xtp2", "trunks", "--", "set", "Port",
         "xtp5", "trunks=1,2,3"],
    ]
SCRIPT += [
    ["clear", "Interface", "xtp5", "mtu_request"],
    ("restart",),
    ["del-port", "xtp5"],
    ["del-port", "xtp4"],             # the mirror loses its output port
    ["clear", "Bridge", BR, "mirrors"],   # the mirror goes (GC)
    ["clear", "Port", "xtp2", "qos", "--", "--all", "destroy", "QoS"],
    ["del-br", BR],
]

WRITEBACK_COLUMNS = {
    "Open_vSwitch": "cur_cfg,next_cfg,ovs_version,db_version,"
                    "datapath_types,iface_types,system_type,system_version,"
                    "dpdk_initialized",
    "Bridge": "name,datapath_id,datapath_version,datapath_type,status,"
              "rstp_status",
    "Port": "name,tag,trunks,vlan_mode,status,bond_active_slave,qos",
    "Interface": "name,type,ofport,ofport_request,mtu,mtu_request,"
                 "admin_state,link_state,link_speed,duplex,link_resets,"
                 "mac_in_use,ifindex,status,error,lacp_current",
    "Mirror": "name,select_all,output_port,statistics",
    "QoS": "type,other_config",
}


class Switch:
    """ovs-vswitchd on 'db', in network namespace $XT<label>."""

    def __init__(self, db, label):
        self.db = db
        self.peer = label
        self.ns = XT + label
        self.proc = None

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="xt-vswitchd-")
        self.ctl = os.path.join(self.dir, "vswitchd.ctl")
        self.log = os.path.join(self.dir, "vswitchd.log")
        self.env = dict(os.environ, OVS_RUNDIR=self.dir)
        run(["ip", "netns", "add", self.ns])
        try:
            self.start()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def start(self):
        self.nsx("ip", "link", "set", "lo", "up")
        # No IPv6: a TAP brought up would send router solicitations and
        # MLD reports into the switch, and the counters would drift.
        self.nsx("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                 "net.ipv6.conf.default.disable_ipv6=1")
        # "ip netns exec" execs ovs-vswitchd itself: the PID is the
        # daemon's.
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "ovs-vswitchd", self.db.remote,
             "--unixctl=" + self.ctl, "--log-file=" + self.log,
             "-vconsole:off"],
            env=self.env, preexec_fn=die_with_parent,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log + ".stderr", "w"))
        deadline = time.time() + 30
        while run(["ovs-appctl", "-t", self.ctl, "version"],
                  check=False)[1]:
            if self.proc.poll() is not None or time.time() > deadline:
                raise Failure("ovs-vswitchd on %s did not start: %s"
                              % (self.peer, self.stderr_text()))
            time.sleep(0.1)

    def stderr_text(self):
        try:
            return open(self.log + ".stderr").read()
        except OSError:
            return ""

    def log_text(self):
        try:
            return open(self.log).read()
        except OSError:
            return ""

    def nsx(self, *args, check=True):
        return run(["ip", "netns", "exec", self.ns] + list(args),
                   check=check)[0]

    def vsctl(self, *args):
        # Without --no-wait: ovs-vsctl bumps next_cfg and waits until
        # ovs-vswitchd has applied the change and written cur_cfg back.
        out, err = run(["ovs-vsctl", "--db=" + self.db.remote,
                        "--timeout=30"] + list(args), timeout=45)
        if err:
            raise Failure("ovs-vsctl %s printed on stderr:\n%s"
                          % (" ".join(args), err))
        return out

    def appctl(self, *args, check=True):
        return run(["ovs-appctl", "-t", self.ctl] + list(args),
                   check=check)[0]

    def change_while_away(self, *args):
        """Makes the change 'args' while ovs-vswitchd is disconnected; it
        then reconnects and resumes its monitor from the last update it
        had.  Returns whether it did reconnect."""
        before = self.log_text().count("connection closed by peer")
        with self.db.clients_away() as side:
            run(["ovs-vsctl", "--db=" + side, "--no-wait", "--timeout=20"]
                + list(args))
        deadline = time.time() + 30
        while self.log_text().count("connection closed by peer") == before:
            if time.time() > deadline:
                return False
            time.sleep(0.1)
        return True

    def ofctl(self, *args):
        return run(["ovs-ofctl"] + list(args), env=self.env)[0]

    def ports(self):
        out = self.vsctl("--bare", "--columns=name", "list", "Interface")
        return sorted(n for n in out.split() if n != BR)

    def snapshot(self):
        """What ovs-vswitchd did, in a form the two runs can compare."""
        snap = {}
        bridges = self.vsctl("list-br").split()
        snap["dpif/show"] = re.sub(r"hit:\d+ missed:\d+", "hit:N missed:N",
                                   self.appctl("dpif/show"))
        if BR in bridges:
            snap["ofctl show"] = self.ofctl("show", BR)
            snap["ofctl dump-ports"] = re.sub(
                r"duration=[0-9.]+s", "duration=Ns",
                self.ofctl("dump-ports", BR))
            for port in self.ports():
                for vlan in ("", ",dl_vlan=20", ",dl_vlan=40"):
                    flow = ("in_port=%s,dl_src=02:00:00:00:aa:01,"
                            "dl_dst=ff:ff:ff:ff:ff:ff%s" % (port, vlan))
                    out = self.appctl("ofproto/trace", BR, flow,
                                      check=False)
                    snap["trace " + flow] = [
                        line for line in out.splitlines()
                        if line.startswith(("Datapath actions",
                                            "Megaflow"))] or out
        for table, cols in WRITEBACK_COLUMNS.items():
            rows = json.loads(self.vsctl("--format=json", "--data=json",
                                         "--columns=" + cols, "list",
                                         table))
            # References are UUIDs, which differ between the servers.
            snap["list " + table] = sorted(
                UUID_RE.sub("<uuid>", json.dumps(dict(zip(rows["headings"],
                                                          r)),
                                                 sort_keys=True))
                for r in rows["data"])
        links = self.nsx("ip", "-o", "link", "show")
        snap["ip link"] = sorted(
            re.sub(r"^\d+: ", "", re.sub(r"\\.*", "", line)).strip()
            for line in links.splitlines() if "xt" in line)
        return snap

    def stop(self):
        stop_process(self.proc)
        self.proc = None

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            # The TAPs (ports and "ovs-netdev") outlive ovs-vswitchd; they
            # are ours alone, in our namespace.
            out, _ = run(["ip", "-n", self.ns, "-o", "link", "show"],
                         check=False)
            for line in out.splitlines():
                dev = line.split(": ")[1].split("@")[0]
                if dev.startswith("xt") or dev == "ovs-netdev":
                    run(["ip", "-n", self.ns, "link", "del", dev],
                        check=False)
            run(["ip", "netns", "del", self.ns], check=False)
            if exc[0] is not None:
                sys.stderr.write("ovs-vswitchd log on %s:\n%s\n"
                                 % (self.peer, self.log_text()[-4000:]))
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def diff_snapshots(x, o):
    """The parts of the two snapshots that differ, as a diff."""
    def lines(value):
        if isinstance(value, str):
            return value.splitlines()
        return list(value or [])
    out = []
    for key in sorted(set(x) | set(o)):
        if x.get(key) != o.get(key):
            out.append(key + ":")
            out += [line for line in difflib.unified_diff(
                lines(o.get(key)), lines(x.get(key)), "ovs", "xsw",
                lineterm="", n=0)][2:]
    return "\n     ".join(out)


def wait_same(switches, timeout=20):
    """Polls both switches until their snapshots agree (write-backs such
    as mtu and link_state arrive a moment after cur_cfg); returns the
    last two snapshots."""
    deadline = time.time() + timeout
    while True:
        x, o = (s.snapshot() for s in switches)
        if x == o or time.time() > deadline:
            return x, o
        time.sleep(0.3)


def interface_stat(sw, port, key):
    out = sw.vsctl("--if-exists", "get", "Interface", port,
                   "statistics:" + key).strip()
    return int(out) if out else None


def test_vswitchd(c):
    # XT_PEER=ovs: both switches on ovsdb-server, a check of the test.
    with DbServer(peer=os.environ.get("XT_PEER", "xsw")) as xdb, \
            DbServer(peer="ovs") as odb, \
            Switch(xdb, "xsw") as xsw, Switch(odb, "ovs") as ovs:
        switches = (xsw, ovs)
        for sw in switches:
            sw.vsctl("init")
        failed_steps = 0
        for step, cmd in enumerate(SCRIPT):
            what = " ".join(cmd[1:] if cmd[0] == "shell" else cmd)
            for sw in switches:
                if cmd[0] == "shell":
                    sw.nsx(*cmd[1:])
                elif cmd[0] == "restart":
                    what = "the database server restarts"
                    sw.db.stop()
                    sw.db.start()
                elif cmd[0] == "away":
                    what = ("while ovs-vswitchd is disconnected: %s"
                            % " ".join(cmd[1:]))
                    c.ok(sw.change_while_away(*cmd[1:]),
                         "%s: ovs-vswitchd was disconnected and reconnected"
                         % sw.peer)
                else:
                    try:
                        sw.vsctl(*cmd)
                    except Failure as e:
                        c.ok(False, "step %d on %s: ovs-vsctl %s" % (
                            step, sw.peer, what), str(e))
            x, o = wait_same(switches)
            if not c.ok(x == o, "step %d: %s: ovs-vswitchd did the same on "
                        "both servers" % (step, what),
                        diff_snapshots(x, o)):
                failed_steps += 1
                if failed_steps >= 3:
                    c.ok(False, "stopped after 3 steps that differ")
                    break
            if step == 4:
                # Sanity: the snapshot holds what the test relies on.
                ofports = {json.loads(r)["name"]: json.loads(r)["ofport"]
                           for r in x["list Interface"]}
                c.ok(all(isinstance(ofports.get(p), int)
                         and ofports[p] > 0
                         for p in ("xtp1", "xtp2", "xtp3", "xtp4")),
                     "ofport written back for every port", repr(ofports))
                trace = x["trace in_port=xtp1,dl_src=02:00:00:00:aa:01,"
                          "dl_dst=ff:ff:ff:ff:ff:ff"]
                c.ok(any("push_vlan(vid=10" in t for t in trace),
                     "xtp1 (tag 10) floods tagged into trunk xtp3",
                     repr(trace))

        # Write-backs: cur_cfg caught up with next_cfg on both.
        for sw in switches:
            cfg = sw.vsctl("get", "Open_vSwitch", ".", "cur_cfg",
                           "next_cfg").split()
            c.ok(len(cfg) == 2 and cfg[0] == cfg[1] and int(cfg[0]) > 0,
                 "%s: cur_cfg written back, equal to next_cfg" % sw.peer,
                 repr(cfg))

        # Statistics: packets sent out xtp1 by OpenFlow show up in its
        # Interface:statistics (written every 5 s) on both servers.
        for sw in switches:
            # --may-exist: the script may have stopped half-way.
            sw.vsctl("--may-exist", "add-br", BR, "--", "set", "Bridge", BR,
                     "datapath_type=netdev",
                     "other_config:hwaddr=\"02:00:00:00:00:fe\"")
            sw.vsctl("--may-exist", *add_port("xtp1"))
            sw.nsx("ip", "link", "set", "xtp1", "up")
            packet = ("ffffffffffff" "020000000001" "88b5"
                      + "00" * 50)
            for _ in range(N_PACKETS):
                sw.ofctl("packet-out", BR, "in_port=controller,packet=%s,"
                         "actions=output:xtp1" % packet)
        deadline = time.time() + 30
        while True:
            stats = [interface_stat(sw, "xtp1", "tx_packets")
                     for sw in switches]
            if stats == [N_PACKETS] * 2 or time.time() > deadline:
                break
            time.sleep(0.5)
        c.eq(stats, [N_PACKETS] * 2, "Interface xtp1 statistics:tx_packets "
             "written back by ovs-vswitchd (xsw, ovs)")
        dumps = [re.sub(r"duration=[0-9.]+s", "duration=Ns",
                        sw.ofctl("dump-ports", BR, "xtp1"))
                 for sw in switches]
        c.eq(dumps[0], dumps[1], "ovs-ofctl dump-ports: the same counters")

        # The logs as they are while everything runs: what a daemon logs
        # as it is killed is no part of the comparison (ovs-vswitchd's
        # "terminating with signal 15" comes out or not, as it happens).
        logs = {}
        for sw in switches:
            c.ok(sw.proc.poll() is None and sw.db.alive(),
                 "%s: ovs-vswitchd and its database server still running"
                 % sw.peer)
            logs[sw.peer] = sw.log_text()
            sw.stop()
        levels = ("WARN", "ERR", "EMER")
        xlog = log_messages(logs["xsw"], levels)
        olog = log_messages(logs["ovs"], levels)
        extra = [m for m in xlog if m not in olog]
        c.ok(not extra, "ovs-vswitchd's log on xsw: no warning or error "
             "that the ovsdb-server run lacks",
             "only on xsw: %r\n     on ovsdb-server: %r" % (extra, olog))
        # Both logged the same reconfigurations (added/deleted interfaces,
        # datapath ID).  Sorted: ports deleted together go in hash order.
        xinfo = sorted(m for m in log_messages(logs["xsw"], ("INFO",))
                       if m.startswith("bridge|"))
        oinfo = sorted(m for m in log_messages(logs["ovs"], ("INFO",))
                       if m.startswith("bridge|"))
        c.eq(xinfo, oinfo, "ovs-vswitchd's bridge log: the same "
             "reconfigurations on both servers")
    # Nothing left behind: the namespaces went with every TAP in them.
    left = [ns for ns in run(["ip", "netns", "list"])[0].split()
            if ns.startswith(XT)]
    c.eq(left, [], "the test's namespaces (and their TAPs) are gone")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    checks = Checks()
    checks.run(test_vswitchd)
    checks.finish()
