#!/usr/bin/python3
"""switch-report.py: summarizes bench/switch-bench.sh's samples.

usage: switch-report.py SAMPLES.tsv

Each line of SAMPLES.tsv is "switch<TAB>ports<TAB>metric<TAB>value".  Prints
a Markdown table of medians with min-max spreads, the ratios against Open
vSwitch (of xsw, of xsw spinning and of xsk-fwd, the AF_XDP ceiling) and of
xsw against the Linux bridge measured in the same run, and the comparison
of an internal port with a veth pair as a container's NIC.  Switches with
no samples in the file are left out.
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
SWITCHES = [("xsw", "xsw"), ("xsw-spin", "xsw spinning"), ("ovs", "OVS 3.1"),
            ("xskfwd", "xsk-fwd (AF_XDP ceiling)"),
            ("linux", "Linux bridge"), ("direct", "no switch")]
# Ratio columns: (numerator, denominator, heading).
RATIOS = [("xsw", "ovs", "xsw/OVS"), ("xsw-spin", "ovs", "xsw spinning/OVS"),
          ("xskfwd", "ovs", "xsk-fwd/OVS"), ("xsw", "linux", "xsw/bridge")]
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
    if not samples:
        print("(no samples)")
        return
    ports_seen = sorted({p for (_, p, _) in samples},
                        key=lambda p: (p not in PORTS, p))
    measured = {sw for (sw, _, _) in samples}
    switches = [(sw, name) for sw, name in SWITCHES if sw in measured]
    ratios = [r for r in RATIOS if r[0] in measured and r[1] in measured]

    print("| metric | ports | " + " | ".join(n for _, n in switches)
          + "".join(" | " + h for _, _, h in ratios) + " |")
    print("|---|---|" + "---|" * (len(switches) + len(ratios)))
    for metric, label, unit, _ in METRICS:
        for ports in ports_seen:
            cells = {sw: samples.get((sw, ports, metric))
                     for sw, _ in switches}
            if all(c is None for c in cells.values()):
                continue
            stats = {sw: summary(c) if c is not None else None
                     for sw, c in cells.items()}
            print("| %s, %s | %s | %s%s |" % (
                label, unit, PORTS.get(ports, ports),
                " | ".join(fmt(stats[sw], cells[sw]) for sw, _ in switches),
                "".join(" | " + ratio(stats[a], stats[b])
                        for a, b, _ in ratios)))

    both = [(sw, name) for sw, name in switches
            if any((sw, "internal", m) in samples
                   and (sw, "veth", m) in samples for m, _, _, _ in METRICS)]
    if not both:
        return
    print()
    print("A container's NIC: internal port vs veth pair "
          "(internal / veth, medians)")
    print()
    print("| metric | " + " | ".join(n for _, n in both) + " |")
    print("|---|" + "---|" * len(both))
    for metric, label, unit, _ in METRICS[:4]:
        row = []
        for sw, _ in both:
            i = samples.get((sw, "internal", metric))
            v = samples.get((sw, "veth", metric))
            row.append(ratio(summary(i) if i else None,
                             summary(v) if v else None))
        print("| %s | %s |" % (label, " | ".join(row)))


if __name__ == "__main__":
    main()
