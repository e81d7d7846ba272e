"""ovs-vsctl --no-wait (Open vSwitch 3.1) against xsw-dbserver: every command
the xsw-ctl issue lists runs with nothing on stderr and prints what it
prints against ovsdb-server."""
import json
import re

from xswenv import DbServer, Checks, Failure

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")

# One script of commands; each line is one ovs-vsctl invocation.
SCRIPT = [
    ["init"],
    ["add-br", "br0"],
    ["add-br", "br1", "--", "set", "Bridge", "br1",
     "other_config:mac-aging-time=60"],
    ["add-br", "fake10", "br0", "10"],
    ["list-br"],
    ["br-exists", "br0"],
    ["br-to-vlan", "fake10"],
    ["br-to-parent", "fake10"],
    ["br-set-external-id", "br0", "owner", "xsw"],
    ["br-get-external-id", "br0"],
    ["br-get-external-id", "br0", "owner"],
    ["add-port", "br0", "p1"],
    ["add-port", "br0", "vlan1000", "--", "set", "Interface", "vlan1000",
     "type=internal", "--", "set", "Port", "vlan1000", "tag=1000"],
    ["add-port", "br0", "p2", "tag=20", "other_config:x=y"],
    ["--may-exist", "add-port", "br0", "p2"],
    ["add-bond", "br1", "bond0", "e1", "e2"],
    ["list-ports", "br0"],
    ["list-ports", "br1"],
    ["list-ifaces", "br1"],
    ["port-to-br", "p1"],
    ["iface-to-br", "e1"],
    ["show"],
    ["list", "Bridge", "br0"],
    ["--columns=name,tag", "list", "Port"],
    ["find", "Port", "tag=1000"],
    ["--columns=name", "find", "Interface", "type=internal"],
    ["get", "Port", "p2", "tag"],
    ["get", "Port", "p2", "other_config:x"],
    ["--if-exists", "get", "Port", "p2", "other_config:nokey"],
    ["set", "Port", "p1", "trunks=10,20,30"],
    ["add", "Port", "p1", "trunks", "40"],
    ["remove", "Port", "p1", "trunks", "10"],
    ["get", "Port", "p1", "trunks"],
    ["clear", "Port", "p1", "trunks"],
    ["--id=@q", "create", "QoS", "type=linux-htb", "--", "set", "Port",
     "p1", "qos=@q"],
    ["--columns=type", "list", "QoS"],
    ["clear", "Port", "p1", "qos"],
    ["--all", "destroy", "QoS"],
    ["wait-until", "Port", "p1", "tag=[]"],
    ["--format=csv", "--columns=name,tag", "list", "Port"],
    ["--format=json", "--columns=name", "list", "Bridge"],
    ["--bare", "--columns=name", "find", "Bridge", "name=br0"],
    ["--data=json", "get", "Bridge", "br0", "external_ids"],
    ["del-port", "br0", "p1"],
    ["--with-iface", "del-port", "vlan1000"],
    ["del-br", "fake10"],
    ["del-br", "br1"],
    ["list-br"],
    ["emer-reset"],
    ["show"],
]


def normalize(text):
    return UUID_RE.sub("<uuid>", text)


def run_script(db):
    outputs = []
    for cmd in SCRIPT:
        try:
            outputs.append(normalize(db.vsctl(*cmd)))
        except Failure as e:
            outputs.append("FAILED: %s" % e)
    return outputs


def sorted_lines(text):
    # show/list order rows by UUID, which differ between servers.
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and "data" in doc:
            doc["data"].sort(key=json.dumps)
            return [json.dumps(doc, sort_keys=True)]
    except ValueError:
        pass
    return sorted(text.splitlines())


def test_script(c):
    with DbServer() as db:
        xsw = run_script(db)
    with DbServer(peer="ovs") as db:
        ovs = run_script(db)
    for cmd, x, o in zip(SCRIPT, xsw, ovs):
        c.ok(not x.startswith("FAILED"), "ovs-vsctl %s: runs, nothing on "
             "stderr" % " ".join(cmd), x if x.startswith("FAILED") else "")
        c.eq(sorted_lines(x), sorted_lines(o),
             "ovs-vsctl %s: same output as with ovsdb-server"
             % " ".join(cmd))


def test_errors(c):
    # Errors come from ovs-vsctl itself, after reading the database: the
    # server must give it what it needs to say the same thing.
    with DbServer() as db:
        db.vsctl("add-br", "br0")
        from xswenv import run
        out, err = run(["ovs-vsctl", "--db=" + db.remote, "--no-wait",
                        "add-br", "br0"], check=False)
        c.ok("already exists" in err, "add-br of an existing bridge fails "
             "with ovs-vsctl's message", err)
        out, err = run(["ovs-vsctl", "--db=" + db.remote, "--no-wait",
                        "del-br", "br9"], check=False)
        c.ok("no bridge named br9" in err, "del-br br9: no bridge named br9",
             err)


if __name__ == "__main__":
    checks = Checks()
    checks.run(test_script)
    checks.run(test_errors)
    checks.finish()
