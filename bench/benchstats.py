"""benchstats.py: the samples files of the switch benchmarks, summarized.

Shared by bench/switch-report.py and bench/cni-report.py.  A samples file
has one line per sample, "switch<TAB>ports<TAB>metric<TAB>value" (written
by bench/traffic-lib.sh's record); a value that is not a number (such as
"timeout") is kept as None: shown, never averaged.
"""
import statistics
import sys


def load(path):
    """{(switch, ports, metric): [value, ...]}; pps in kpps."""
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
    """A summary as "median (min-max)"; "-" for no samples."""
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
    """The ratio of two summaries' medians, "-" if either is missing."""
    if a is None or b is None or b[0] == 0:
        return "-"
    return "%.2fx" % (a[0] / b[0])


def measured(argv, doc, columns, ratios):
    """Loads the samples file named in 'argv' (else exits with 'doc').

    Returns the samples, the (key, heading) 'columns' and the (numerator,
    denominator, heading) 'ratios' that have samples in it; None for the
    samples if the file has none (after saying so)."""
    if len(argv) != 2:
        sys.exit(doc)
    samples = load(argv[1])
    if not samples:
        print("(no samples)")
        return None, [], []
    seen = {sw for (sw, _, _) in samples}
    return (samples, [(c, name) for c, name in columns if c in seen],
            [r for r in ratios if r[0] in seen and r[1] in seen])


def print_header(lead, columns, ratios):
    """A Markdown table's heading: the 'lead' headings, then the columns'
    and the ratios'."""
    print("| " + " | ".join(lead) + " | "
          + " | ".join(name for _, name in columns)
          + "".join(" | " + h for _, _, h in ratios) + " |")
    print("|" + "---|" * (len(lead) + len(columns) + len(ratios)))


def row_cells(samples, key, columns, ratios):
    """The cells of one row, with key(column) the samples' key in each
    column, then the ratios of the medians; None if no column has any."""
    values = {c: samples.get(key(c)) for c, _ in columns}
    if all(v is None for v in values.values()):
        return None
    stats = {c: summary(v) if v is not None else None
             for c, v in values.items()}
    return (" | ".join(fmt(stats[c], values[c]) for c, _ in columns)
            + "".join(" | " + ratio(stats[a], stats[b])
                      for a, b, _ in ratios))
