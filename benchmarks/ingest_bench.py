"""Ingest at cluster scale: `kubectl podlife import` of generated `get pods -A -w` logs.

    python benchmarks/ingest_bench.py [--quick] [--repeat N]

Generates (once, cached) logs of 100k rows / 2,000 pods and 1M rows / 20,000 pods, then imports each in
a fresh process into a fresh store and prints CPU seconds, rows per CPU second and peak RSS next to the
targets of issue 12, with the ratio to a bare `for line in f: line.split()` loop over the same file
measured in the same run. Median of --repeat runs (default 3; the 1M import once with --quick).

    python benchmarks/ingest_bench.py --medium [--repeat 1]

does the same for 100k rows / 2,000 pods and 300k rows / 6,000 pods (a few minutes on a loaded 2-core
machine instead of tens; the rows/s target is the 1M one, so read it as a trend there).
"""

from __future__ import annotations

import argparse
import os
import tempfile

import benchlib
from benchlib import cli, median_run, report


def import_once(path: str, repeat: int) -> benchlib.Run:
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            r = cli(["import", path], env={"PODLIFE_DB": os.path.join(d, "podlife.db")})[0]
            if r.rc != 0:
                raise SystemExit(f"import {path} failed: {r.err.decode(errors='replace')[-2000:]}")
            runs.append(r)
    return median_run(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="the 1M-row import once, not --repeat times")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="2000,20000", help="pods of the small and large log (50 rows each)")
    ap.add_argument("--medium", action="store_true", help="100k and 300k rows (--sizes 2000,6000)")
    a = ap.parse_args()
    if a.medium:
        a.sizes = "2000,6000"
    small_pods, large_pods = (int(x) for x in a.sizes.split(","))
    small = benchlib.get_w_all_namespaces(small_pods)
    large = benchlib.get_w_all_namespaces(large_pods)
    figures = {}
    for label, path, repeat in (("small", small, a.repeat), ("large", large, 1 if a.quick else a.repeat)):
        rows = benchlib.rows_in(path)
        split = benchlib.split_loop(path)
        r = import_once(path, repeat)
        figures[label] = (rows, split, r)
        print(f"import {os.path.basename(path)}: {rows:,} rows, {os.path.getsize(path) / 1e6:.0f} MB "
              f"(median of {repeat}; split loop {split:.3f} s CPU)")
        report("CPU seconds", r.cpu, "s", "", None, r.cpu / split)
        report("rows per CPU second", rows / r.cpu, "rows/s", ">= 350,000" if label == "large" else "",
               rows / r.cpu >= 350_000 if label == "large" else None)
        report("peak RSS", r.rss_mb, "MB", "<= 100", r.rss_mb <= 100)
        report("within 8x of the split loop", r.cpu / split, "x", "<= 8", r.cpu / split <= 8 if label == "large"
               else None)
    (rs, _, s), (rl, _, l) = figures["small"], figures["large"]
    growth = l.cpu / s.cpu
    print(f"linearity: {rl / rs:.1f}x the rows")
    report("large / small CPU", growth, "x", f"<= {1.1 * rl / rs:.0f}", growth <= 1.1 * rl / rs)


if __name__ == "__main__":
    main()
