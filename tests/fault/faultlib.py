"""faultlib: shared pieces of the fault-injection and load tests.

    with Sandbox() as sb:                  # a private temp dir, cleaned up
        srv = sb.server()                  # xsw-dbserver on a new database
        c = Client(srv.sock)               # a raw JSON-RPC client
        c.transact([...])                  # -> the reply's "result"
        srv.kill9()                        # SIGKILL, wait, remove the socket
        srv.start()                        # serve the same file again

Everything a sandbox starts (servers, helper processes) is killed by its PID
and everything it creates (temp dirs, tmpfs mounts) is removed when the block
ends, even on failure or on SIGTERM/SIGINT from the test harness.  The tests
talk only over unix sockets inside the sandbox directory.

The client speaks RFC 7047 JSON-RPC directly over a socket, not through an
IDL, because the tests must see exactly what the server answers (errors
included) and must be able to misbehave on purpose (stop reading, hang up in
the middle of a request).
"""
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop"))
# (Sandbox sets its own SIGTERM handler over the one xswenv installs.)
from xswenv import scrape_metrics  # noqa: E402

TOP_SRCDIR = os.environ.get("top_srcdir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILDDIR = os.environ.get("top_builddir") or TOP_SRCDIR
XSW_DBSERVER = os.path.join(TOP_BUILDDIR, "dbserver", "xsw-dbserver")
VSWITCH_SCHEMA = os.path.join(TOP_SRCDIR, "schema", "vswitch.ovsschema")
DB_NAME = "Open_vSwitch"

# Automake's exit code for a test that cannot run here (not a failure).
SKIP = 77


class Failure(Exception):
    pass


def log(fmt, *args):
    """Progress lines go to stdout, which automake keeps in the .log file."""
    sys.stdout.write((fmt % args if args else fmt) + "\n")
    sys.stdout.flush()


def check(cond, fmt, *args):
    if not cond:
        raise Failure(fmt % args if args else fmt)


def run(args, check=True, timeout=30, **kwargs):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                       **kwargs)
    if check and p.returncode != 0:
        raise Failure("%s exited %d\nstdout: %s\nstderr: %s"
                      % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def file_digest(path):
    """SHA-256 of 'path', to prove that a server did not write to it."""
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def vm_rss_kib(pid):
    """VmRSS of 'pid' in KiB (None if it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ---------------------------------------------------------------------------
# JSON-RPC client.

class Closed(Exception):
    """The server closed the connection (or was killed)."""


class Client:
    """A blocking JSON-RPC client on a unix socket.

    Replies are matched to requests by id; notifications ("update",
    "update2", "update3", ...) are kept in self.notifications; "echo"
    requests from the server are answered, as a real client would."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.decoder = json.JSONDecoder()
        self.next_id = 0
        self.replies = {}
        self.notifications = []

    def close(self):
        self.sock.close()

    def send(self, method, params, id=None):
        """Sends a request and returns its id (does not wait)."""
        if id is None:
            self.next_id += 1
            id = self.next_id
        self.send_raw(json.dumps({"method": method, "params": params,
                                  "id": id}).encode())
        return id

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed(str(e))

    def _receive_one(self):
        """Reads until one whole message is decoded; returns it."""
        while True:
            # A message ends with "}": only then is a parse worth trying, so
            # a large reply arriving in many pieces is parsed once, not once
            # per piece.
            if self.buf.rstrip().endswith(b"}"):
                try:
                    text = self.buf.decode()
                    msg, end = self.decoder.raw_decode(text.lstrip())
                    rest = text.lstrip()[end:]
                    self.buf = rest.encode()
                    return msg
                except (json.JSONDecodeError, UnicodeDecodeError):
                    pass        # Incomplete: read more.
            try:
                data = self.sock.recv(1 << 18)
            except ConnectionResetError as e:
                raise Closed(str(e))
            except socket.timeout:
                raise Failure("no answer from the server in %.0f s"
                              % self.sock.gettimeout())
            if not data:
                raise Closed("end of stream")
            self.buf += data

    def poll(self):
        """Processes one incoming message."""
        msg = self._receive_one()
        if msg.get("method") == "echo" and msg.get("id") is not None:
            self.send_raw(json.dumps({"result": msg["params"], "error": None,
                                      "id": msg["id"]}).encode())
        elif "method" in msg:
            self.notifications.append(msg)
        else:
            self.replies[msg.get("id")] = msg

    def wait_reply(self, id):
        """The whole reply message (with "result" and "error") to 'id'."""
        while id not in self.replies:
            self.poll()
        return self.replies.pop(id)

    def call(self, method, params):
        return self.wait_reply(self.send(method, params))

    def transact(self, ops, db=DB_NAME):
        """Runs a transaction; returns the reply's "result" list.  An
        RFC 7047 error reply (a malformed request) raises Failure."""
        reply = self.call("transact", [db] + list(ops))
        if reply.get("error") is not None:
            raise Failure("transact error reply: %r" % (reply["error"],))
        return reply["result"]


def txn_error(result):
    """The first error object of a transact result list, or None."""
    for r in result:
        if isinstance(r, dict) and "error" in r:
            return r
    return None


def select_all(client, table, columns, where=()):
    result = client.transact([{"op": "select", "table": table,
                               "where": list(where), "columns": columns}])
    check(txn_error(result) is None, "select failed: %r", result)
    return result[0]["rows"]


def ovs_map(d):
    return ["map", [[k, v] for k, v in sorted(d.items())]]


def map_get(datum, key):
    """Value of 'key' in an OVSDB JSON map datum, or None."""
    for k, v in datum[1]:
        if k == key:
            return v
    return None


# ---------------------------------------------------------------------------
# Servers and sandboxes.

class Server:
    """One xsw-dbserver process serving 'db' (restartable)."""

    def __init__(self, sandbox, db, name="db", extra_args=(), user=None,
                 rundir=None):
        self.sandbox = sandbox
        self.db = db
        self.rundir = rundir or sandbox.dir
        self.sock = os.path.join(self.rundir, name + ".sock")
        self.ctl = os.path.join(self.rundir, name + ".ctl")
        self.log = os.path.join(self.rundir, name + ".log")
        self.stderr_path = self.log + ".stderr"
        self.extra_args = list(extra_args)
        self.user = user
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    def args(self):
        args = [XSW_DBSERVER, "--remote=punix:" + self.sock,
                "--unixctl=" + self.ctl, "--log-file=" + self.log,
                "-vconsole:off"] + self.extra_args + [self.db]
        if self.user:
            # setpriv, not su: no PAM, no session, and the PID we get is the
            # server's own (setpriv exec()s it).
            import pwd
            pw = pwd.getpwnam(self.user)
            args = ["setpriv", "--reuid=%d" % pw.pw_uid,
                    "--regid=%d" % pw.pw_gid, "--clear-groups"] + args
        return args

    def spawn(self):
        """Starts the server without waiting for it (for start failures)."""
        self.proc = subprocess.Popen(
            self.args(), stdout=subprocess.DEVNULL,
            stderr=open(self.stderr_path, "w"),
            env=dict(os.environ, XSW_RUNDIR=self.rundir))
        self.sandbox.procs.append(self.proc)
        return self.proc

    def start(self, timeout=10):
        """Starts the server and waits until it accepts connections."""
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.spawn()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise Failure("xsw-dbserver exited %d at start: %s"
                              % (self.proc.returncode, self.stderr_text()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock)
                s.close()
                return self
            except OSError:
                s.close()
            if time.monotonic() > deadline:
                raise Failure("xsw-dbserver did not listen on %s" % self.sock)
            time.sleep(0.005)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.sandbox.procs.remove(self.proc)
        self.proc = None

    def stop(self):
        """SIGTERM and wait; returns the exit status."""
        if not self.proc:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("xsw-dbserver ignored SIGTERM for 10 s")
        finally:
            self.sandbox.procs.remove(self.proc)
            self.proc = None
        return rc

    def rss_kib(self):
        return vm_rss_kib(self.proc.pid)

    def metrics(self):
        """Scrapes the server, started with --metrics=ptcp:0:127.0.0.1:
        {series: value} (xswenv.scrape_metrics())."""
        return scrape_metrics(self.log)

    def appctl(self, *args):
        return run(["ovs-appctl", "-t", self.ctl] + list(args)).stdout

    def stderr_text(self):
        try:
            with open(self.stderr_path, errors="backslashreplace") as f:
                return f.read()
        except OSError:
            return ""

    def log_text(self):
        try:
            with open(self.log, errors="backslashreplace") as f:
                return f.read()
        except OSError:
            return ""


class Sandbox:
    """A temp dir; owns every process and mount the test makes in it."""

    def __init__(self, prefix="xt-fault-"):
        self.prefix = prefix
        self.procs = []
        self.mounts = []
        self.servers = []

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix=self.prefix)
        os.chmod(self.dir, 0o755)
        # The harness ends a test that runs too long with SIGTERM: clean up
        # then too.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        return self

    def _on_signal(self, signum, frame):
        raise Failure("killed by signal %d" % signum)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def create_db(self, name="conf.db", schema=VSWITCH_SCHEMA, dir=None):
        db = os.path.join(dir or self.dir, name)
        run([XSW_DBSERVER, "--create", schema, db])
        return db

    def server(self, db=None, name="db", extra_args=(), start=True,
               user=None, rundir=None):
        srv = Server(self, db or self.create_db(), name, extra_args, user,
                     rundir)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def mount_tmpfs(self, name, size):
        mnt = self.path(name)
        os.mkdir(mnt)
        run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size,
             "tmpfs", mnt])
        self.mounts.append(mnt)
        return mnt

    def __exit__(self, exc_type, exc, tb):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        try:
            if exc_type is not None:
                for srv in self.servers:
                    text = (srv.log_text()[-4000:]
                            + srv.stderr_text()[-2000:])
                    if text.strip():
                        sys.stderr.write("--- %s log (tail):\n%s\n"
                                         % (srv.log, text))
        finally:
            for mnt in reversed(self.mounts):
                subprocess.run(["umount", "-l", mnt])
            subprocess.run(["chattr", "-R", "-i", self.dir],
                           capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)


def main(test):
    """Runs test() and turns the outcome into an automake exit status."""
    try:
        rc = test()
    except Failure as e:
        sys.stderr.write("FAIL: %s\n" % e)
        sys.exit(1)
    sys.exit(rc or 0)


def require_root():
    if os.geteuid() != 0:
        sys.stderr.write("FAIL: this test must run as root\n")
        sys.exit(1)
