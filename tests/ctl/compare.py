#!/usr/bin/python3
"""Byte-for-byte comparison of xsw-ctl with ovs-vsctl 3.1, on both servers.

Four fresh databases: two served by Open vSwitch's ovsdb-server, two by
xsw-dbserver.  Every command line below runs, in order, with

  - ovs-vsctl on ovsdb-server (the reference),
  - xsw-ctl on ovsdb-server    (xsw's client library on the real server),
  - ovs-vsctl on xsw-dbserver  (the real client on xsw's server),
  - xsw-ctl on xsw-dbserver,

so all four databases go through the same history.  stdout, stderr and the
exit status of each must be identical to the reference's after
normalization:

  - the program name ("ovs-vsctl:" / "xsw-ctl:") is replaced by "CTL:";
  - UUIDs differ between the databases, so each is replaced by "<UUID>"
    (its width is kept, so table alignment is still compared);
  - a log line's time and sequence number are masked (its module, level
    and message are compared);
  - with sort=True, output lines are sorted, because both programs print
    rows in the replica's hash order, which depends on the UUIDs.

At the end the four databases must hold the same rows.  Remaining,
intended differences are documented in docs/ctl-differences.md.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("top_builddir",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
SRC = os.environ.get("top_srcdir", TOP)
DBSERVER = os.path.join(TOP, "dbserver", "xsw-dbserver")
XSWCTL = os.path.join(TOP, "ctl", "xsw-ctl")
SCHEMA = os.path.join(SRC, "schema", "vswitch.ovsschema")
OVS_VSCTL = shutil.which("ovs-vsctl") or "/usr/bin/ovs-vsctl"

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")
HTML_UUID_RE = re.compile(r'<a href="#<UUID>">[0-9a-f]{8}</a>')

# (arguments, sort output lines?)
CASES = [
    # Empty database: the first command creates the Open_vSwitch row.
    (["list", "Open_vSwitch"], False),
    (["get", "Open_vSwitch", ".", "next_cfg"], False),
    (["add-br", "br0"], False),
    (["add-port", "br0", "p1"], False),
    (["add-port", "br0", "p2", "--", "set", "Port", "p2", "tag=7"], False),
    (["list", "Bridge"], False),
    (["list", "br", "br0"], False),
    (["list", "Port", "p1", "p2"], False),
    # Port is not a root table: a row still referenced stays (ovs-vsctl's
    # IDL sends no "delete" for it, and neither does ours).
    (["destroy", "Port", "p1"], False),
    (["--columns=name", "list", "Port", "p1"], False),
    (["--columns=name,tag", "list", "Port"], True),
    (["--columns=name,tag", "find", "Port", "tag=7"], False),
    (["--columns=name", "find", "Port", "tag!=7"], True),
    (["--columns=name", "find", "Port", "tag<8"], True),
    (["--columns=name", "find", "Port", "tag>=7"], False),
    (["--columns=name", "find", "Port", "tag{=}[]"], True),
    (["--columns=name", "find", "Port", "tag{>=}[]"], True),
    (["--columns=name", "find", "Port", "tag{<=}[7,8]"], True),
    (["--columns=name", "find", "Port", "tag{!=}[7]"], True),
    (["--columns=name", "find", "Port", "tag{<}[7,8]"], True),
    (["--columns=name", "find", "Port", "tag{>}[]"], False),
    (["--columns=name", "find", "Port", "name=p1", "tag=[]"], False),
    (["set", "Bridge", "br0", "external_ids:owner=alice",
      "other_config:hwaddr=\"00:11:22:33:44:55\""], False),
    (["get", "Bridge", "br0", "external_ids"], False),
    (["get", "Bridge", "br0", "external_ids:owner"], False),
    (["get", "Bridge", "br0", "external_ids:nobody"], False),
    (["--if-exists", "get", "Bridge", "br0", "external_ids:nobody"], False),
    (["get", "Bridge", "br0", "other_config", "_uuid"], False),
    (["get", "Bridge", "br0", "name", "stp_enable", "datapath_type"], False),
    (["--columns=name", "find", "Bridge", "external_ids:owner=alice"],
     False),
    (["--columns=name", "find", "Bridge", "external_ids:owner!=alice"],
     False),
    (["add", "Bridge", "br0", "external_ids", "a=1", "b=2"], False),
    (["add", "Bridge", "br0", "flood_vlans", "1", "2", "3"], False),
    (["get", "Bridge", "br0", "external_ids", "flood_vlans"], False),
    (["remove", "Bridge", "br0", "external_ids", "a"], False),
    (["remove", "Bridge", "br0", "external_ids", "b=2"], False),
    (["remove", "Bridge", "br0", "flood_vlans", "2"], False),
    (["get", "Bridge", "br0", "external_ids", "flood_vlans"], False),
    (["clear", "Bridge", "br0", "flood_vlans", "external_ids"], False),
    (["get", "Bridge", "br0", "external_ids", "flood_vlans"], False),
    (["create", "Manager", "target=\"ptcp:6640\""], False),
    (["list", "Manager"], False),
    (["get", "Manager", "ptcp:6640", "target"], False),
    (["--", "--id=@c", "create", "Controller", "target=\"tcp:1.2.3.4\"",
      "--", "set", "Bridge", "br0", "controller=@c"], False),
    (["get", "Controller", "br0", "target"], False),
    (["--columns=target", "list", "Controller"], False),
    (["--id=@b", "get", "Bridge", "br0", "--", "set", "Bridge", "br0",
      "external_ids:me=x"], False),
    (["destroy", "Manager", "ptcp:6640"], False),
    (["--if-exists", "destroy", "Manager", "nosuch"], False),
    (["list", "Manager"], False),
    (["create", "Flow_Sample_Collector_Set", "id=5", "bridge=br0"],
     False),
    (["--columns=id", "list", "Flow_Sample_Collector_Set", "5"], False),
    (["destroy", "--all", "Flow_Sample_Collector_Set"], False),
    (["wait-until", "Bridge", "br0", "name=br0"], False),
    (["wait-until", "Port", "p2", "tag=7"], False),
    # Output formats.
    (["--format=list", "--columns=name,ports,tag", "list", "Port", "p2"],
     False),
    (["-f", "csv", "--columns=name,external_ids,datapath_type", "list",
      "Bridge"], False),
    (["-f", "html", "--columns=_uuid,name,ports", "list", "Bridge"], False),
    (["-f", "json", "--columns=name,ports", "list", "Bridge"], False),
    (["-f", "json", "--pretty", "--columns=name,ports,external_ids",
      "list", "Bridge"], False),
    (["-d", "bare", "--columns=name,ports", "list", "Bridge"], False),
    (["-d", "json", "--columns=name,ports", "list", "Bridge"], False),
    (["--bare", "--columns=name,tag", "list", "Port", "p2"], False),
    (["--no-headings", "--columns=name,tag", "list", "Port", "p2"], False),
    (["--oneline", "get", "Bridge", "br0", "name", "stp_enable", "--",
      "list-br"], False),
    (["--dry-run", "set", "Bridge", "br0", "stp_enable=true"], False),
    (["get", "Bridge", "br0", "stp_enable"], False),
    (["comment", "hello", "--", "get", "Bridge", "br0", "name"], False),
    (["list", "Bridge", "br0", "--", "--columns=name", "list", "Port",
      "p1"], False),
    # Errors.
    ([], False),
    (["frob"], False),
    (["--foo", "list", "Bridge"], False),
    (["list"], False),
    (["get", "Bridge"], False),
    (["list", "nosuchtable"], False),
    (["list", "Bridge", "br9"], False),
    (["--if-exists", "list", "Bridge", "br9"], False),
    (["get", "Bridge", "br0", "nme"], False),
    (["get", "Bridge", "br0", "name:key"], False),
    (["wait-until", "Bridge", "br0", "name:key=x"], False),
    (["--if-exists", "--id=@x", "get", "Bridge", "br0"], False),
    (["--id=x", "get", "Bridge", "br0"], False),
    (["set", "Bridge", "br0", "stp_enable=maybe"], False),
    (["set", "Port", "p1", "tag=5000"], False),
    (["set", "Bridge", "br0", "name"], False),
    (["set", "Bridge", "br0", "name:x=y"], False),
    (["set", "Bridge", "nosuch", "name=x"], False),
    (["--if-exists", "set", "Bridge", "nosuch", "name=x"], False),
    (["clear", "Bridge", "br0", "name"], False),
    # Known difference (docs/ctl-differences.md): only the status is
    # compared.
    (["add", "Port", "p1", "tag", "1", "2"], "status-only"),
    (["remove", "Bridge", "br0", "name", "br0"], False),
    (["--if-exists", "add-br", "x"], False),
    (["--may-exist", "list", "Bridge"], False),
    (["destroy", "--all", "--if-exists", "Manager"], False),
    (["destroy", "--all", "Manager", "x"], False),
    (["--id=@x", "create", "Manager", "target=\"a\"", "--", "--id=@x",
      "create", "Manager", "target=\"b\""], False),
    (["set", "Bridge", "br0", "controller=@nowhere"], False),
    (["find", "Port", "tag"], False),
    (["find", "Port", "tag~5"], False),
    (["-f", "nosuch", "list", "Bridge"], False),
    (["-d", "nosuch", "list", "Bridge"], False),
    (["--columns=", "list", "Bridge"], False),
    (["list", "Bridge", "--"], False),
    (["--", "list-br"], False),
    # Options parse as ovs-vsctl's getopt_long() does: a unique prefix of a
    # long option is the option (libvirt and ovs-docker pass --no-heading,
    # --form= and --time=), an ambiguous one lists the possibilities,
    # global and command options alike, in ovs-vsctl's order.
    (["--no-heading", "--columns=name,tag", "list", "Port", "p2"], False),
    (["--form=csv", "--columns=name", "list", "Bridge"], False),
    (["--time=5", "list-br"], False),
    (["--ti=0", "list-br"], False),
    (["--col=name", "list", "Bridge"], False),
    (["--columns", "name", "list", "Bridge"], False),
    (["--may", "add-br", "br0"], False),
    (["--if", "del-br", "br9"], False),
    (["--i", "list-br"], False),
    (["--no", "list-br"], False),
    (["--no=3", "list-br"], False),
    (["--f", "list-br"], False),
    (["--fa", "--re", "list-br"], False),
    (["--d", "list-br"], False),
    (["--co", "list-br"], False),
    (["--b", "list-br"], False),
    (["--=x", "list-br"], False),
    (["--no-head=1", "list-br"], False),
    (["--time"], False),
    (["-t"], False),
    (["-x", "list-br"], False),
    (["-t5", "list-br"], False),
    (["--inactivity-probe", "set-manager", "ptcp:1"], False),
    (["--bootstrap=1", "set-ssl", "a", "b", "c"], False),
    # A command option given before the command, twice: the last wins.
    (["--if-exists", "--if-exists", "del-br", "br9"], False),
    (["--columns=name", "--columns=_uuid,tag", "list", "Port", "p2"], False),
    (["--if-exists", "--", "del-br", "br9"], False),
    (["--", "--if-exists", "--if-exists", "del-br", "br9"], False),
    (["list-br", "--real"], False),
    (["list-br", "--", "-x", "list-br"], False),
    (["-"], False),
    # -v/--verbose[=SPEC] goes to lib/vlog.c's parser.
    (["-vconsole:off", "list-br"], False),
    (["--verbose=off", "list-br"], False),
    (["-vxx", "list-br"], False),
    (["--verb=xx", "list-br"], False),
    (["-vV", "list-br"], False),
    (["--v", "list-br"], False),
    # The other global options ovs-vsctl has.
    (["--no-syslog", "--leader-only", "--no-leader-only",
      "--shuffle-remotes", "--no-shuffle-remotes", "list-br"], False),
    (["--log-file=/nonexistent/xt.log", "list-br"], False),
    (["--max-column-width=5", "-f", "table", "--columns=name,external_ids",
      "list", "Bridge"], False),
    (["--max-column-width=x", "-f", "table", "--columns=name", "list",
      "Bridge"], False),
    (["--options"], False),
    (["--options", "--nosuch"], False),
    # --timeout takes a positive number that fits alarm()'s unsigned int.
    (["-t", "0", "list-br"], False),
    (["--timeout=", "list-br"], False),
    (["--timeout=-5", "list-br"], False),
    (["-t", "5x", "list-br"], False),
    (["-t", "3000000", "list-br"], False),
]


def accepts(sock):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sock)
        return True
    except OSError:
        return False
    finally:
        s.close()


def start_server(tmp, name, peer):
    """Starts 'peer' ("xsw" or "ovs") on a new database; returns the
    process and its socket."""
    db = os.path.join(tmp, name + ".db")
    sock = os.path.join(tmp, name + ".sock")
    if peer == "xsw":
        subprocess.run([DBSERVER, "--create", SCHEMA, db], check=True)
        argv = [DBSERVER]
    else:
        subprocess.run(["ovsdb-tool", "create", db, SCHEMA], check=True)
        argv = ["ovsdb-server", "-vconsole:off"]
    proc = subprocess.Popen(argv + [
        "--remote=punix:" + sock,
        "--unixctl=" + os.path.join(tmp, name + ".ctl"), db],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while not accepts(sock):
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("%s did not start" % argv[0])
        time.sleep(0.02)
    return proc, sock


LOG_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\|\d{5}\|",
                    re.M)


def normalize(text, prog, path, sort):
    text = text.replace(path + ":", "CTL:").replace(prog + ":", "CTL:")
    text = UUID_RE.sub("<UUID>", text)
    text = HTML_UUID_RE.sub('<a href="#<UUID>">UUID</a>', text)
    text = re.sub(r'<a name="<UUID>">[0-9a-f]{8}</a>', '<a name="UUID"/>',
                  text)
    # Log lines: timestamps, sequence numbers and module names differ.
    text = LOG_RE.sub("LOG|", text)
    if sort:
        # Records are blocks separated by blank lines (list format) or
        # single lines (other formats).
        blocks = text.rstrip("\n").split("\n\n")
        if len(blocks) == 1:
            blocks = text.rstrip("\n").split("\n")
        text = "\n\n".join(sorted(blocks))
    return text


def run(prog, sock, args):
    p = subprocess.run([prog, "--db=unix:" + sock, "--no-wait",
                        "--timeout=10"] + args,
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


# Where xsw-ctl differs from ovs-vsctl on purpose (docs/ctl-differences.md):
# the options it refuses, with a message that says why.  (arguments, text
# the message must contain)
XSW_ONLY = [
    (["--syslog-method=null", "list-br"], "through syslog(3) only"),
    (["--syslog-t=udp:127.0.0.1:514", "list-br"], "through syslog(3) only"),
    (["--ssl-protocols=TLSv1.2", "list-br"], "cannot be chosen"),
    (["--ssl-ciphers=HIGH", "list-br"], "cannot be chosen"),
    (["--bootstrap-ca-cert=/tmp/xt-ca.pem", "list-br"], "--ca-cert"),
    (["--peer-ca-cert=/tmp/xt-ca.pem", "list-br"], "--ca-cert"),
    (["--db=unix:/tmp/xt-a.sock,unix:/tmp/xt-b.sock", "list-br"],
     "connects to one server"),
]


# The runs of each case: (name, program, server).  The first is the
# reference.
RUNS = [("ovs-vsctl on ovsdb-server", OVS_VSCTL, "ovs"),
        ("xsw-ctl on ovsdb-server", XSWCTL, "ovs"),
        ("ovs-vsctl on xsw-dbserver", OVS_VSCTL, "xsw"),
        ("xsw-ctl on xsw-dbserver", XSWCTL, "xsw")]


def normalized(prog, sock, args, sort):
    status, out, err = run(prog, sock, args)
    name = "xsw-ctl" if prog == XSWCTL else "ovs-vsctl"
    return (status, normalize(out, name, prog, sort),
            normalize(err, name, prog, sort))


def main():
    tmp = tempfile.mkdtemp(prefix="xt-ctl-")
    procs = []
    failures = 0
    try:
        socks = []
        for i, (_, _, peer) in enumerate(RUNS):
            proc, sock = start_server(tmp, "db%d" % i, peer)
            procs.append(proc)
            socks.append(sock)
        for args, sort in CASES:
            results = [normalized(prog, sock, args, sort)
                       for (_, prog, _), sock in zip(RUNS, socks)]
            if sort == "status-only":
                results = [r[:1] for r in results]
            for (name, _, _), r in zip(RUNS[1:], results[1:]):
                if r != results[0]:
                    failures += 1
                    print("MISMATCH (%s): %s" % (name, " ".join(args)))
                    for what, a, b in zip(("status", "stdout", "stderr"),
                                          results[0], r):
                        if a != b:
                            print("  %s: %s:\n%s\n  %s:\n%s"
                                  % (what, RUNS[0][0], a, name, b))
        # The databases must end up with the same contents.
        for table in ("Open_vSwitch", "Bridge", "Port", "Interface",
                      "Controller", "Manager", "SSL"):
            args = ["list", table]
            dumps = [normalize(run(OVS_VSCTL, sock, args)[1], "ovs-vsctl",
                               OVS_VSCTL, True) for sock in socks]
            for (name, _, _), d in zip(RUNS[1:], dumps[1:]):
                if d != dumps[0]:
                    failures += 1
                    print("DATABASES DIFFER in table %s (%s):\n%s\n---\n%s"
                          % (table, name, dumps[0], d))
        for args, text in XSW_ONLY:
            status, out, err = run(XSWCTL, socks[-1], args)
            if status != 1 or out or text not in err:
                failures += 1
                print("NOT REFUSED: %s: status %d, stdout %r, stderr %r"
                      % (" ".join(args), status, out, err))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d cases, %d runs each, %d refusals, %d failures"
          % (len(CASES), len(RUNS), len(XSW_ONLY), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
