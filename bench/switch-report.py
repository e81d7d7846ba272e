#!/usr/bin/python3
"""switch-report.py: summarizes bench/switch-bench.sh's samples.

usage: switch-report.py SAMPLES.tsv

Each line of SAMPLES.tsv is "switch<TAB>ports<TAB>metric<TAB>value".  Prints
a Markdown table of medians with min-max spreads, the ratio of xsw scraped
once a second (--metrics) to xsw without, the ratios against Open
vSwitch (of xsw, of xsw spinning and of xsk-fwd, the AF_XDP ceiling) and of
xsw against the Linux bridge measured in the same run, and the comparison
of an internal port with a veth pair as a container's NIC.  Switches with
no samples in the file are left out.
"""
import sys

from benchstats import measured, print_header, ratio, row_cells, summary

METRICS = [
    # metric, label, unit, higher is better
    ("tcp", "TCP a->b", "Gbit/s", True),
    ("pps", "64-byte frames", "kpps", True),
    ("rtt", "ping RTT", "us", False),
    ("cpu", "switch CPU during pps", "% core", None),
    ("scrape", "a scrape of /metrics", "ms", False),
    ("addports", "add internal ports, 1 txn", "s", False),
]
SWITCHES = [("xsw", "xsw"), ("xsw-scraped", "xsw scraped 1/s"),
            ("xsw-spin", "xsw spinning"), ("ovs", "OVS 3.1"),
            ("xskfwd", "xsk-fwd (AF_XDP ceiling)"),
            ("linux", "Linux bridge"), ("direct", "no switch")]
# Ratio columns: (numerator, denominator, heading).
RATIOS = [("xsw-scraped", "xsw", "scraped/xsw"),
          ("xsw", "ovs", "xsw/OVS"), ("xsw-spin", "ovs", "xsw spinning/OVS"),
          ("xskfwd", "ovs", "xsk-fwd/OVS"), ("xsw", "linux", "xsw/bridge")]
PORTS = {"veth": "veth / AF_XDP", "internal": "internal (TAP)"}


def main():
    samples, switches, ratios = measured(sys.argv, __doc__, SWITCHES, RATIOS)
    if not samples:
        return
    ports_seen = sorted({p for (_, p, _) in samples},
                        key=lambda p: (p not in PORTS, p))

    print_header(["metric", "ports"], switches, ratios)
    for metric, label, unit, _ in METRICS:
        for ports in ports_seen:
            cells = row_cells(samples, lambda sw: (sw, ports, metric),
                              switches, ratios)
            if cells is not None:
                print("| %s, %s | %s | %s |" % (
                    label, unit, PORTS.get(ports, ports), cells))

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
