#!/usr/bin/python3
"""switch-report.py: summarizes bench/switch-bench.sh's samples.

usage: switch-report.py SAMPLES.tsv

Each line of SAMPLES.tsv is "switch<TAB>ports<TAB>metric<TAB>value".  Prints
a Markdown table of medians with min-max spreads, the ratios of xsw against
Open vSwitch and the Linux bridge measured in the same run, and the
comparison of an internal port with a veth pair as a container's NIC.
"""
import statistics
import sys

METRICS = [
    # metric, label, unit, higher is better
    ("tcp", "TCP a->b", "Gbit/s", True),
    ("pps", "64-byte frames", "kpps", True),
    ("rtt", "ping RTT", "us", False),
    ("cpu", "switch CPU during pps", "% core", None),
    ("addports", "add internal ports, 1 txn", "s", False),
]
SWITCHES = [("xsw", "xsw"), ("ovs", "OVS 3.1"), ("linux", "Linux bridge"),
            ("direct", "no switch")]
PORTS = {"veth": "veth / AF_XDP", "internal": "internal (TAP)"}


def load(path):
    samples = {}
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4:
                continue
            sw, ports, metric, value = fields
            try:
                v = float(value)
            except ValueError:
                v = None            # "timeout": shown, never averaged
            if metric == "pps" and v is not None:
                v /= 1000.0
            samples.setdefault((sw, ports, metric), []).append(v)
    return samples


def summary(values):
    """(median, min, max), or None when there is nothing to summarize."""
    if not values or any(v is None for v in values):
        return None
    return statistics.median(values), min(values), max(values)


def fmt(s, values):
    if values is None:
        return "-"
    if s is None:
        return "timeout"
    med, lo, hi = s
    digits = 2 if med < 10 else 0
    if len(values) == 1:
        return "%.*f" % (digits, med)
    return "%.*f (%.*f-%.*f)" % (digits, med, digits, lo, digits, hi)


def ratio(a, b):
    if a is None or b is None or b[0] == 0:
        return "-"
    return "%.2fx" % (a[0] / b[0])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    samples = load(sys.argv[1])
    ports_seen = sorted({p for (_, p, _) in samples},
                        key=lambda p: (p not in PORTS, p))

    print("| metric | ports | " + " | ".join(n for _, n in SWITCHES)
          + " | xsw/OVS | xsw/bridge |")
    print("|---|---|" + "---|" * (len(SWITCHES) + 2))
    for metric, label, unit, _ in METRICS:
        for ports in ports_seen:
            cells = [samples.get((sw, ports, metric)) for sw, _ in SWITCHES]
            if all(c is None for c in cells):
                continue
            stats = [summary(c) if c is not None else None for c in cells]
            print("| %s, %s | %s | %s | %s | %s |" % (
                label, unit, PORTS.get(ports, ports),
                " | ".join(fmt(s, c) for s, c in zip(stats, cells)),
                ratio(stats[0], stats[1]), ratio(stats[0], stats[2])))

    print()
    print("A container's NIC: internal port vs veth pair "
          "(internal / veth, medians)")
    print()
    print("| metric | xsw | OVS 3.1 |")
    print("|---|---|---|")
    for metric, label, unit, _ in METRICS[:4]:
        row = []
        for sw in ("xsw", "ovs"):
            i = samples.get((sw, "internal", metric))
            v = samples.get((sw, "veth", metric))
            row.append(ratio(summary(i) if i else None,
                             summary(v) if v else None))
        print("| %s | %s | %s |" % (label, row[0], row[1]))


if __name__ == "__main__":
    main()
