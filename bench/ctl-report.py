#! /usr/bin/python3
"""ctl-report.py RESULTS [--doc FILE]: the table behind bench/ctl-bench.sh.

RESULTS has one "PORTS CASE TOOL METRIC VALUE" line per measurement
(bench/ctl-measure.py), PORTS being the size of bridge br0, TOOL "xsw" or
"ovs".  Prints a Markdown table: per database and case, the median and
min-max latency of each CLI, the ratio of the medians ovs-vsctl/xsw-ctl
(how many times faster xsw-ctl is), the target of issue 5 and whether it
is met, and what each CLI's CPU and traffic were.

With --doc, also replaces the part of FILE between the "ctl-bench table"
markers with the table, so docs/benchmarks-ctl.md shows the latest run.
Exits 0 either way: a missed target is a finding, not a crash.
"""

import argparse
import collections
import os
import platform
import statistics
import subprocess
import sys
import time

BEGIN = "<!-- ctl-bench table begin -->"
END = "<!-- ctl-bench table end -->"

# Order of the rows; cases not listed come after, in file order.
CASE_ORDER = ["add-port", "del-port", "list-br", "get", "set"]


def target(case, ports):
    """Issue 5's target for the ratio ovs-vsctl/xsw-ctl: at least 5 for one
    add-port on the 10,000-port database, "no slower" (1) elsewhere."""
    if case == "add-port" and ports >= 10000:
        return 5.0
    return 1.0


def fmt_ms(v):
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def spread(values):
    return "%s (%s-%s)" % (fmt_ms(statistics.median(values)),
                           fmt_ms(min(values)), fmt_ms(max(values)))


def kib(n):
    return "%.1f" % (n / 1024.0) if n < 10240 else "%.0f" % (n / 1024.0)


def load(path):
    data = collections.defaultdict(list)    # (ports, case, tool, metric)
    cases = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) != 5:
                continue
            ports, case, tool, metric, value = fields
            case = case.replace("_", " ")
            data[(int(ports), case, tool, metric)].append(float(value))
            if case not in cases:
                cases.append(case)
    seen = list(cases)
    cases.sort(key=lambda c: (CASE_ORDER.index(c) if c in CASE_ORDER
                              else len(CASE_ORDER), seen.index(c)))
    return data, cases


def table(data, cases):
    sizes = sorted({k[0] for k in data})
    reps = {kind: max((len(v) for k, v in data.items()
                       if k[3] == "ms" and k[1].startswith("chain") == kind),
                      default=0)
            for kind in (False, True)}
    out = []
    out.append("| database | command | xsw-ctl ms | ovs-vsctl ms "
               "| ovs/xsw | target | met | CPU ms xsw / ovs "
               "| received KiB xsw / ovs | requests xsw / ovs |")
    out.append("|---|---|---:|---:|---:|---:|---|---:|---:|---:|")
    missed = []
    for ports in sizes:
        for case in cases:
            x = data.get((ports, case, "xsw", "ms"))
            o = data.get((ports, case, "ovs", "ms"))
            if not x or not o:
                continue
            ratio = statistics.median(o) / statistics.median(x)
            want = target(case, ports)
            met = ratio >= want
            if not met:
                missed.append("%s on %d ports: %.2fx, target %.0fx"
                              % (case, ports, ratio, want))

            def med(tool, metric, f):
                v = data.get((ports, case, tool, metric))
                return f(statistics.median(v)) if v else "n/a"
            out.append(
                "| %s ports | `%s` | %s | %s | %.2fx | %s | %s | %s / %s "
                "| %s / %s | %s / %s |"
                % ("{:,}".format(ports), case, spread(x), spread(o), ratio,
                   ">= %.0fx" % want if want > 1 else "no slower",
                   "yes" if met else "**NO**",
                   med("xsw", "cpu_ms", fmt_ms), med("ovs", "cpu_ms", fmt_ms),
                   med("xsw", "rx_bytes", kib), med("ovs", "rx_bytes", kib),
                   med("xsw", "requests", lambda v: "%d" % v),
                   med("ovs", "requests", lambda v: "%d" % v)))
    return out, missed, reps


def environment():
    try:
        vsctl = subprocess.run(["ovs-vsctl", "--version"],
                               capture_output=True, text=True).stdout
        vsctl = vsctl.splitlines()[0]
    except (OSError, IndexError):
        vsctl = "ovs-vsctl (version unknown)"
    return "%s; %s %s; %d CPUs" % (vsctl, platform.system(),
                                   platform.release(), os.cpu_count() or 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--doc")
    opts = ap.parse_args()

    data, cases = load(opts.results)
    rows, missed, reps = table(data, cases)
    lines = ["Run of %s: %d repetitions of each single command, %d of each "
             "chain (median and min-max, in ms); %s."
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                reps[False], reps[True], environment()), ""]
    lines += rows
    lines.append("")
    if missed:
        lines.append("Targets missed: " + "; ".join(missed) + ".")
    else:
        lines.append("Every target of issue 5 is met.")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)

    if opts.doc:
        try:
            with open(opts.doc) as f:
                doc = f.read()
        except OSError as e:
            sys.stderr.write("ctl-report: %s\n" % e)
            sys.exit(1)
        a, b = doc.find(BEGIN), doc.find(END)
        if a < 0 or b < a:
            sys.stderr.write("ctl-report: %s has no '%s' ... '%s' markers\n"
                             % (opts.doc, BEGIN, END))
            sys.exit(1)
        doc = doc[:a + len(BEGIN)] + "\n" + text + doc[b:]
        with open(opts.doc + ".tmp", "w") as f:
            f.write(doc)
        os.rename(opts.doc + ".tmp", opts.doc)


if __name__ == "__main__":
    main()
