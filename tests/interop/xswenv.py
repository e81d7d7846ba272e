"""xswenv: run xsw-dbserver (or Debian's ovsdb-server, for comparison) in a
private temporary directory, for interop tests with real Open vSwitch
clients.

    with DbServer() as db:                # xsw-dbserver on the vswitch schema
        db.vsctl("add-br", "br0")         # ovs-vsctl --no-wait, checked
        db.client("list-dbs")             # ovsdb-client, checked

    with DbServer(peer="ovs") as db:      # the same, against ovsdb-server

Everything a server started is killed (by its PID) and its directory
removed when the block ends, even on failure.
"""
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP_SRCDIR = os.environ.get("top_srcdir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILDDIR = os.environ.get("top_builddir") or TOP_SRCDIR
XSW_DBSERVER = os.path.join(TOP_BUILDDIR, "dbserver", "xsw-dbserver")
VSWITCH_SCHEMA = os.path.join(TOP_SRCDIR, "schema", "vswitch.ovsschema")


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")

# What AddressSanitizer, LeakSanitizer and UBSan print when they find
# something (the test build uses ./configure --enable-sanitizers).
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:")


class Failure(Exception):
    pass


def _exit_on_sigterm(signum, frame):
    """make's interruption, timeout(1) and CI's end send SIGTERM: leave
    through SystemExit so that every `with DbServer()` block and `finally`
    still stops the servers and removes the directories the test made."""
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _exit_on_sigterm)


def idl_run_until(idl, cond, timeout=20):
    """Runs the Python IDL 'idl' until cond() holds or 'timeout' seconds
    pass; returns whether it held."""
    import ovs.poller           # Only the tests that run the Python IDL.
    deadline = time.time() + timeout
    while time.time() < deadline:
        idl.run()
        if cond():
            return True
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.timer_wait(100)
        poller.block()
    return False


def run(args, input=None, check=True, timeout=30, env=None):
    """Runs 'args'; returns (stdout, stderr). Raises Failure on a non-zero
    exit when 'check'."""
    p = subprocess.run(args, input=input, capture_output=True, text=True,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise Failure("%s exited %d\nstdout: %s\nstderr: %s"
                      % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p.stdout, p.stderr


def die_with_parent():
    """A Popen preexec_fn: the child gets SIGTERM when the test dies, even
    by SIGKILL, so that no daemon a test started outlives it."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_process(proc, timeout=15):
    """SIGTERM to a daemon the test started, SIGKILL if it lingers."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def log_messages(text, levels):
    """The messages of an Open vSwitch-style log ("time|seq|module|LEVEL|
    text") at 'levels', as "module|LEVEL|text": without time stamps,
    sequence numbers, thread names ("fatal_signal(urcu3)"), the tests'
    temporary paths and UUIDs, so that two runs' logs compare."""
    out = []
    for line in text.splitlines():
        parts = line.split("|", 4)
        if len(parts) == 5 and parts[3] in levels:
            module = re.sub(r"\(.*\)$", "", parts[2])
            msg = re.sub(r"/tmp/xt-[a-z]+-[A-Za-z0-9_]+", "DIR", parts[4])
            msg = UUID_RE.sub("<uuid>", msg)
            out.append("%s|%s|%s" % (module, parts[3], msg))
    return out


def scrape_metrics(log, timeout=10):
    """Scrapes the metrics of a daemon started with
    --metrics=ptcp:0:127.0.0.1 and --log-file='log' (where it says the
    port it got): {series: value}, each series named as the exposition
    names it, labels included."""
    import urllib.request
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(log, errors="replace") as f:
                ports = re.findall(r"serving metrics on port (\d+)", f.read())
        except OSError:
            ports = []
        if ports:
            break
        if time.monotonic() > deadline:
            raise Failure("%s: no metrics port logged" % log)
        time.sleep(0.05)
    url = "http://127.0.0.1:%s/metrics" % ports[-1]
    with urllib.request.urlopen(url, timeout=timeout) as r:
        text = r.read().decode()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and line[0] != "#"}


def free_loopback_port():
    """A TCP port on 127.0.0.1 that nothing listens on (as of now)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Etcd:
    """One etcd member (Debian's etcd 3.4) on loopback ports, with its data
    directory in 'dir'; stopped by its PID on stop().  Alone, or a member
    of the cluster that etcd_cluster() makes."""

    def __init__(self, dir, name="xt-etcd"):
        self.dir = dir
        self.name = name
        self.proc = None
        self.port = free_loopback_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.peer_url = "http://127.0.0.1:%d" % free_loopback_port()
        self.cluster = "%s=%s" % (name, self.peer_url)
        self.log = os.path.join(dir, name + ".log")
        self.args = []      # More options (a subclass's TLS files).

    def start(self):
        """Starts the member (again, after stop() or a kill: its data
        directory stays) and waits until it accepts clients."""
        self.spawn()
        return self.wait_ready()

    def spawn(self):
        self.proc = subprocess.Popen(
            ["etcd", "--name", self.name, "--data-dir",
             os.path.join(self.dir, self.name + "-data"),
             "--listen-client-urls", self.url,
             "--advertise-client-urls", self.url,
             "--listen-peer-urls", self.peer_url,
             "--initial-advertise-peer-urls", self.peer_url,
             "--initial-cluster", self.cluster] + self.args,
            stdout=subprocess.DEVNULL, stderr=open(self.log, "a"),
            preexec_fn=die_with_parent)

    def wait_ready(self):
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise Failure("etcd did not start: %s"
                                  % open(self.log).read()[-2000:])
                time.sleep(0.05)

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def stop(self):
        stop_process(self.proc)
        self.proc = None


def etcd_cluster(dir, n=3):
    """'n' etcd members on loopback ports forming one cluster, started."""
    members = [Etcd(dir, "xt-etcd%d" % i) for i in range(n)]
    cluster = ",".join("%s=%s" % (m.name, m.peer_url) for m in members)
    for m in members:
        m.cluster = cluster
    # A member may wait for the others before it serves: start them all,
    # then wait.  (Not from threads: die_with_parent() would end each
    # member with the thread that started it.)
    try:
        for m in members:
            m.spawn()
        for m in members:
            m.wait_ready()
    except BaseException:
        for m in members:
            m.stop()
        raise
    return members


class EtcdFrontEnd:
    """One xsw-dbserver on the databases 'dbs' (Open_vSwitch) in etcd at
    'urls' (a comma-separated list), serving on a unix socket in 'dir';
    'args' are more options (the etcd TLS files), 'env' its environment
    if not ours."""

    def __init__(self, urls, dir, name, args=(), env=None,
                 dbs=("Open_vSwitch",)):
        self.urls = urls
        self.args = list(args)
        self.env = env
        self.dir = dir
        self.dbs = list(dbs)
        self.sock = os.path.join(dir, name + ".sock")
        self.ctl = os.path.join(dir, name + ".ctl")
        self.log = os.path.join(dir, name + ".log")
        self.remote = "unix:" + self.sock
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [XSW_DBSERVER, "--storage=etcd:" + self.urls,
             "--remote=punix:" + self.sock, "--unixctl=" + self.ctl,
             "--log-file=" + self.log, "-vconsole:off"] + self.args
            + self.dbs, env=self.env,
            stdout=subprocess.DEVNULL, stderr=open(self.log + ".err", "w"),
            preexec_fn=die_with_parent)
        deadline = time.time() + 20
        while True:
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.sock)
                return self
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise Failure("xsw-dbserver did not start: %s"
                                  % open(self.log + ".err").read())
                time.sleep(0.05)
            finally:
                s.close()

    def stop(self, sig=signal.SIGTERM):
        """Stops the server; after SIGTERM it must exit 0 and, in a
        sanitizer build, report nothing."""
        if self.proc and self.proc.poll() is None:
            if sig == signal.SIGTERM:
                stop_process(self.proc)
                text = open(self.log + ".err").read()
                rc = self.proc.returncode
                if rc != 0 or any(m in text for m in SANITIZER_MARKERS):
                    self.proc = None
                    raise Failure("xsw-dbserver exited %d after SIGTERM: %s"
                                  % (rc, text[-4000:]))
            else:
                self.proc.send_signal(sig)
                self.proc.wait()
        self.proc = None
        if os.path.exists(self.sock):
            os.unlink(self.sock)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def appctl(self, *args, check=True):
        return run(["ovs-appctl", "-t", self.ctl] + list(args),
                   check=check)[0]

    def clients_away(self):
        """See DbServer.clients_away()."""
        return clients_away(self)

    def vsctl(self, *args):
        return run(["ovs-vsctl", "--db=" + self.remote, "--no-wait",
                    "--timeout=20"] + list(args))[0]

    def ports(self):
        return set(run(["ovs-vsctl", "--db=" + self.remote, "--no-wait",
                        "--columns=name", "--bare", "list", "Port"])[0]
                   .split())


def stop_etcd_test(front_ends, etcd, dir):
    """A test's cleanup: its front ends, its etcd member ('etcd', may be
    None) and its directory, each even if stopping another failed."""
    try:
        for fe in front_ends:
            try:
                fe.stop()
            except Failure as e:
                print("FAIL front end did not stop cleanly: %s" % e)
                raise
    finally:
        if etcd:
            etcd.stop()
        shutil.rmtree(dir, ignore_errors=True)


def storage():
    """XT_STORAGE=etcd runs xsw-dbserver on the etcd backend (each server
    on an etcd of its own); unset or "sqlite", on its SQLite file."""
    kind = os.environ.get("XT_STORAGE", "sqlite")
    if kind not in ("sqlite", "etcd"):
        raise Failure("XT_STORAGE=%s: expected sqlite or etcd" % kind)
    return kind


def front_ends():
    """XT_FRONT_ENDS=N (with XT_STORAGE=etcd): DbServer runs N xsw-dbserver
    front ends on its etcd, and hands its clients out among them (see
    DbServer.sock); 1 if unset."""
    n = os.environ.get("XT_FRONT_ENDS", "1")
    if not n.isdigit() or int(n) < 1:
        raise Failure("XT_FRONT_ENDS=%s: expected a count of front ends"
                      % n)
    return int(n) if storage() == "etcd" else 1


class DbServer:
    """With XT_STORAGE=etcd and XT_FRONT_ENDS=N (N >= 2), N xsw-dbserver
    front ends on one etcd, as issue 16 has it: each read of 'sock' or
    'remote' names the next front end in turn, so each client a test makes
    (an ovs-vsctl, an IDL, a raw connection) talks to another front end
    than the one before, with no change to the test.  Everything else
    ('ctl', 'log', 'proc', appctl(), clients_away()) is front end 1's;
    start() and stop() start and stop them all.  A test that needs one
    server (one that counts a server's own sessions) holds one name from
    'sock1'."""

    def __init__(self, peer="xsw", schema=VSWITCH_SCHEMA, extra_args=()):
        self.peer = peer
        self.schema = schema
        self.extra_args = list(extra_args)
        self.proc = None
        self.others = []        # Front ends 2..N: [Popen or None]
        self.etcd = None
        self.storage_args = []
        self.socks = []
        self.n_clients = 0

    @property
    def sock(self):
        """The next front end's socket (front end 1's when only one)."""
        sock = self.socks[self.n_clients % len(self.socks)]
        self.n_clients += 1
        return sock

    @property
    def remote(self):
        return "unix:" + self.sock

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="xt-interop-")
        self.sock1 = os.path.join(self.dir, "db.sock")
        self.socks = [self.sock1]
        self.ctl = os.path.join(self.dir, "db.ctl")
        self.db = os.path.join(self.dir, "conf.db")
        self.log = os.path.join(self.dir, "server.log")
        if self.peer == "xsw" and storage() == "etcd":
            self.etcd = Etcd(self.dir).start()
            self.storage_args = ["--storage=etcd:" + self.etcd.url]
            # The database argument is then its name in etcd.
            self.db = json.load(open(self.schema))["name"]
            run([XSW_DBSERVER] + self.storage_args
                + ["--create", self.schema])
            self.socks += [os.path.join(self.dir, "db%d.sock" % i)
                           for i in range(2, front_ends() + 1)]
            self.others = [None] * (len(self.socks) - 1)
        elif self.peer == "xsw":
            run([XSW_DBSERVER, "--create", self.schema, self.db])
        else:
            run(["ovsdb-tool", "create", self.db, self.schema])
        self.start()
        return self

    def start(self):
        self.proc = self.start_one(self.sock1, self.ctl, self.log)
        for i, sock in enumerate(self.socks[1:]):
            base = sock[:-len(".sock")]
            self.others[i] = self.start_one(sock, base + ".ctl",
                                            base + ".log")

    def start_one(self, sock, ctl, log):
        if self.peer == "xsw":
            args = [XSW_DBSERVER, "--remote=punix:" + sock,
                    "--unixctl=" + ctl, "--log-file=" + log,
                    "-vconsole:off"]
        else:
            args = ["ovsdb-server", "--remote=punix:" + sock,
                    "--unixctl=" + ctl, "--log-file=" + log,
                    "-vconsole:off"]
        env = dict(os.environ, XSW_RUNDIR=self.dir, OVS_RUNDIR=self.dir)
        proc = subprocess.Popen(args + self.storage_args
                                + self.extra_args + [self.db],
                                env=env, stdout=subprocess.DEVNULL,
                                stderr=open(log + ".stderr", "w"))
        # Ready means accepting connections, not merely that the socket
        # file exists (it is created before listen()).
        deadline = time.time() + 20
        while not self.accepts(sock):
            if proc.poll() is not None:
                raise Failure("%s exited %d at start: %s" % (
                    args[0], proc.returncode, open(log + ".stderr").read()))
            if time.time() > deadline:
                raise Failure("%s is not accepting on %s" % (args[0], sock))
            time.sleep(0.02)
        return proc

    def accepts(self, sock=None):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sock or self.sock1)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def check_clean_exit(self, proc=None, log=None):
        proc = proc or self.proc
        text = self.stderr_text(log)
        for marker in SANITIZER_MARKERS:
            if marker in text:
                raise Failure("the server reported at exit:\n%s"
                              % text[-4000:])
        if proc.returncode != 0:
            raise Failure("the server exited %d after SIGTERM:\n%s"
                          % (proc.returncode, text[-4000:]))

    def stderr_text(self, log=None):
        try:
            return open((log or self.log) + ".stderr").read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM):
        """Stops the server (every front end).  After SIGTERM it must exit
        0 and, in a sanitizer build, report nothing: a leak or a sanitizer
        error at shutdown fails the test."""
        try:
            for i, proc in enumerate(self.others):
                base = self.socks[i + 1][:-len(".sock")]
                self.others[i] = None
                self.stop_one(proc, sig, self.socks[i + 1], base + ".log")
        finally:
            proc, self.proc = self.proc, None
            self.stop_one(proc, sig, self.sock1, self.log)

    def stop_one(self, proc, sig, sock, log):
        if proc and proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise Failure("the server did not exit within 10 s of "
                              "SIGTERM")
            if sig == signal.SIGTERM and self.peer == "xsw":
                self.check_clean_exit(proc, log)
        if os.path.exists(sock) and sig == signal.SIGKILL:
            os.unlink(sock)

    def __exit__(self, *exc):
        crashed = any(p is not None and p.poll() is not None
                      for p in [self.proc] + self.others)
        try:
            self.stop()
        except Failure:
            if exc[0] is None:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise
        if crashed:
            sys.stderr.write("server died during the test:\n%s\n"
                             % self.stderr_text())
        if exc[0] is not None or crashed:
            try:
                sys.stderr.write("server log:\n%s\n"
                                 % open(self.log).read()[-4000:])
            except OSError:
                pass
        if self.etcd:
            self.etcd.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if crashed and exc[0] is None:
            raise Failure("the server died")
        return False

    def alive(self):
        return all(p is not None and p.poll() is None
                   for p in [self.proc] + self.others)

    def vsctl(self, *args, check_stderr=True):
        """ovs-vsctl --no-wait ARGS; fails if it fails or prints on stderr."""
        out, err = run(["ovs-vsctl", "--db=" + self.remote, "--no-wait",
                        "--timeout=20"] + list(args))
        if check_stderr and err:
            raise Failure("ovs-vsctl %s printed on stderr:\n%s"
                          % (" ".join(args), err))
        return out

    def client(self, *args, check=True, timeout=30):
        out, err = run(["ovsdb-client", "--timeout=20"] + [
            a.replace("@REMOTE", self.remote) for a in args],
            check=check, timeout=timeout)
        return out

    def transact(self, *ops, db="Open_vSwitch"):
        out = self.client("transact", self.remote,
                          json.dumps([db] + list(ops)))
        return json.loads(out)

    def appctl(self, *args, check=True):
        out, err = run(["ovs-appctl", "-t", self.ctl] + list(args),
                       check=check)
        return out

    def clients_away(self):
        """Closes the connections of every client (the server removes the
        remote they came through) and yields another remote for changes
        made while they are away; at the end the first remote listens
        again, and the clients reconnect.  With several front ends, those
        of every front end; the remote yielded is front end 1's."""
        if not self.others:
            return clients_away(self)
        return self.all_clients_away()

    @contextlib.contextmanager
    def all_clients_away(self):
        with contextlib.ExitStack() as stack:
            sides = [stack.enter_context(clients_away(_FrontEndCtl(sock)))
                     for sock in self.socks]
            yield sides[0]


class _FrontEndCtl:
    """What clients_away() needs of one of DbServer's front ends."""

    def __init__(self, sock):
        self.sock = sock
        self.ctl = sock[:-len(".sock")] + ".ctl"

    def appctl(self, *args):
        return run(["ovs-appctl", "-t", self.ctl] + list(args))[0]


@contextlib.contextmanager
def clients_away(server):
    """DbServer.clients_away() of 'server' (a DbServer or an EtcdFrontEnd:
    its 'dir', 'sock' and appctl(); a DbServer's front end 1, 'sock1')."""
    sock = getattr(server, "sock1", None) or server.sock
    side = sock[:-len(".sock")] + "-side.sock"
    server.appctl("ovsdb-server/add-remote", "punix:" + side)
    server.appctl("ovsdb-server/remove-remote", "punix:" + sock)
    try:
        yield "unix:" + side
    finally:
        server.appctl("ovsdb-server/add-remote", "punix:" + sock)
        server.appctl("ovsdb-server/remove-remote", "punix:" + side)


def free_port():
    """A TCP port that nothing listens on right now (the server binds it a
    moment later; a clash would show up as a failure to start)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(fn, timeout=20, interval=0.05):
    """Polls fn() until it returns something true, or 'timeout' seconds
    pass; returns its last value."""
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class CurCfgFollower:
    """Plays the switch daemon's part for clients that wait for it
    (ovs-vsctl without --no-wait, ovsdbapp): copies Open_vSwitch.next_cfg
    to cur_cfg, in a thread, through the Python IDL."""

    def __init__(self, remote):
        import threading
        import ovs.db.idl
        helper = ovs.db.idl.SchemaHelper(VSWITCH_SCHEMA)
        helper.register_columns("Open_vSwitch", ["next_cfg", "cur_cfg"])
        self.idl = ovs.db.idl.Idl(remote, helper)
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)

    def run(self):
        import ovs.db.idl
        import ovs.poller
        while not self.stopping:
            self.idl.run()
            for row in self.idl.tables["Open_vSwitch"].rows.values():
                if row.cur_cfg != row.next_cfg:
                    txn = ovs.db.idl.Transaction(self.idl)
                    row.cur_cfg = row.next_cfg
                    txn.commit_block()
            poller = ovs.poller.Poller()
            self.idl.wait(poller)
            poller.timer_wait(50)
            poller.block()
        self.idl.close()


class Checks:
    """Counts checks; prints one line per check and a summary."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL %s%s" % (what, ("\n     " + detail) if detail else ""))
        sys.stdout.flush()
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, what,
                       "got:  %r\n     want: %r" % (got, want))

    def on(self, name):
        """A view of these checks whose descriptions start with 'name'
        ("ovsdb-server: ..."), for a test that runs once per server."""
        return _PrefixedChecks(self, name)

    def run(self, fn):
        try:
            fn(self)
        except Exception as e:  # A crash in a test is a failure, not a skip.
            import traceback
            traceback.print_exc()
            self.ok(False, "%s raised %s: %s" % (fn.__name__,
                                                 type(e).__name__, e))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed or not self.passed else 0)


class _PrefixedChecks:
    def __init__(self, checks, prefix):
        self.checks = checks
        self.prefix = prefix

    def ok(self, cond, what, detail=""):
        return self.checks.ok(cond, "%s: %s" % (self.prefix, what), detail)

    def eq(self, got, want, what):
        return self.checks.eq(got, want, "%s: %s" % (self.prefix, what))


# The servers a client test runs against, by DbServer's 'peer' name.
SERVER_NAMES = {"ovs": "ovsdb-server", "xsw": "xsw-dbserver"}
