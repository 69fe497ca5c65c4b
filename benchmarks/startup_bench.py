"""Start-up figures (issue 12): `kubectl podlife --help` and `explain` of a small file, against a bare
interpreter measured in the same run.

    python benchmarks/startup_bench.py [--repeat N]

Runs `python -c pass`, `--help` and `explain replays/liveness-exec.log` in turn, N rounds (default 9)
after one warm-up run of each, so a change in the machine's load falls on all three alike; prints the
median wall and CPU seconds of each and both ratios to the bare interpreter next to the target:
--help <= 4x, explain of a small file <= 5x. Issue 12 reports the CPU ratio: on a machine shared with
other work, wall time is partly waiting for a core.

The children run with bytecode caching on, in a cache under the benchmark directory (the warm-up run
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


def once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `argv`."""
    child_cpu_delta()
    r = run(argv, env=ENV)
    if r.rc != 0:
        sys.exit(f"{' '.join(argv)}: exit {r.rc}: {r.err.decode(errors='replace').strip()}")
    return r.wall, r.cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    py = sys.executable
    cases = (
        ("bare interpreter", [py, "-c", "pass"], None),
        ("--help", [py, "-m", "kubectl_podlife", "--help"], 4.0),
        ("explain (small file)", [py, "-m", "kubectl_podlife", "explain", SMALL], 5.0),
    )
    for _, argv, _ in cases:
        once(argv)  # warm-up: fills the bytecode cache
    runs: list[list[tuple[float, float]]] = [[] for _ in cases]
    for _ in range(args.repeat):
        for i, (_, argv, _) in enumerate(cases):
            runs[i].append(once(argv))
    medians = [(statistics.median(w for w, _ in rs), statistics.median(c for _, c in rs)) for rs in runs]
    bare, bare_cpu = medians[0]
    print(f"median of {args.repeat} rounds, each round the three commands in turn")
    print(f"{'bare interpreter':<21} {bare * 1000:6.1f} ms wall {bare_cpu * 1000:6.1f} ms CPU")
    for (label, _, target), (wall, cpu) in zip(cases[1:], medians[1:]):
        ratio, cpu_ratio = wall / bare, cpu / bare_cpu
        wall_mark, cpu_mark = ("ok" if r <= target else "MISSED" for r in (ratio, cpu_ratio))
        print(f"{label:<21} {wall * 1000:6.1f} ms wall {cpu * 1000:6.1f} ms CPU   {ratio:4.2f}x / {cpu_ratio:4.2f}x bare"
              f"   target <= {target:g}x: wall {wall_mark}, CPU {cpu_mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
