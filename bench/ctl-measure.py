#! /usr/bin/python3
"""ctl-measure.py: times xsw-ctl against ovs-vsctl on one running server.

usage: ctl-measure.py --sock SOCKET --label LABEL --xsw-ctl PATH
                      [--vsctl PATH] [--reps N] [--chain N] [--chain-reps N]

The database behind SOCKET must hold bridge br0 (bench/ctl-lib.py
populate).  For each of N repetitions (--chain-reps for the chains, which
take seconds where single commands take milliseconds), each case runs once
with each CLI, the CLI that goes first alternating between repetitions, so
that drift in the machine hits both alike.  Every command is run with --no-wait, must exit
0 and print nothing on stderr, and the cases leave the database as they
found it (add-port is undone by del-port, the add-port chain by the
del-port chain), so that every repetition sees the same database.

Then each case runs once more per CLI through a recording proxy (not
timed): what the server sent the CLI, what the CLI sent, how many
requests.  That says WHY a CLI is slow where the times say THAT it is.

Prints one "LABEL CASE TOOL METRIC VALUE" line per measurement on stdout.
"""

import argparse
import os
import resource
import subprocess
import sys
import time

# The recording proxy is the tests' (see tests/interop/ovsdb_raw.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "interop"))
import ovsdb_raw  # noqa: E402


def chain(verb, names):
    """'verb br0 NAME -- verb br0 NAME2 -- ...' as an argument list."""
    args = []
    for name in names:
        if args:
            args.append("--")
        args += [verb, "br0", name]
    return args


def single_cases(tool, rep):
    """The (case, arguments) of one repetition of single commands, in
    order.  Names include the tool and the repetition so that the two CLIs
    never collide."""
    tag = "%s%d" % (tool, rep)
    return [
        ("add-port", ["add-port", "br0", "b" + tag]),
        ("list-br", ["list-br"]),
        ("get", ["get", "Bridge", "br0", "datapath_type"]),
        ("set", ["set", "Bridge", "br0", "other_config:bench=%s" % tag]),
        ("del-port", ["del-port", "br0", "b" + tag]),
    ]


def chain_cases(tool, rep, n_chain):
    """Like single_cases(), for the "--" chains."""
    names = ["c%s%d-%d" % (tool, rep, i) for i in range(n_chain)]
    return [
        ("chain add-port x%d" % n_chain, chain("add-port", names)),
        ("chain del-port x%d" % n_chain, chain("del-port", names)),
    ]


class Runner:
    def __init__(self, tools, timeout):
        self.tools = tools          # "xsw" or "ovs" -> program.
        self.timeout = timeout

    def run(self, tool, remote, args):
        """Runs one command line; returns (wall seconds, CPU seconds of
        the CLI).  Exits the benchmark if the command failed: a failing
        command measures nothing."""
        argv = [self.tools[tool], "--db=" + remote, "--no-wait",
                "--timeout=%d" % self.timeout] + args
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # ovs-vsctl warns on stderr when its own main loop stalls
        # ("Unreasonably long 3455ms poll interval"): that is a symptom of
        # what we measure, not a failure.
        errors = [line for line in p.stderr.splitlines()
                  if "|timeval|WARN|" not in line]
        if p.returncode != 0 or errors:
            shown = " ".join(argv)
            sys.stderr.write("ctl-measure: %s exited %d: %s\n"
                             % (shown[:300], p.returncode, p.stderr[:2000]))
            sys.exit(1)
        cpu = (after.ru_utime - before.ru_utime
               + after.ru_stime - before.ru_stime)
        return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--xsw-ctl", required=True)
    ap.add_argument("--vsctl", default="ovs-vsctl")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--chain", type=int, default=1000)
    ap.add_argument("--chain-reps", type=int, default=5)
    ap.add_argument("--timeout", type=int, default=300)
    opts = ap.parse_args()

    runner = Runner({"xsw": opts.xsw_ctl, "ovs": opts.vsctl}, opts.timeout)
    remote = "unix:" + opts.sock

    def emit(case, tool, metric, value):
        print("%s %s %s %s %s" % (opts.label, case.replace(" ", "_"), tool,
                                  metric, value))
        sys.stdout.flush()

    # Warm-up, not recorded: page cache for both programs and the server's
    # first-connection costs.
    for tool in ("xsw", "ovs"):
        runner.run(tool, remote, ["list-br"])

    def measure(reps, make_cases):
        for rep in range(reps):
            order = ("xsw", "ovs") if rep % 2 == 0 else ("ovs", "xsw")
            per_tool = {tool: make_cases(tool, rep) for tool in order}
            for i in range(len(per_tool["xsw"])):
                for tool in order:
                    case, args = per_tool[tool][i]
                    wall, cpu = runner.run(tool, remote, args)
                    emit(case, tool, "ms", "%.2f" % (wall * 1000))
                    emit(case, tool, "cpu_ms", "%.2f" % (cpu * 1000))

    measure(opts.reps, single_cases)
    measure(opts.chain_reps,
            lambda tool, rep: chain_cases(tool, rep, opts.chain))

    # One more pass per CLI through the recording proxy.
    proxy_path = opts.sock + ".proxy"
    proxy = ovsdb_raw.Proxy(proxy_path, opts.sock)
    try:
        for tool in ("xsw", "ovs"):
            rep = opts.reps + opts.chain_reps     # Fresh names.
            for case, args in (single_cases(tool, rep)
                               + chain_cases(tool, rep, opts.chain)):
                proxy.reset()
                runner.run(tool, "unix:" + proxy_path, args)
                requests = [m for m in proxy.messages("c2s")
                            if m.get("method") not in (None, "echo")]
                emit(case, tool, "rx_bytes", len(proxy.bytes("s2c")))
                emit(case, tool, "tx_bytes", len(proxy.bytes("c2s")))
                emit(case, tool, "requests", len(requests))
    finally:
        proxy.close()


if __name__ == "__main__":
    main()
