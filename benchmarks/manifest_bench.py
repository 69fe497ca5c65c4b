"""Speed figures that used to be timing assertions in unit tests (issue 9: a test asserts behaviour,
a benchmark measures): reading 1 MB of `get pods -o yaml`, and the session generator.

    python benchmarks/manifest_bench.py [--repeat N]

Prints CPU seconds (median of --repeat, default 5) next to the old bounds, with the ratio to a bare
`for line in lines: line.split()` over the same text measured in the same run, so a figure taken on a
loaded machine can still be compared with one taken on an idle one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from benchlib import ROOT, report

sys.path.insert(0, os.path.join(ROOT, "tests"))

from podlife_testkit import pods_list_yaml  # noqa: E402  (the same text the unit test reads)

from kubectl_podlife.ingest.manifest import scan_manifest  # noqa: E402
from kubectl_podlife.commands.simulate_generate import generate  # noqa: E402


def cpu(fn, repeat: int) -> float:
    """Median CPU seconds of fn() over `repeat` calls."""
    times = []
    for _ in range(repeat):
        c0 = time.process_time()
        fn()
        times.append(time.process_time() - c0)
    return statistics.median(times)


def split_loop(lines: list[str], repeat: int) -> float:
    def loop() -> None:
        for line in lines:
            line.split()
    return cpu(loop, repeat)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()

    text = pods_list_yaml(1000)
    lines = ["$ kubectl get pods -o yaml"] + text.split("\n") + ["$ kubectl get pods"]
    base = split_loop(lines, a.repeat)
    scan = cpu(lambda: scan_manifest(lines, 1), a.repeat)
    print(f"scan_manifest of {len(text) / 1e6:.2f} MB ({len(lines):,} lines) of get pods -o yaml, "
          f"median of {a.repeat}; split loop {base:.4f} s CPU")
    report("CPU seconds", scan, "s", "< 2.5 (old bound)", scan < 2.5, scan / base)

    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "g.jsonl")
        results = []

        def gen() -> None:
            results.append(generate(150, out, "jsonl", seed=2))
        seconds = cpu(gen, a.repeat)
        with open(out, encoding="utf-8") as f:
            gen_lines = f.read().split("\n")
    base = split_loop(gen_lines, a.repeat)
    n = results[-1].observations
    print(f"simulate --pods 150 --seed 2 (jsonl): {n:,} observations, median of {a.repeat}; "
          f"split loop over its output {base:.4f} s CPU")
    report("observations per CPU second", n / seconds, "obs/s", "> 10,000 (old)", n / seconds > 10_000,
           seconds / base)


if __name__ == "__main__":
    main()
