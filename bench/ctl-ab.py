#! /usr/bin/python3
"""ctl-ab.py: one xsw-ctl command, build A against build B.

usage: ctl-ab.py [-n RUNS] [--dbserver PATH] A B [COMMAND ARG...]

Starts one xsw-dbserver (default: the tree's build) on a fresh database in
a temporary folder, gives it an Open_vSwitch row and bridge br0 (ctl-lib.py
populate), then runs the command (default: get Open_vSwitch .
ovs_version) RUNS times (default 300) with each of the xsw-ctl programs A
and B, alternating which goes first, so that drift in the machine hits
both alike.  Every run must exit 0 with the same output for A and B.
Prints for each the median wall time of a run (fork and exec included),
its 10th-90th percentiles and minimum, and the ratio of the medians B/A.

For changes that are about start-up cost, where ctl-bench.sh's 15
repetitions against ovs-vsctl cannot resolve a millisecond.  The programs
are copied at the start, so that a rebuild during the run cannot change
them; the server is killed on exit, however the run ends.
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
_spec = importlib.util.spec_from_file_location(
    "ctl_lib", os.path.join(TOP, "bench", "ctl-lib.py"))
ctl_lib = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ctl_lib)


def summary(times):
    ms = sorted(t * 1000 for t in times)
    q = statistics.quantiles(ms, n=10)
    return statistics.median(ms), q[0], q[-1], ms[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=300)
    ap.add_argument("--dbserver", default=os.path.join(
        TOP, "dbserver", "xsw-dbserver"))
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("command", nargs="*")
    args = ap.parse_args()
    command = args.command or ["get", "Open_vSwitch", ".", "ovs_version"]

    tmp = tempfile.mkdtemp(prefix="xt-ctl-ab.")
    server = None
    try:
        progs = {}
        for label, path in (("A", args.a), ("B", args.b), ("S",
                                                           args.dbserver)):
            progs[label] = os.path.join(tmp, label)
            shutil.copy(path, progs[label])
        db, sock = os.path.join(tmp, "conf.db"), os.path.join(tmp, "sock")
        subprocess.run([progs["S"], "--create", os.path.join(
            TOP, "schema", "vswitch.ovsschema"), db], check=True)
        server = subprocess.Popen([progs["S"], "--remote=punix:" + sock,
                                   "--unixctl=" + os.path.join(tmp, "ctl"),
                                   "-vconsole:off", db])
        deadline = time.time() + 20
        while not os.path.exists(sock):
            if time.time() > deadline or server.poll() is not None:
                sys.exit("ctl-ab: xsw-dbserver did not start")
            time.sleep(0.02)
        ctl_lib.populate(sock, 0)

        times = {"A": [], "B": []}
        outputs = {}
        for i in range(args.runs):
            for label in ("A", "B") if i % 2 == 0 else ("B", "A"):
                argv = [progs[label], "--db=unix:" + sock, "--no-wait"]
                start = time.perf_counter()
                p = subprocess.run(argv + command, capture_output=True,
                                   text=True)
                times[label].append(time.perf_counter() - start)
                if p.returncode or p.stderr:
                    sys.exit("ctl-ab: %s exited %d: %s"
                             % (label, p.returncode, p.stderr))
                outputs[label] = p.stdout
        if outputs["A"] != outputs["B"]:
            sys.exit("ctl-ab: A printed %r, B %r"
                     % (outputs["A"], outputs["B"]))

        print("%d alternating runs of xsw-ctl %s" % (args.runs,
                                                      " ".join(command)))
        medians = {}
        for label, path in (("A", args.a), ("B", args.b)):
            med, p10, p90, low = summary(times[label])
            medians[label] = med
            print("%s: median %.2f ms (p10-p90 %.2f-%.2f, min %.2f)  %s"
                  % (label, med, p10, p90, low, path))
        print("B/A: %.2fx" % (medians["B"] / medians["A"]))
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
