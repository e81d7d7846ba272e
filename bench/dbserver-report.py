#! /usr/bin/python3
"""dbserver-report.py RESULTS: the table behind bench/dbserver-bench.sh.

RESULTS has one "KIND METRIC VALUE" line per measurement, KIND being "xsw"
or "ovs".  Prints a Markdown table: per metric, the median and min-max of
each server, the ratio of the medians xsw/ovs, and the verdict on issue 3's
target where it sets one.
"""

import collections
import statistics
import sys

# (metric, label, unit, target): target is (">=" or "<=", ratio) on xsw/ovs,
# or None.  Higher is better for rates, lower for everything else.
METRICS = [
    ("serial_txn_s", "serial transactions", "txn/s", (">=", 2.0)),
    ("pipelined_txn_s", "pipelined transactions (64 in flight)", "txn/s",
     (">=", 2.0)),
    ("insert_pipelined_txn_s",
     "pipelined single-row inserts (64 in flight)", "txn/s", (">=", 2.0)),
    ("fanout_p50_ms", "update fan-out to 50 monitors, p50", "ms", None),
    ("fanout_p99_ms", "update fan-out to 50 monitors, p99", "ms",
     ("<=", 1.0)),
    ("load_s", "load 10,000 ports (100 per transaction)", "s", None),
    ("rss_mib", "server RSS after the load", "MiB", ("<=", 1.0)),
    ("file_mib", "database file size after the load", "MiB", None),
    ("restart_s", "restart on the 10,000-port database", "s", ("<=", 1.0)),
    ("vsctl_ms", "`ovs-vsctl --no-wait add-port` on it", "ms", None),
]

# The generator's own figures: its ceiling and CPU use, to show it was not
# the bottleneck.
CHECKS = [
    ("echo_serial", "echo requests/s, serial"),
    ("echo_pipelined", "echo requests/s, 64 in flight"),
    ("echo_pipelined_client_cpu", "generator CPU share at that rate"),
    ("serial_client_cpu", "generator CPU share, serial transactions"),
]

# Counts that must match between the servers for rates to be comparable.
COUNTS = [("serial_n", "serial"), ("pipelined_n", "pipelined"),
          ("insert_pipelined_n", "pipelined inserts"), ("load_n", "load")]


def fmt(v):
    if v >= 1000:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.3f" % v


def summary(values):
    if not values:
        return "n/a"
    return "%s (%s-%s)" % (fmt(statistics.median(values)), fmt(min(values)),
                           fmt(max(values)))


def serial_floor(data):
    """What the serial target leaves for a transaction: a serial client
    waits a whole round trip per request, and a bare echo measures the part
    of it that no server work can remove (two wake-ups, two socket writes
    and reads)."""
    echo_x, echo_o = data[("xsw", "echo_serial")], data[("ovs", "echo_serial")]
    txn_o = data[("ovs", "serial_txn_s")]
    txn_x = data[("xsw", "serial_txn_s")]
    if not (echo_x and echo_o and txn_o and txn_x):
        return
    us = lambda rate: 1e6 / statistics.median(rate)
    budget = us(txn_o) / 2
    print()
    print("Serial round trips (median): a bare echo takes %.0f us on "
          "xsw-dbserver and %.0f us on ovsdb-server; a port-adding "
          "transaction %.0f us on xsw-dbserver and %.0f us on ovsdb-server. "
          "2x ovsdb-server's rate means %.0f us per transaction, which "
          "leaves %.0f us beyond an echo for parsing, executing, committing "
          "to disk and answering."
          % (us(echo_x), us(echo_o), us(txn_x), us(txn_o), budget,
             budget - us(echo_x)))
    floor = data[("sqlite", "commit_us")]
    if floor:
        print("The SQLite commit alone of such a transaction "
              "(bench/sqlite-floor: three prepared INSERTs and COMMIT, "
              "nothing else) takes %s us." % summary(floor))


def main():
    data = collections.defaultdict(list)
    with open(sys.argv[1]) as f:
        for line in f:
            kind, metric, value = line.split()
            data[(kind, metric)].append(float(value))

    reps = len(data[("xsw", "restart_s")])
    runs = len(data[("xsw", "serial_txn_s")])
    print("| metric | xsw-dbserver median (min-max) "
          "| ovsdb-server 3.1 median (min-max) | xsw/ovs | target |")
    print("|---|---|---|---|---|")
    for metric, label, unit, target in METRICS:
        x, o = data[("xsw", metric)], data[("ovs", metric)]
        ratio = verdict = ""
        if x and o and statistics.median(o) > 0:
            r = statistics.median(x) / statistics.median(o)
            ratio = "%.2f" % r
            if target:
                op, bound = target
                met = r >= bound if op == ">=" else r <= bound
                verdict = "%s %.1fx: %s" % (op, bound,
                                            "met" if met else "**missed**")
        print("| %s (%s) | %s | %s | %s | %s |" % (label, unit, summary(x),
                                                  summary(o), ratio, verdict))
    print()
    print("%d rounds per server, alternating; every figure from a fresh "
          "database; %d runs of each transaction measurement per server."
          % (reps, runs))
    serial_floor(data)
    print()
    print("Load generator check (bench/ovsdb-load): "
          + "; ".join("%s: xsw %s, ovs %s" % (label,
                                              summary(data[("xsw", m)]),
                                              summary(data[("ovs", m)]))
                      for m, label in CHECKS) + ".")
    for metric, label in COUNTS:
        x, o = data[("xsw", metric)], data[("ovs", metric)]
        if x != o:
            print()
            print("WARNING: %s runs hit the time cap; counts differ "
                  "(xsw %s, ovs %s), so their rates are not comparable."
                  % (label, x, o))


if __name__ == "__main__":
    main()
