"""Start-up figures (issue 12): `kubectl podlife --help` and `explain` of a small file, against a bare
interpreter measured in the same run.

    python benchmarks/startup_bench.py [--repeat N]

Prints the median wall seconds of each (default 9 runs) and its ratio to `python -c pass` in the same
virtual environment. Targets: --help <= 4x, explain of a small file <= 5x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from benchlib import ROOT, run

SMALL = os.path.join(ROOT, "replays", "liveness-exec.log")


def wall(argv: list[str], repeat: int) -> float:
    runs = [run(argv) for _ in range(repeat)]
    bad = [r for r in runs if r.rc != 0]
    if bad:
        sys.exit(f"{' '.join(argv)}: exit {bad[0].rc}: {bad[0].err.decode(errors='replace').strip()}")
    return statistics.median(r.wall for r in runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    py = sys.executable
    bare = wall([py, "-c", "pass"], args.repeat)
    print(f"bare interpreter            {bare * 1000:7.1f} ms")
    for label, argv, target in (
        ("--help", [py, "-m", "kubectl_podlife", "--help"], 4.0),
        ("explain (small file)", [py, "-m", "kubectl_podlife", "explain", SMALL], 5.0),
    ):
        t = wall(argv, args.repeat)
        ratio = t / bare
        mark = "ok" if ratio <= target else "MISSED"
        print(f"{label:<27} {t * 1000:7.1f} ms  {ratio:5.1f}x bare  (target <= {target:g}x)  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
