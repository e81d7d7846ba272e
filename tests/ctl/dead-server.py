#!/usr/bin/python3
"""dead-server: xsw-ctl, like ovs-vsctl, reports a database that hangs up
or goes silent, instead of dying without a word or waiting forever.

1. Hang-up: a server answers get_schema and closes the connection at once,
   so the client's next request goes to a closed socket.  Both clients must
   exit 1 with "database connection failed"; xsw-ctl used to be killed by
   SIGPIPE (exit -13, nothing on stderr).
2. Silence over TCP: xsw-dbserver is stopped (SIGSTOP), so the kernel still
   accepts the connection and nothing ever answers.  Both clients probe
   after 5 s of silence and give up 5 s later, as Open vSwitch's IDL does
   for tcp: remotes; xsw-ctl used to wait until killed.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
import xswenv  # noqa: E402

XSW_CTL = os.environ.get("XSW_CTL") or os.path.join(xswenv.TOP_BUILDDIR,
                                                    "ctl", "xsw-ctl")
CLIENTS = {"xsw-ctl": XSW_CTL, "ovs-vsctl": "ovs-vsctl"}
# Open vSwitch's default probe interval is 5 s, and an unanswered probe is
# given up on after another 5 s.
PROBE_S = 5


def hangup_server(path, stop):
    """Serves 'path' until 'stop' is set: answers the first request of each
    connection (get_schema) with the vswitch schema, then closes."""
    schema = json.load(open(xswenv.VSWITCH_SCHEMA))
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(8)
    listener.settimeout(0.1)

    def serve():
        with listener:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    continue
                with conn:
                    conn.settimeout(5)
                    data, request = b"", None
                    while request is None:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                        try:
                            request = json.loads(data)
                        except ValueError:
                            pass
                    if request is not None:
                        conn.sendall(json.dumps({
                            "id": request["id"], "result": schema,
                            "error": None}).encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def check_hangup(checks):
    tmp = tempfile.mkdtemp(prefix="xt-ctl-")
    stop = threading.Event()
    try:
        path = os.path.join(tmp, "db.sock")
        thread = hangup_server(path, stop)
        for name, prog in CLIENTS.items():
            r = subprocess.run([prog, "--db=unix:" + path, "show"],
                               capture_output=True, text=True, timeout=30)
            checks.ok(r.returncode == 1
                      and "database connection failed" in r.stderr,
                      "%s: a server that hangs up is reported" % name,
                      "exit %d, stderr %r" % (r.returncode, r.stderr))
        stop.set()
        thread.join()
    finally:
        stop.set()
        shutil.rmtree(tmp, ignore_errors=True)


def check_silent(checks):
    port = xswenv.free_port()
    remote = "tcp:127.0.0.1:%d" % port
    with xswenv.DbServer(extra_args=["--remote=ptcp:%d:127.0.0.1"
                                     % port]) as db:
        db.vsctl("add-br", "br0")
        db.proc.send_signal(signal.SIGSTOP)
        procs = {}
        try:
            start = time.monotonic()
            for name, prog in CLIENTS.items():
                procs[name] = subprocess.Popen(
                    [prog, "--db=" + remote, "show"], stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True)
            for name, proc in procs.items():
                try:
                    _, err = proc.communicate(timeout=6 * PROBE_S)
                except subprocess.TimeoutExpired:
                    checks.ok(False, "%s: a silent server is given up on"
                              % name, "still waiting after %d s"
                              % (6 * PROBE_S))
                    continue
                took = time.monotonic() - start
                checks.ok(proc.returncode == 1
                          and "database connection failed" in err
                          and took >= PROBE_S,
                          "%s: a silent server is given up on after the "
                          "probe" % name, "exit %d after %.1f s, stderr %r"
                          % (proc.returncode, took, err))
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            db.proc.send_signal(signal.SIGCONT)


def main():
    checks = xswenv.Checks()
    checks.run(check_hangup)
    checks.run(check_silent)
    checks.finish()


if __name__ == "__main__":
    main()
