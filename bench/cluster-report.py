#!/usr/bin/python3
"""cluster-report.py: summarizes bench/cluster-bench.sh's samples.

usage: cluster-report.py SAMPLES.tsv

Each line of SAMPLES.tsv is "kind<TAB>front ends<TAB>metric<TAB>value"
(kind xsw, raft or ovs; "load 0 loadavg" lines hold the load average).
Prints a Markdown table of medians with min-max spreads by number of front
ends (xsw-dbserver on etcd) or relays (RAFT), the ratios xsw/RAFT and
xsw/standalone (the one standalone ovsdb-server, the same figure on every
row), and whether issue 16's goal is met with 4 front ends: fan-out p99 at
most half of the RAFT cluster's, write throughput at least equal.
"""
import sys

from benchstats import measured, print_header, ratio, row_cells, summary

METRICS = [
    # metric, label, higher is better
    ("p50_ms", "fan-out p50, ms"),
    ("p99_ms", "fan-out p99, ms"),
    ("p50_first_ms", "fan-out p50 on the writer's front end, ms"),
    ("p50_rest_ms", "fan-out p50 on the other front ends, ms"),
    ("p99_rest_ms", "fan-out p99 on the other front ends, ms"),
    ("serial_txn_s", "serial writes, txn/s"),
    ("pipelined_txn_s", "pipelined writes, txn/s"),
    ("pipelined_fanout_s", "pipelined: updates/s at each client"),
    ("storage_cpu_us", "CPU per write: etcd / RAFT members, us"),
    ("front_cpu_us", "CPU per write: front ends / relays / server, us"),
    ("etcd_txns_per_txn", "etcd txn requests per write"),
    ("etcd_ranges_per_txn", "etcd range requests per write"),
    ("client_cpu", "load generator CPU during fan-out, cores"),
]
KINDS = [("xsw", "xsw on 3 etcd"), ("raft", "RAFT 3 + relays"),
         ("ovs", "standalone ovsdb-server")]
RATIOS = [("xsw", "raft", "xsw/RAFT"), ("xsw", "ovs", "xsw/standalone")]


def key(kind, n, metric):
    # The standalone server has one "front end" whatever the row.
    return (kind, "1" if kind == "ovs" else n, metric)


def main():
    samples, kinds, ratios = measured(sys.argv, __doc__, KINDS, RATIOS)
    if not samples:
        return
    counts = sorted({n for (k, n, _) in samples if k in ("xsw", "raft")},
                    key=int) or ["1"]

    print_header(["metric", "front ends / relays"], kinds, ratios)
    for metric, label in METRICS:
        for n in counts:
            cells = row_cells(samples, lambda k: key(k, n, metric),
                              kinds, ratios)
            if cells is not None:
                print("| %s | %s | %s |" % (label, n, cells))

    load = samples.get(("load", "0", "loadavg"))
    if load:
        print("\nload average (1 min) at each round's start and the end: "
              + ", ".join("%.1f" % v for v in load))

    goal = []
    for metric, want, test in [
            ("p99_ms", "at most 0.5x", lambda r: r <= 0.5),
            ("serial_txn_s", "at least 1.0x", lambda r: r >= 1.0),
            ("pipelined_txn_s", "at least 1.0x", lambda r: r >= 1.0)]:
        x = summary(samples.get(("xsw", "4", metric)))
        r = summary(samples.get(("raft", "4", metric)))
        if x is None or r is None or r[0] == 0:
            continue
        goal.append("%s with 4 front ends: xsw/RAFT %s (goal %s): %s"
                    % (metric, ratio(x, r), want,
                       "met" if test(x[0] / r[0]) else "NOT met"))
    if goal:
        print("\nIssue 16's goal:")
        for line in goal:
            print("- " + line)


if __name__ == "__main__":
    main()
