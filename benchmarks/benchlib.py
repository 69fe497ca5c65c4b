"""What the benchmark scripts share: generated `get pods -A -w` logs, the split-loop yardstick, timing a
command in a fresh process (CPU seconds and peak RSS), and printing a figure next to its target.

Generated logs are cached under $PODLIFE_BENCH_DIR (default /tmp/podlife-bench) so a second run does not
pay for generating a million rows again.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

BENCH_DIR = os.environ.get("PODLIFE_BENCH_DIR", "/tmp/podlife-bench")
NAMESPACES = 40


def bench_path(name: str) -> str:
    os.makedirs(BENCH_DIR, exist_ok=True)
    return os.path.join(BENCH_DIR, name)


def get_w_all_namespaces(pods: int, rows_per_pod: int = 50, seed: int = 1) -> str:
    """A `kubectl get pods -A -w` log of about pods × rows_per_pod rows from `simulate --pods`, cached.

    The generator writes the NAME-first layout of one namespace; the pods are spread over NAMESPACES
    namespaces and a NAMESPACE column put in front, as `-A` prints it.
    """
    path = bench_path(f"get-w-A-{pods}x{rows_per_pod}-s{seed}.txt")
    if os.path.exists(path):
        return path
    from kubectl_podlife.commands.simulate_generate import generate

    plain = path + ".plain"
    # About one row per 2.9 s of simulated life for the seed mix (measured): scale the duration to the rows.
    mean = rows_per_pod * 145
    generate(pods, plain, "get-w", seed, duration=(mean * 0.4, mean * 1.6))
    with open(plain, encoding="utf-8") as src, open(path + ".tmp", "w", encoding="utf-8") as out:
        header = next(src)
        out.write(f"{'NAMESPACE':<14}{header}")
        for line in src:
            name = line.split(None, 1)[0]
            ns = f"team-{int(name.rsplit('-', 1)[1]) % NAMESPACES:02d}"
            out.write(f"{ns:<14}{line}")
    os.remove(plain)
    os.replace(path + ".tmp", path)
    return path


def rows_in(path: str) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def split_loop(path: str) -> float:
    """CPU seconds of a bare `for line in f: line.split()` over the file (the yardstick), median of 3."""
    times = []
    for _ in range(3):
        c0 = time.process_time()
        with open(path, encoding="utf-8") as f:
            for line in f:
                line.split()
        times.append(time.process_time() - c0)
    return statistics.median(times)


def bare_interpreter() -> float:
    """Wall seconds of `python -c pass`, median of 5."""
    return statistics.median(run([sys.executable, "-c", "pass"]).wall for _ in range(5))


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    rc: int
    out: bytes
    err: bytes


def run(argv: list[str], env: dict | None = None, stdout=subprocess.PIPE) -> Run:
    """Run a command in a fresh process: wall and CPU seconds (user + system) and its peak RSS."""
    e = dict(os.environ)
    e.update(env or {})
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=e, cwd=ROOT)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    # communicate() reaped the child; its CPU is in RUSAGE_CHILDREN: take the delta around it.
    return Run(wall, child_cpu_delta(), float("nan"), proc.returncode, out or b"", err or b"")


_last_children_cpu = [0.0]


def child_cpu_delta() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    now = ru.ru_utime + ru.ru_stime
    delta, _last_children_cpu[0] = now - _last_children_cpu[0], now
    return delta



def cli(args: list[str], env: dict | None = None, repeat: int = 1, stdout=subprocess.PIPE) -> list[Run]:
    """`python -m kubectl_podlife ARGS` in fresh processes, with wall, CPU and peak RSS of each."""
    runs = []
    for _ in range(repeat):
        child_cpu_delta()
        argv = [sys.executable, os.path.join(HERE, "benchlib.py"), "--measure", sys.executable, "-m",
                "kubectl_podlife", *args]
        r = run(argv, env, stdout=stdout)
        # The wrapper prints `cpu rss_kb` of its child on its last stderr line.
        *rest, last = (r.err.rstrip().split(b"\n") or [b""])
        try:
            cpu, rss = last.split()
            r.cpu, r.rss_mb, r.err = float(cpu), int(rss) / 1024, b"\n".join(rest)
        except ValueError:
            pass
        runs.append(r)
    return runs


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.cpu)[len(runs) // 2]


def report(label: str, value: float, unit: str, target: str, ok: bool | None, ratio: float | None = None) -> None:
    """One figure: the value, its target, whether it meets it, and the ratio to the split loop."""
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    r = f"  {ratio:6.1f}x split loop" if ratio is not None else ""
    print(f"  {label:<44} {value:10.2f} {unit:<8} target {target:<14}{r}{mark}", flush=True)


def _measure_child(argv: list[str]) -> int:
    """Run argv, then print its CPU seconds and peak RSS (KiB) on stderr."""
    proc = subprocess.Popen(argv)
    _, status, ru = os.wait4(proc.pid, 0)
    sys.stderr.write(f"\n{ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--measure":
    sys.exit(_measure_child(sys.argv[2:]))
