#!/usr/bin/python3
"""cni-report.py: summarizes bench/cni-bench.sh's samples.

usage: cni-report.py SAMPLES.tsv

Prints a Markdown table, one row per metric, one column per setup (median
and min-max spread over the repetitions), and the ratios of xsw-cni's
internal ports to the bridge plugin's veth pairs measured in the same run:
on an access VLAN against the plain bridge, VLAN against VLAN, and without
VLANs on either side.  Setups with no samples in the file are left out.
"""
import sys

from benchstats import measured, print_header, row_cells

METRICS = [
    ("tcp", "TCP a->b, Gbit/s"),
    ("pps", "64-byte frames a->b, kpps"),
    ("rtt", "ping RTT, us"),
    ("cpu", "xsw-switchd CPU during the frames, % core"),
    ("add", "ADD, ms per container"),
]
SETUPS = [("xsw", "xsw-cni, VLAN 1000"), ("xsw-plain", "xsw-cni, no VLAN"),
          ("bridge", "bridge plugin"),
          ("bridge-vlan", "bridge plugin, VLAN 1000")]
# Ratio columns: (numerator, denominator, heading).
RATIOS = [("xsw", "bridge", "xsw VLAN / bridge"),
          ("xsw", "bridge-vlan", "xsw VLAN / bridge VLAN"),
          ("xsw-plain", "bridge", "xsw / bridge, no VLAN")]


def main():
    samples, setups, ratios = measured(sys.argv, __doc__, SETUPS, RATIOS)
    if not samples:
        return
    print_header(["metric"], setups, ratios)
    for metric, label in METRICS:
        cells = row_cells(samples, lambda s: (s, "cni", metric), setups,
                          ratios)
        if cells is not None:
            print("| %s | %s |" % (label, cells))


if __name__ == "__main__":
    main()
