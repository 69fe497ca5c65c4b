"""How fast saved text is read and explained: the shared corpus and seeds, and synthetic sessions.

    python benchmarks/model_bench.py

Prints wall seconds for: reading + explaining every file of ../shared (one by one, as `explain` does),
and explaining synthetic `get -w` row observations spread over many pods and packed into one pod.
"""

from __future__ import annotations

import glob
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from kubectl_podlife.errors import PodlifeError  # noqa: E402
from kubectl_podlife.model import build_timeline  # noqa: E402
from kubectl_podlife.observation import ROW, Observation, PodKey  # noqa: E402
from kubectl_podlife.pipeline import timeline_for_files  # noqa: E402


def shared_files() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.join(here, "..", "..", "shared")
    return sorted(glob.glob(os.path.join(shared, "corpus", "[0-9]*.txt")) +
                  glob.glob(os.path.join(shared, "seeds", "*.txt")))


def crash_loop_rows(pods: int, per_pod: int) -> list[Observation]:
    """Rows of pods cycling Running -> CrashLoopBackOff -> Running with a restart each cycle."""
    out, seq = [], 0
    for p in range(pods):
        key, t, restarts = PodKey(f"web-{p}", "prod"), 0.0, 0
        for i in range(per_pod):
            seq += 1
            if i % 3 == 2:
                restarts += 1
            status = "CrashLoopBackOff" if i % 3 == 1 else "Running"
            data = {"ready": "0/1" if status != "Running" else "1/1", "status": status, "restarts": restarts}
            if restarts:
                data["last_restart_ago"] = [0.0, 1.0]
            out.append(Observation(kind=ROW, pod=key, origin=f"gen:{seq}", raw="", data=data, t=t, t_lo=t,
                                   t_hi=t + 1, seq=seq))
            t += 20
    return out


def main() -> None:
    files = shared_files()
    if files:
        t0 = time.perf_counter()
        pods = 0
        for f in files:
            try:
                timeline, _ = timeline_for_files([f])
                pods += len(timeline.pods)
            except PodlifeError:
                pass  # prose-only seeds
        dt = time.perf_counter() - t0
        print(f"shared corpus + seeds: {len(files)} files, {pods} pods explained in {dt:.2f} s "
              f"({dt / len(files) * 1000:.0f} ms a file)")
    for pods, per in ((1000, 100), (1, 8000)):
        obs = crash_loop_rows(pods, per)
        t0 = time.perf_counter()
        timeline = build_timeline(obs)
        dt = time.perf_counter() - t0
        n = sum(len(p.transitions) for p in timeline.pods)
        print(f"{len(obs):,} observations in {pods} pod(s): {dt:.2f} s, {n:,} transitions "
              f"({dt / len(obs) * 1e6:.0f} µs an observation)")


if __name__ == "__main__":
    main()
