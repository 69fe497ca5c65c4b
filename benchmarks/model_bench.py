"""How fast saved text is read and explained: the shared corpus and seeds, and synthetic sessions.

    python benchmarks/model_bench.py

Prints wall seconds for: reading + explaining every file of ../shared (one by one, as `explain` does),
and explaining synthetic `get -w` row observations spread over many pods and packed into one pod.

    python benchmarks/model_bench.py --session [--pods 2000] [--repeat 3]

imports a generated `get pods -A -w` log (50 rows a pod) into a store once, then runs `explain --session`
(text, `-o json`, `--pod` of one pod) in fresh processes on a fresh copy of that store each time (nothing
cached) and once more on a store that has cached every timeline: CPU seconds, peak RSS and the ratio to
the bare split loop over the log, median of --repeat, next to issue 12's targets.
"""

from __future__ import annotations

import glob
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # benchlib

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


def session_bench(pods: int, repeat: int) -> None:
    import shutil
    import tempfile

    import benchlib

    log = benchlib.get_w_all_namespaces(pods)
    rows = benchlib.rows_in(log)
    split = benchlib.split_loop(log)
    with tempfile.TemporaryDirectory() as d:
        store = os.path.join(d, "imported.db")
        r = benchlib.cli(["import", log], env={"PODLIFE_DB": store})[0]
        if r.rc != 0:
            raise SystemExit(f"import failed: {r.err.decode(errors='replace')[-2000:]}")
        print(f"explain --session of {rows:,} rows / {pods:,} pods (median of {repeat}; split loop {split:.3f} s CPU)")
        with open(log) as fh:
            next(fh)
            first_pod = "/".join(next(fh).split()[:2])
        cases = (("text", []), ("-o json", ["-o", "json"]), ("--pod (one pod)", ["--pod", first_pod]))
        for label, extra in cases:
            runs = []
            for i in range(repeat):
                fresh = os.path.join(d, f"fresh{i}.db")
                shutil.copyfile(store, fresh)
                runs += benchlib.cli(["explain", "--session", "latest", *extra], env={"PODLIFE_DB": fresh})
                os.remove(fresh)
            bad = [x for x in runs if x.rc != 0]
            if bad:
                raise SystemExit(f"explain {label} failed: {bad[0].err.decode(errors='replace')[-2000:]}")
            m = benchlib.median_run(runs)
            print(f"  explain {label}, nothing cached ({len(m.out) / 1e6:.1f} MB of output)")
            target = label != "--pod (one pod)"
            benchlib.report("CPU seconds", m.cpu, "s", "<= 5" if target else "", m.cpu <= 5 if target else None,
                            m.cpu / split)
            benchlib.report("peak RSS", m.rss_mb, "MB", "<= 300" if target else "", m.rss_mb <= 300 if target else None)
        shutil.copyfile(store, os.path.join(d, "warm.db"))
        env = {"PODLIFE_DB": os.path.join(d, "warm.db")}
        benchlib.cli(["explain", "--session", "latest"], env=env)  # builds and caches every timeline
        m = benchlib.median_run(benchlib.cli(["explain", "--session", "latest"], env=env, repeat=repeat))
        print("  explain text, every timeline cached")
        benchlib.report("CPU seconds", m.cpu, "s", "", None, m.cpu / split)
        benchlib.report("peak RSS", m.rss_mb, "MB", "", None)


def main() -> None:
    if "--session" in sys.argv:
        import argparse

        ap = argparse.ArgumentParser()
        ap.add_argument("--session", action="store_true")
        ap.add_argument("--pods", type=int, default=2000)
        ap.add_argument("--repeat", type=int, default=3)
        a = ap.parse_args()
        session_bench(a.pods, a.repeat)
        return
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
