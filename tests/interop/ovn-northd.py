"""OVN as a heavy client: ovn-northd 23.03 with its northbound and
southbound databases on xsw-dbserver and, side by side in the same run, on
ovsdb-server (one server per database, as ovn-ctl runs them).

One script drives both through ovn-nbctl --wait=sb (switches, ports with
static and dynamic addresses, routers, gateway ports, NAT, static routes,
ACLs, address sets, port groups, load balancers with a health check, DHCP
options, deletions; in daemon mode, one long-lived replica of the
northbound database) and ovn-sbctl (a chassis, lsp-bind, Port_Binding up,
lsp-unbind), restarts each database server once under the running
daemons, and stops the active northd half-way so that the standby one,
queued on the southbound lock, takes over.  After every step both
deployments must hold the same contents in both databases (UUIDs mapped
to what the rows hold, time stamps blanked): the southbound database
northd computed, and what northd wrote back to the northbound one
(sb_cfg, Logical_Switch_Port up, dynamic_addresses...).  At the end the
logs of northd and of the ovn-nbctl daemon in the xsw run must hold no
warning or error that the ovsdb-server run lacks.

XT_STORAGE=etcd XT_FRONT_ENDS=2 runs xsw as issue 16 has it: both
databases in one etcd, served by two xsw-dbserver front ends (each serves
both), the active northd on front end 1 and the standby on front end 2,
which queue on the southbound lock across them (dbserver/etcd-lock.c);
ovn-sbctl writes through front end 1, the ovn-nbctl daemon through front
end 2, and the contents are read through front end 2.  The "restart sb"
step restarts front end 2, "restart nb" front end 1 (under the active
northd: the standby on front end 2 takes the lock), and "away" closes the
clients of both.  The ovsdb-server side is the same as ever.
"""
import contextlib
import difflib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from xswenv import (DbServer, Checks, Etcd, EtcdFrontEnd, Failure, run,
                    die_with_parent, stop_process, log_messages, storage,
                    UUID_RE, XSW_DBSERVER)

NB_SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"
SB_SCHEMA = "/usr/share/ovn/ovn-sb.ovsschema"

DHCP_OPTIONS = ('options={lease_time="3600", router="10.0.0.1", '
                'server_id="10.0.0.1", server_mac="c0:ff:ee:00:00:01"}')

# The script: ("nb", ARGS) runs ovn-nbctl --wait=sb ARGS, ("sb", ARGS)
# ovn-sbctl ARGS, ("restart", "nb"|"sb") restarts that database's server
# under northd and the ovn-nbctl daemon, which reconnect and resume, and
# ("failover",) stops the active northd: the standby takes over, and
# ("away", "nb"|"sb", ARGS) makes a change while northd is disconnected
# from that database.
# Objects are created one per transaction: northd hands out tunnel keys
# and dynamic addresses in creation order then, the same on both servers,
# where rows created together go in hash order.
SCRIPT = [
    ("nb", "ls-add", "xtsw0"),
    ("nb", "set", "Logical_Switch", "xtsw0",
     "other_config:subnet=10.0.0.0/24",
     "other_config:exclude_ips=10.0.0.1..10.0.0.9"),
    ("nb", "ls-add", "xtsw1"),
    ("nb", "lsp-add", "xtsw0", "xtp0", "--", "lsp-set-addresses", "xtp0",
     "00:00:00:00:00:10 10.0.0.10"),
    ("nb", "lsp-set-port-security", "xtp0", "00:00:00:00:00:10 10.0.0.10"),
    ("nb", "lsp-add", "xtsw0", "xtp1", "--", "lsp-set-addresses", "xtp1",
     "dynamic"),
    ("nb", "lsp-add", "xtsw0", "xtp2", "--", "lsp-set-addresses", "xtp2",
     "dynamic"),
    ("nb", "lsp-add", "xtsw1", "xtq0", "--", "lsp-set-addresses", "xtq0",
     "00:00:00:00:01:10 10.0.1.10"),
    ("nb", "lr-add", "xtlr0"),
    ("nb", "lrp-add", "xtlr0", "xtlrp0", "00:00:00:00:ff:01", "10.0.0.1/24"),
    ("nb", "lsp-add", "xtsw0", "xtsw0-lr", "--", "lsp-set-type", "xtsw0-lr",
     "router", "--", "lsp-set-addresses", "xtsw0-lr", "router", "--",
     "lsp-set-options", "xtsw0-lr", "router-port=xtlrp0"),
    ("nb", "lrp-add", "xtlr0", "xtlrp1", "00:00:00:00:ff:02", "10.0.1.1/24"),
    ("nb", "lsp-add", "xtsw1", "xtsw1-lr", "--", "lsp-set-type", "xtsw1-lr",
     "router", "--", "lsp-set-addresses", "xtsw1-lr", "router", "--",
     "lsp-set-options", "xtsw1-lr", "router-port=xtlrp1"),
    ("nb", "lrp-add", "xtlr0", "xtlrp-gw", "00:00:00:00:ff:03",
     "172.16.0.254/24"),
    ("nb", "lrp-set-gateway-chassis", "xtlrp-gw", "xtch1", "10"),
    ("nb", "lr-route-add", "xtlr0", "0.0.0.0/0", "172.16.0.1"),
    ("nb", "lr-nat-add", "xtlr0", "snat", "172.16.0.100", "10.0.0.0/24"),
    ("nb", "lr-nat-add", "xtlr0", "dnat_and_snat", "172.16.0.110",
     "10.0.0.10"),
    ("nb", "acl-add", "xtsw0", "from-lport", "1000",
     "ip4.src == 10.0.0.10 && tcp.dst == 22", "drop"),
    ("nb", "acl-add", "xtsw0", "to-lport", "1001",
     "outport == \"xtp1\" && ip4", "allow-related"),
    ("nb", "create", "Address_Set", "name=xtas0",
     "addresses=\"10.0.0.10\",\"10.0.0.11\""),
    ("nb", "acl-add", "xtsw1", "to-lport", "900",
     "ip4.src == $xtas0", "allow"),
    ("restart", "sb"),
    ("nb", "pg-add", "xtpg0", "xtp0", "xtp1"),
    ("nb", "--type=port-group", "acl-add", "xtpg0", "to-lport", "1002",
     "outport == @xtpg0 && ip4.src == $xtpg0_ip4", "allow"),
    ("nb", "pg-set-ports", "xtpg0", "xtp0", "xtp1", "xtp2"),
    ("nb", "lb-add", "xtlb0", "10.0.0.100:80", "10.0.0.10:8080,10.0.0.11:8080",
     "tcp"),
    ("nb", "ls-lb-add", "xtsw0", "xtlb0"),
    ("nb", "lr-lb-add", "xtlr0", "xtlb0"),
    ("nb", "set", "Load_Balancer", "xtlb0",
     "ip_port_mappings:10.0.0.10=xtp0:10.0.0.2"),
    ("nb", "--id=@hc", "create", "Load_Balancer_Health_Check",
     "vip=\"10.0.0.100:80\"", "options:interval=5", "--", "add",
     "Load_Balancer", "xtlb0", "health_check", "@hc"),
    ("restart", "nb"),
    ("nb", "lb-add", "xtlb1", "10.0.1.100", "10.0.1.10"),
    ("failover",),
    ("nb", "ls-lb-add", "xtsw1", "xtlb1"),
    ("nb", "--id=@d", "create", "DHCP_Options", "cidr=10.0.0.0/24",
     DHCP_OPTIONS, "--", "set", "Logical_Switch_Port", "xtp0",
     "dhcpv4_options=@d"),
    ("nb", "set", "Logical_Switch_Port", "xtp2",
     "addresses=\"00:00:00:00:00:12 dynamic\""),
    # Port up: a chassis claims xtp0 and reports it up; lsp-unbind takes
    # it down again.
    ("sb", "chassis-add", "xtch1", "geneve", "127.0.0.1"),
    ("sb", "set", "Chassis", "xtch1", "other_config:port-up-notif=true"),
    ("sb", "lsp-bind", "xtp0", "xtch1"),
    ("sb", "set", "Port_Binding", "xtp0", "up=true"),
    ("sb", "lsp-unbind", "xtp0"),
    ("sb", "lsp-bind", "xtp1", "xtch1"),
    ("sb", "set", "Port_Binding", "xtp1", "up=true"),
    ("away", "sb", "set", "Port_Binding", "xtp1", "up=false"),
    ("sb", "set", "Port_Binding", "xtp1", "up=true"),
    ("away", "nb", "lsp-set-addresses", "xtp1", "00:00:00:00:00:11"),
    # Changes and deletions.
    ("nb", "lsp-set-enabled", "xtp1", "disabled"),
    ("nb", "acl-del", "xtsw0", "to-lport", "1001",
     "outport == \"xtp1\" && ip4"),
    ("nb", "lr-nat-del", "xtlr0", "dnat_and_snat", "172.16.0.110"),
    ("nb", "lb-del", "xtlb1"),
    ("nb", "pg-set-ports", "xtpg0", "xtp2"),
    ("nb", "lsp-del", "xtp1"),
    ("nb", "lrp-del", "xtlrp1"),
    ("nb", "ls-del", "xtsw1"),
    ("sb", "chassis-del", "xtch1"),
]
# (port, NB Logical_Switch_Port:up wanted) after the step with that index.
UP_CHECKS = {
    next(i for i, s in enumerate(SCRIPT) if s[1:4] == ("set", "Port_Binding",
                                                      "xtp0")): ("xtp0", True),
    next(i for i, s in enumerate(SCRIPT) if s[1:3] == ("lsp-unbind", "xtp0")):
        ("xtp0", False),
}


def read_text(path):
    try:
        return open(path).read()
    except OSError:
        return ""


def select_all(db, schema):
    """Every row of every table of 'db', as {table: [row...]}."""
    name = json.load(open(schema))["name"]
    tables = sorted(json.load(open(schema))["tables"])
    result = db.transact(*[{"op": "select", "table": t, "where": []}
                           for t in tables], db=name)
    return {t: r["rows"] for t, r in zip(tables, result)}


def canonical_dump(dbs):
    """The rows of several databases ({name: {table: rows}}) as sorted
    lines, with every UUID, in a reference or inside a string (external_ids
    such as logical-switch, and stage-hint's 8-digit prefix), replaced by a
    digest of what the row it names holds; and the same rows as lines for
    people to read.  Two deployments that hold the
    same data give the same lines whatever UUIDs their servers chose."""
    rows = {}
    for dbname, tables in dbs.items():
        for table, trows in tables.items():
            for row in trows:
                uuid = row["_uuid"][1]
                body = {k: v for k, v in row.items()
                        if k not in ("_uuid", "_version")}
                for col in body:
                    if "timestamp" in col:
                        body[col] = "<time>"
                rows[uuid] = (dbname, table, body)
    prefixes = {}
    for uuid in rows:
        prefixes.setdefault(uuid[:8], []).append(uuid)

    def subst(value, labels):
        if isinstance(value, dict):
            return {k: subst(v, labels) for k, v in value.items()}
        if isinstance(value, list):
            if len(value) == 2 and value[0] in ("uuid", "named-uuid"):
                return ["uuid", labels.get(value[1], "<dangling>")]
            if len(value) == 2 and value[0] in ("set", "map"):
                elems = [subst(e, labels) for e in value[1]]
                return [value[0], sorted(elems, key=json.dumps)]
            return [subst(e, labels) for e in value]
        if isinstance(value, str):
            value = UUID_RE.sub(lambda m: labels.get(m.group(0), "<uuid>"),
                                value)
            if re.fullmatch(r"[0-9a-f]{8}", value) and \
                    len(prefixes.get(value, [])) == 1:
                # A logical flow's stage-hint: the first 8 digits of the
                # northbound row it comes from.  Where several rows make
                # one flow (load balancers sharing a switch), northd takes
                # the first in hash order: keep only the row's table.
                dbname, table, _ = rows[prefixes[value][0]]
                value = "<%s %s>" % (dbname, table)
            return value
        return value

    # Refine: each round labels a row by its contents with the labels of
    # the previous round substituted; a few rounds reach the rows' whole
    # neighbourhood (references rarely chain deeper than 3).
    labels = {}
    for _ in range(4):
        new = {}
        for uuid, (dbname, table, body) in rows.items():
            text = json.dumps([dbname, table, subst(body, labels)],
                              sort_keys=True)
            new[uuid] = "@" + hashlib.sha1(text.encode()).hexdigest()[:10]
        labels = new
    lines = []
    for uuid, (dbname, table, body) in rows.items():
        lines.append("%s %s %s %s" % (dbname, table, labels[uuid],
                                      json.dumps(subst(body, labels),
                                                 sort_keys=True)))
    # For people: one line per column, each reference shown as the table
    # and name of the row it names, so that a diff shows the columns that
    # differ and not every row that refers to a differing one.
    names = {}
    for uuid, (dbname, table, body) in rows.items():
        name = next((body[k] for k in ("name", "logical_port")
                     if isinstance(body.get(k), str)), "")
        names[uuid] = "<%s %s>" % (table, name) if name else "<%s>" % table
    readable = sorted("%s %s %s %s=%s" % (dbname, table, names[uuid], col,
                                          json.dumps(subst(value, names),
                                                     sort_keys=True))
                      for uuid, (dbname, table, body) in rows.items()
                      for col, value in body.items())
    return sorted(lines), readable


class FrontEndsDb:
    """One database of EtcdFrontEnds, as Ovn uses a DbServer: its remote
    for each client ('remote' is front end 1's), the front end that its
    "restart" step restarts, and reads through front end 2."""

    def __init__(self, front_ends, schema, restarts):
        self.front_ends = front_ends
        self.name = json.load(open(schema))["name"]
        self.restarts = restarts
        self.remote = self.remote_for(0)
        self.sock = front_ends.fes[0].sock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def remote_for(self, i):
        return self.front_ends.fes[i % len(self.front_ends.fes)].remote

    def transact(self, *ops, db):
        out = run(["ovsdb-client", "--timeout=20", "transact",
                   self.remote_for(1), json.dumps([db] + list(ops))])[0]
        return json.loads(out)

    def stop(self):
        self.front_ends.fes[self.restarts].stop()

    def start(self):
        self.front_ends.fes[self.restarts].start()

    def alive(self):
        return all(fe.alive() for fe in self.front_ends.fes)

    @contextlib.contextmanager
    def clients_away(self):
        with contextlib.ExitStack() as stack:
            sides = [stack.enter_context(fe.clients_away())
                     for fe in self.front_ends.fes]
            yield sides[0]


class EtcdFrontEnds:
    """One etcd holding OVN_Northbound and OVN_Southbound, and 'n'
    xsw-dbserver front ends serving both; 'nb' and 'sb' stand for the
    databases (FrontEndsDb)."""

    def __init__(self, n):
        self.n = n
        self.etcd = None
        self.fes = []

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="xt-northd-etcd-")
        try:
            self.etcd = Etcd(self.dir).start()
            for schema in (NB_SCHEMA, SB_SCHEMA):
                run([XSW_DBSERVER, "--storage=etcd:" + self.etcd.url,
                     "--create", schema])
            for i in range(self.n):
                fe = EtcdFrontEnd(self.etcd.url, self.dir, "fe%d" % (i + 1),
                                  dbs=("OVN_Northbound", "OVN_Southbound"))
                self.fes.append(fe)
                fe.start()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        self.nb = FrontEndsDb(self, NB_SCHEMA, restarts=0)
        self.sb = FrontEndsDb(self, SB_SCHEMA, restarts=1 % self.n)
        return self

    def __exit__(self, *exc):
        try:
            for fe in self.fes:
                if exc[0] is not None:
                    sys.stderr.write("%s's log:\n%s\n" % (
                        fe.sock, read_text(fe.log)[-3000:]))
                fe.stop()
        finally:
            if self.etcd:
                self.etcd.stop()
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


class Ovn:
    """ovn-northd on a northbound and a southbound server of kind 'peer'
    ("xsw" or "ovs"), called 'label' in messages; for xsw with
    XT_STORAGE=etcd and XT_FRONT_ENDS=N (N >= 2), N front ends on one etcd
    (see the top of this file)."""

    def __init__(self, peer, label):
        self.peer = label
        self.northds = []         # every ovn-northd started, in order
        n = int(os.environ.get("XT_FRONT_ENDS", "1"))
        self.front_ends = None
        if peer == "xsw" and storage() == "etcd" and n >= 2:
            self.front_ends = EtcdFrontEnds(n)
            return
        self.nb = DbServer(peer=peer, schema=NB_SCHEMA)
        self.sb = DbServer(peer=peer, schema=SB_SCHEMA)

    def remote_for(self, db, i):
        """The remote of database 'db' for the i-th client."""
        return db.remote_for(i) if self.front_ends else db.remote

    def __enter__(self):
        if self.front_ends:
            self.front_ends.__enter__()
            self.nb, self.sb = self.front_ends.nb, self.front_ends.sb
        self.nb.__enter__()
        try:
            self.sb.__enter__()
        except BaseException:
            self.nb.__exit__(*sys.exc_info())
            raise
        self.dir = tempfile.mkdtemp(prefix="xt-northd-")
        try:
            self.start()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def start(self):
        # A fixed MAC prefix and service monitor MAC: northd picks random
        # ones otherwise.
        run(["ovn-nbctl", "--db=" + self.nb.remote, "--timeout=20",
             "init", "--", "set", "NB_Global", ".",
             "options:mac_prefix=0a:00:00",
             "options:svc_monitor_mac=\"0a:00:00:00:00:fe\""])
        run(["ovn-sbctl", "--db=" + self.sb.remote, "--timeout=20",
             "init"])
        # Two ovn-northd, as deployments run them: the one that gets the
        # southbound lock works, the other waits in the lock's queue.
        self.northd = self.start_northd("northd1", 0)
        self.wait_status(self.northd, "active")
        self.standby = self.start_northd("northd2", 1)
        self.wait_status(self.standby, "standby")
        # ovn-nbctl's daemon mode: one long-lived replica of the northbound
        # database runs every "nb" step of the script.
        self.nbctl_pidfile = os.path.join(self.dir, "ovn-nbctl.pid")
        self.nbctl_log = os.path.join(self.dir, "ovn-nbctl.log")
        out, _ = run(["ovn-nbctl", "--db=" + self.remote_for(self.nb, 1),
                      "--detach",
                      "--pidfile=" + self.nbctl_pidfile,
                      "--log-file=" + self.nbctl_log, "-vconsole:off"],
                     env=dict(os.environ, OVN_RUNDIR=self.dir))
        self.nbctl_daemon = out.strip()
        self.nbctl_pid = int(open(self.nbctl_pidfile).read())
        # A detached daemon is no child of ours, and nothing would stop it
        # if the test were killed: a guard that is a child (and gets
        # SIGTERM when the test dies) stops it then.
        self.nbctl_guard = subprocess.Popen(
            ["sh", "-c", "trap 'kill %d; exit' TERM; "
             "while :; do sleep 1; done" % self.nbctl_pid],
            preexec_fn=die_with_parent)

    def start_northd(self, name, i):
        northd = {"ctl": os.path.join(self.dir, name + ".ctl"),
                  "log": os.path.join(self.dir, name + ".log")}
        northd["proc"] = subprocess.Popen(
            ["ovn-northd", "--ovnnb-db=" + self.remote_for(self.nb, i),
             "--ovnsb-db=" + self.remote_for(self.sb, i),
             "--unixctl=" + northd["ctl"],
             "--log-file=" + northd["log"], "-vconsole:off"],
            env=dict(os.environ, OVN_RUNDIR=self.dir),
            preexec_fn=die_with_parent, stdout=subprocess.DEVNULL,
            stderr=open(northd["log"] + ".stderr", "w"))
        self.northds.append(northd)
        return northd

    def wait_status(self, northd, status, timeout=30):
        deadline = time.time() + timeout
        while True:
            out = run(["ovn-appctl", "-t", northd["ctl"], "status"],
                      check=False)[0].strip()
            if out == "Status: " + status:
                return
            if northd["proc"].poll() is not None or time.time() > deadline:
                raise Failure("ovn-northd on %s is not %s (%s): %s"
                              % (self.peer, status, out,
                                 read_text(northd["log"] + ".stderr")))
            time.sleep(0.1)

    def failover(self):
        """Stops the active ovn-northd; the standby must take the lock."""
        self.find_active()
        stop_process(self.northd["proc"])
        self.wait_status(self.standby, "active")
        self.northd, self.standby = self.standby, None

    def northd_log(self):
        return "".join(read_text(n["log"]) for n in self.northds)

    def step(self, tool, *args):
        if tool == "away":
            return self.change_while_away(*args)
        if tool == "failover":
            self.failover()
            return ""
        if tool == "restart":
            db = self.nb if args[0] == "nb" else self.sb
            db.stop()
            db.start()
            if self.front_ends and args[0] == "nb":
                # Front end 1 went under the active northd: the standby,
                # on front end 2, must hold the lock now (the restarted
                # northd queues behind it).
                standby = self.northds[1]
                self.wait_status(standby, "active")
                self.northd, self.standby = standby, self.northds[0]
            return ""
        env = None
        if tool == "nb":
            cmd = ["ovn-nbctl", "--wait=sb", "--timeout=30"]
            env = dict(os.environ, OVN_NB_DAEMON=self.nbctl_daemon)
        else:
            cmd = ["ovn-sbctl", "--db=" + self.sb.remote, "--timeout=30"]
        out, err = run(cmd + list(args), timeout=45, env=env)
        if err:
            raise Failure("%s printed on stderr:\n%s" % (" ".join(cmd), err))
        return out

    def change_while_away(self, dbname, *args):
        """Makes the change 'args' in database 'dbname' ("nb" or "sb")
        while the northds (and every other client) are disconnected from
        it; they reconnect and resume their monitors."""
        db = self.nb if dbname == "nb" else self.sb
        mark = db.sock + ": connection closed by peer"
        before = self.northd_log().count(mark)
        with db.clients_away() as side:
            run(["ovn-%sctl" % dbname, "--db=" + side, "--timeout=20"]
                + list(args))
        deadline = time.time() + 30
        while self.northd_log().count(mark) == before:
            if time.time() > deadline:
                raise Failure("northd on %s was not disconnected from %s"
                              % (self.peer, dbname))
            time.sleep(0.1)
        # Both northds lost the southbound lock with the connection: the
        # first back has it now.
        self.find_active()
        return ""

    def find_active(self, timeout=30):
        running = [n for n in self.northds if n["proc"].poll() is None]
        deadline = time.time() + timeout
        while True:
            for n in running:
                out = run(["ovn-appctl", "-t", n["ctl"], "status"],
                          check=False)[0].strip()
                if out == "Status: active":
                    self.northd = n
                    self.standby = next((m for m in running if m is not n),
                                        None)
                    return
            if time.time() > deadline:
                raise Failure("no northd on %s is active" % self.peer)
            time.sleep(0.1)

    def snapshot(self):
        return canonical_dump({"NB": select_all(self.nb, NB_SCHEMA),
                               "SB": select_all(self.sb, SB_SCHEMA)})

    def lsp_up(self, port):
        out = run(["ovn-nbctl", "--db=" + self.nb.remote, "--timeout=20",
                   "get", "Logical_Switch_Port", port, "up"])[0].strip()
        return {"true": True, "false": False}.get(out, out)

    def stop(self):
        """Stops ovn-northd and the ovn-nbctl daemon, by their PIDs."""
        try:
            # The guard goes first, by SIGKILL (no trap): once the daemon
            # is gone its PID may be another process's.
            self.nbctl_guard.kill()
            self.nbctl_guard.wait()
            pid = self.nbctl_pid
            os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 15
            while os.path.exists("/proc/%d" % pid) \
                    and time.time() < deadline:
                time.sleep(0.05)
            if os.path.exists("/proc/%d" % pid):
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, AttributeError):
            pass
        for northd in self.northds:
            stop_process(northd["proc"])

    def __exit__(self, *exc):
        try:
            self.stop()
            if exc[0] is not None:
                sys.stderr.write("ovn-northd log on %s:\n%s\n"
                                 % (self.peer, self.northd_log()[-4000:]))
            shutil.rmtree(self.dir, ignore_errors=True)
        finally:
            try:
                self.sb.__exit__(*exc)
            finally:
                try:
                    self.nb.__exit__(*exc)
                finally:
                    if self.front_ends:
                        self.front_ends.__exit__(*exc)
        return False


def wait_same(deployments, timeout=20):
    """Polls until both deployments hold the same data (northd's write-backs
    to NB follow a southbound change a moment later)."""
    deadline = time.time() + timeout
    while True:
        snaps = [d.snapshot() for d in deployments]
        if snaps[0][0] == snaps[1][0] or time.time() > deadline:
            return snaps
        time.sleep(0.3)


def describe_diff(x, o, limit=40):
    """The rows that differ between snapshots 'x' and 'o', readably."""
    if x[1] != o[1]:
        x, o = x[1], o[1]
    else:
        x, o = x[0], o[0]
    lines = list(difflib.unified_diff(o, x, "ovsdb-server", "xsw-dbserver",
                                      lineterm="", n=0))[2:]
    lines = [line for line in lines if not line.startswith("@@")]
    if len(lines) > limit:
        lines = lines[:limit] + ["... %d more lines" % (len(lines) - limit)]
    return "\n     ".join(lines)


def test_northd(c):
    with Ovn(os.environ.get("XT_PEER", "xsw"), "xsw") as xsw, \
            Ovn("ovs", "ovs") as ovs:
        deployments = (xsw, ovs)
        x, o = wait_same(deployments)
        c.ok(x[0] == o[0], "northd's initial contents are the same on both "
             "servers", describe_diff(x, o))
        failed_steps = 0
        for step, (tool, *args) in enumerate(SCRIPT):
            what = ("the %s server restarts" % args[0] if tool == "restart"
                    else "the active northd stops" if tool == "failover"
                    else "while northd is away from %s: ovn-%sctl %s"
                    % (args[0], args[0], " ".join(args[1:]))
                    if tool == "away"
                    else "ovn-%sctl %s" % (tool, " ".join(args)))
            for d in deployments:
                try:
                    d.step(tool, *args)
                except Failure as e:
                    c.ok(False, "step %d on %s: %s" % (step, d.peer, what),
                         str(e))
            x, o = wait_same(deployments)
            if not c.ok(x[0] == o[0], "step %d: %s: the same NB and SB "
                        "contents on both servers" % (step, what),
                        describe_diff(x, o)):
                failed_steps += 1
                if failed_steps >= 3:
                    c.ok(False, "stopped after 3 steps that differ")
                    break
            if step in UP_CHECKS:
                port, want = UP_CHECKS[step]
                for d in deployments:
                    c.eq(d.lsp_up(port), want, "%s: northd set %s up=%s"
                         % (d.peer, port, want))
        n_lflows = sum(1 for line in o[0]
                       if line.startswith("SB Logical_Flow "))
        c.ok(n_lflows > 100, "the comparison covers the logical flows "
             "(%d)" % n_lflows)

        # The logs as they are while everything runs (what a daemon logs
        # as it is killed comes out or not, as it happens).
        logs = {}
        for d in deployments:
            c.ok(d.northd["proc"].poll() is None and d.nb.alive()
                 and d.sb.alive(),
                 "%s: northd and both database servers still running"
                 % d.peer)
            logs[d.peer] = {"ovn-northd": d.northd_log(),
                            "the ovn-nbctl daemon": read_text(d.nbctl_log)}
            d.stop()
        levels = ("WARN", "ERR", "EMER")
        for what in ("ovn-northd", "the ovn-nbctl daemon"):
            olog = log_messages(logs["ovs"][what], levels)
            extra = [m for m in log_messages(logs["xsw"][what], levels)
                     if m not in olog]
            c.ok(not extra, "%s's log on xsw: no warning or error that the "
                 "ovsdb-server run lacks" % what,
                 "only on xsw: %r\n     on ovsdb-server: %r" % (extra, olog))


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    checks = Checks()
    checks.run(test_northd)
    checks.finish()
