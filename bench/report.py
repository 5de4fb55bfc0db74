#!/usr/bin/env python3
"""The benchmark's report: medians, ratios and a verdict per target.

usage: python3 bench/report.py RESULTS.tsv META.tsv CHECKS FAILURES OUT.md

RESULTS.tsv has one line per timed process (bench/run.sh writes it):
phase, dataset, source, tool, round, rows, bytes in, wall s, user s, sys s,
max RSS KiB, bytes out, exit status. Prints the table and the verdicts and
writes them, with the machine and the checks, as markdown to OUT.md.
"""
import statistics
import sys

MB = 1e6
MIB = 1024 * 1024
NAMES = {"csv2pq": "csv2pq", "duckdb": "DuckDB", "polars": "Polars"}
TARGET_WALL = 0.5     # x Polars' wall time, every dataset
TARGET_RSS = 32       # MiB, at default settings
TARGET_SIZE = 0.9     # x the smaller of DuckDB's and Polars' files
FLAT_MIB, FLAT_SHARE = 2.0, 0.10   # full file vs 10%: at most this much more


def load(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 13:
                continue
            runs.append({
                "phase": p[0], "dataset": p[1], "source": p[2], "tool": p[3],
                "round": int(p[4]), "rows": int(p[5]), "bytes_in": int(p[6]),
                "wall": float(p[7]), "cpu": float(p[8]) + float(p[9]),
                "rss": int(p[10]) * 1024, "bytes_out": int(p[11]), "status": int(p[12])})
    return runs


class Cell:
    """The runs of one tool on one input: medians over the good rounds."""

    def __init__(self, runs):
        good = [r for r in runs if r["status"] == 0]
        first = runs[0]
        self.rows, self.bytes_in = first["rows"], first["bytes_in"]
        self.rounds, self.failed = len(good), len(runs) - len(good)
        if good:
            self.wall = statistics.median(r["wall"] for r in good)
            self.cpu = statistics.median(r["cpu"] for r in good)
            self.rss = statistics.median(r["rss"] for r in good)
            self.rss_max = max(r["rss"] for r in good)
            self.bytes_out = statistics.median(r["bytes_out"] for r in good)
        else:
            self.wall = self.cpu = self.rss = self.rss_max = self.bytes_out = None


def cells(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["phase"], r["dataset"], r["source"], r["tool"]), []).append(r)
    return {k: Cell(v) for k, v in groups.items()}


def num(x, digits=2):
    return "-" if x is None else "%.*f" % (digits, x)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2fx" % (a / b)


def rate(rows, wall):
    if wall is None or wall == 0:
        return "-"
    v = rows / wall
    return "%.2f M" % (v / 1e6) if v >= 1e6 else "%.0f k" % (v / 1e3)


def table_rows(c, datasets):
    head = ["dataset", "tool", "rows", "MB in", "wall s", "CPU s", "peak RSS MiB",
            "output MB", "rows/s", "MB/s", "vs Polars", "vs DuckDB"]
    body = []

    def row(label, tool, cell, polars, duckdb):
        if cell.wall is None:
            body.append([label, tool, str(cell.rows), num(cell.bytes_in / MB, 1),
                         "failed"] + ["-"] * 7)
            return
        body.append([
            label, tool, str(cell.rows), num(cell.bytes_in / MB, 1), num(cell.wall),
            num(cell.cpu), num(cell.rss / MIB, 1), num(cell.bytes_out / MB, 2),
            rate(cell.rows, cell.wall), num(cell.bytes_in / MB / cell.wall, 1),
            ratio(cell.wall, polars.wall if polars else None),
            ratio(cell.wall, duckdb.wall if duckdb else None)])

    for d in datasets:
        polars = c.get(("encode", d, "full", "polars"))
        duckdb = c.get(("encode", d, "full", "duckdb"))
        for tool in ("csv2pq", "duckdb", "polars"):
            cell = c.get(("encode", d, "full", tool))
            if cell:
                row(d, NAMES[tool], cell, polars, duckdb)
        cell = c.get(("encode", d, "10%", "csv2pq"))
        if cell:
            row(d + " 10%", "csv2pq", cell, None, None)
    for d in datasets:
        for source in ("csv2pq", "duckdb"):
            duckdb = c.get(("decode", d, source, "duckdb"))
            for tool in ("csv2pq", "duckdb"):
                cell = c.get(("decode", d, source, tool))
                if cell:
                    row("%s, %s's file" % (d, NAMES[source]),
                        "csv2pq -d" if tool == "csv2pq" else "DuckDB", cell, None, duckdb)
    return head, body


def verdicts(c, datasets, have_peers):
    out = []

    def say(target, met, details):
        word = "NOT MEASURED" if met is None else "MET" if met else "NOT MET"
        why = "; ".join(details) or ("no data" if have_peers else "DuckDB and Polars skipped")
        out.append("%s: **%s** (%s)" % (target, word, why))

    def get(*key):
        cell = c.get(key)
        return cell if cell and cell.wall is not None else None

    # Wall time against Polars.
    met, details = True, []
    for d in datasets:
        mine, polars = get("encode", d, "full", "csv2pq"), get("encode", d, "full", "polars")
        if not mine or not polars:
            met = None
            continue
        r = mine.wall / polars.wall
        met = met and r <= TARGET_WALL if met is not None else None
        details.append("%s %.2fx: %.2f s vs %.2f s" % (d, r, mine.wall, polars.wall))
    say("wall <= %.1f x Polars on every dataset" % TARGET_WALL,
        met if have_peers and details else None, details)

    # Peak RSS, the highest of any csv2pq run.
    worst = None
    for (phase, d, source, tool), cell in c.items():
        if tool == "csv2pq" and phase != "startup" and cell.rss_max is not None:
            if worst is None or cell.rss_max > worst[0]:
                worst = (cell.rss_max, phase, d, source)
    if worst:
        say("peak RSS <= %d MiB at default settings" % TARGET_RSS, worst[0] / MIB <= TARGET_RSS,
            ["highest of every csv2pq run %.1f MiB: %s %s (%s)" % (
                worst[0] / MIB, worst[1], worst[2],
                "10% file" if worst[3] == "10%" else "full file" if worst[3] == "full" else worst[3] + "'s file")])
    else:
        say("peak RSS <= %d MiB at default settings" % TARGET_RSS, None, [])

    # Flat RSS: the full file against its first 10%.
    met, details = True, []
    for d in datasets:
        full, tenth = get("encode", d, "full", "csv2pq"), get("encode", d, "10%", "csv2pq")
        if not full or not tenth:
            continue
        grow = (full.rss_max - tenth.rss_max) / MIB
        ok = grow <= max(FLAT_MIB, FLAT_SHARE * tenth.rss_max / MIB)
        met = met and ok
        details.append("%s %.1f MiB at %d rows, %.1f MiB at %d (%+.1f)" % (
            d, tenth.rss_max / MIB, tenth.rows, full.rss_max / MIB, full.rows, grow))
    say("peak RSS flat as the input grows (highest RSS, full file within %g MiB or %d%% of the 10%% file's)"
        % (FLAT_MIB, FLAT_SHARE * 100), met if details else None, details)

    # Output size.
    met, details = True, []
    for d in datasets:
        mine = get("encode", d, "full", "csv2pq")
        peers = [p for p in (get("encode", d, "full", "duckdb"), get("encode", d, "full", "polars")) if p]
        if not mine or len(peers) < 2:
            met = None
            continue
        smallest = min(p.bytes_out for p in peers)
        r = mine.bytes_out / smallest
        met = met and r <= TARGET_SIZE if met is not None else None
        details.append("%s %.2fx: %.2f MB vs %.2f MB" % (d, r, mine.bytes_out / MB, smallest / MB))
    say("output size <= %.1f x min(DuckDB, Polars)" % TARGET_SIZE,
        met if have_peers and details else None, details)

    # Decoding against DuckDB, on both files.
    met, details = True, []
    for d in datasets:
        for source in ("csv2pq", "duckdb"):
            mine, duck = get("decode", d, source, "csv2pq"), get("decode", d, source, "duckdb")
            if not mine or not duck:
                continue
            met = met and mine.wall < duck.wall
            details.append("%s %s's file %.2f s vs %.2f s (%.2fx)" % (
                d, NAMES[source], mine.wall, duck.wall, mine.wall / duck.wall))
    say("csv2pq -d faster than DuckDB", met if details else None, details)
    return out


def text_table(head, body):
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    left = (0, 1)
    fmt = lambda r: "  ".join(v.ljust(w) if i in left else v.rjust(w)
                              for i, (v, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(head), "  ".join("-" * w for w in widths)] + [fmt(r) for r in body])


def md_table(head, body, text_columns=2):
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(" --- " if i < text_columns else " ---: " for i in range(len(head))) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    runs = load(sys.argv[1])
    meta = {}
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    with open(sys.argv[3], encoding="utf-8") as f:
        checks = [l.rstrip("\n") for l in f if l.strip()]
    with open(sys.argv[4], encoding="utf-8") as f:
        failures = [l.rstrip("\n") for l in f if l.strip()]

    datasets = []
    for r in runs:
        if r["phase"] != "startup" and r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    c = cells(runs)
    have_peers = meta.get("peers", "none") != "none"
    head, body = table_rows(c, datasets)
    lines = verdicts(c, datasets, have_peers)
    startup = [[NAMES[t], num(cell.wall, 3), num(cell.cpu, 3), num(cell.rss / MIB, 1)]
               for (phase, _, _, t), cell in c.items() if phase == "startup" and cell.wall is not None]

    print(text_table(head, body))
    print()
    for v in lines:
        print(v.replace("**", ""))

    scale = meta.get("scale", "1")
    md = ["# csv2pq benchmark", ""]
    if failures:
        md += ["**FAILED: an output that was timed is wrong, or a timed command failed; see Checks.**", ""]
    md.append("`make bench` on %s: scale %s, %s rounds (medians), seed %s." % (
        meta.get("started", "?"), scale, meta.get("rounds", "?"), meta.get("seed", "?")))
    if float(scale) != 1:
        md.append("The targets are stated for scale 1 (the full datasets); at this scale they are indicative only.")
    md += ["", "Machine: %s, %s cores, %s; load average %s. Other work may share the machine;"
           " the tools are alternated within each round so that it falls on all of them." % (
               meta.get("cpu", "?"), meta.get("cores", "?"), meta.get("memory", "?"), meta.get("load", "?")), ""]
    if have_peers:
        md.append("Tools: %s; DuckDB %s (@duckdb/node-api, 2 threads) and Polars %s (nodejs-polars),"
                  " node %s." % (meta.get("csv2pq", "?"), meta.get("@duckdb/node-api", "?"),
                                 meta.get("nodejs-polars", "?"), meta.get("node", "?")))
    else:
        md.append("Tools: %s; DuckDB and Polars were SKIPPED (node/npm or the npm modules are not"
                  " available), so the targets that compare with them are not measured." % meta.get("csv2pq", "?"))
    md += ["", "## Targets", ""] + ["- " + v for v in lines]
    md += ["", "## Results", "",
           "Whole processes, as a user runs them: `csv2pq < x.csv > x.parquet`, `csv2pq -d x.parquet > x.csv`;"
           " DuckDB and Polars are node processes (bench/peer.mjs), so their figures include starting node"
           " and loading the module (below). Wall time from the clock, CPU time (user + system) and peak RSS"
           " from GNU time; MB = 10^6 bytes; ratios are of median wall times. `10%` is csv2pq on the"
           " first tenth of the rows. Decoding rows: csv2pq -d and DuckDB's COPY ... TO csv, on"
           " csv2pq's Parquet file and on DuckDB's.", "", md_table(head, body)]
    if startup:
        md += ["", "Starting up (a one-line CSV for csv2pq; node loading the module for the peers):", "",
               md_table(["tool", "wall s", "CPU s", "peak RSS MiB"], startup, 1)]
    md += ["", "## Checks", "",
           "Every file measured above is checked after it is timed, and every round's csv2pq output"
           " must be byte-identical to the one checked."]
    if meta.get("have_node") == "yes":
        md[-1] += (" bench/verify.mjs, on every csv2pq output: DuckDB reads the CSV side with the"
                   " Parquet file's types and the two must hold the same rows in the same order; for a"
                   " Parquet file csv2pq wrote, Polars must also agree with DuckDB on the row count and"
                   " each column's NULL count and min/max or total length. tests/interop/check.mjs (four"
                   " readers, every cell, statistics) on csv2pq's Parquet files of up to %s rows."
                   " The peers' files: their row count." % meta.get("check_rows", "?"))
    else:
        md[-1] += (" Without node, only csv2pq itself checks its files: the row count, and that"
                   " `csv2pq -d | csv2pq | csv2pq -d` gives back the same CSV. The interop check was SKIPPED.")
    md.append("")
    md += ["    " + l for l in checks]
    md += ["", "**%s**" % ("FAILED: " + "; ".join(failures) if failures else
                          "All timed outputs checked correct."), ""]
    with open(sys.argv[5], "w", encoding="utf-8") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
