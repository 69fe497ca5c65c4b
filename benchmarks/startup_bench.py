"""Start-up figures (issue 12): `kubectl podlife --help` and `explain` of a small file, against a bare
interpreter measured in the same run.

    python benchmarks/startup_bench.py [--repeat N]

Prints the median wall and CPU seconds of each (default 9 runs) and their ratios to `python -c pass` in
the same virtual environment. Targets: --help <= 4x, explain of a small file <= 5x. On a machine shared
with other work, wall time is mostly waiting for a core: read the CPU ratio.

The children run with bytecode caching on, in a cache under the benchmark directory (one warm-up run
fills it), whatever PYTHONDONTWRITEBYTECODE says here: an installed package has its .pyc files, and
without them every start compiles about 60 modules (it doubles the explain figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from benchlib import ROOT, bench_path, child_cpu_delta, run

SMALL = os.path.join(ROOT, "replays", "liveness-exec.log")


ENV = {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": bench_path("pycache")}


def timed(argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `argv` after one warm-up run."""
    runs = []
    for i in range(repeat + 1):
        child_cpu_delta()
        r = run(argv, env=ENV)
        if r.rc != 0:
            sys.exit(f"{' '.join(argv)}: exit {r.rc}: {r.err.decode(errors='replace').strip()}")
        if i:
            runs.append(r)
    return statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    py = sys.executable
    bare, bare_cpu = timed([py, "-c", "pass"], args.repeat)
    print(f"bare interpreter            {bare * 1000:7.1f} ms wall {bare_cpu * 1000:7.1f} ms CPU")
    for label, argv, target in (
        ("--help", [py, "-m", "kubectl_podlife", "--help"], 4.0),
        ("explain (small file)", [py, "-m", "kubectl_podlife", "explain", SMALL], 5.0),
    ):
        t, cpu = timed(argv, args.repeat)
        ratio, cpu_ratio = t / bare, cpu / bare_cpu
        mark = "ok" if cpu_ratio <= target else "MISSED"
        print(f"{label:<27} {t * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms CPU  {ratio:5.1f}x / {cpu_ratio:4.1f}x bare "
              f"(wall / CPU; target <= {target:g}x)  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
