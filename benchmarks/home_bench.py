"""How soon the replay TUI's home screen (the pod list) appears on a recording of many pods.

    python benchmarks/home_bench.py [PODS [FORMAT]]     # FORMAT: get-w (default) or jsonl
    python benchmarks/home_bench.py --file PATH

Generates PODS simulated pods (default 2000) with `simulate --pods`, then, in the same run:
  baseline  what the TUI used to wait for before showing anything: read the file and explain every pod
            (read_paths + build_timeline, as `explain` does);
  app       the app headless at 80x24 through make_app: seconds until the pod list draws its first row,
            and until every pod is in it; then Enter on the worst pod and back.
Prints wall seconds and the ratio of the first row to the baseline (the machine is shared: compare
ratios, not seconds, across runs).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def baseline(path: str) -> float:
    from kubectl_podlife.ingest import read_paths
    from kubectl_podlife.model import build_timeline

    t0 = time.perf_counter()
    build_timeline(read_paths([path]).observations)
    return time.perf_counter() - t0


async def app_times(path: str) -> tuple[float, float, int, float]:
    from kubectl_podlife.tui.app import make_app
    from kubectl_podlife.tui.screens import PodsScreen

    t0 = time.perf_counter()
    app = make_app(files=[path])
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, PodsScreen) and app.screen.composed and app.screen.table.count):
            if app.load_error:
                raise SystemExit(f"load failed: {app.load_error}")
            await pilot.pause(0.005)
        first = time.perf_counter() - t0
        while app.pods_screen.progress is not None or app.timeline is None or app.view is None:
            await pilot.pause(0.01)
        every = time.perf_counter() - t0
        pods = len(app.rows)
        s = time.perf_counter()
        await pilot.press("enter")
        while isinstance(app.screen, PodsScreen):
            await pilot.pause(0.005)
        await pilot.press("escape")
        while not isinstance(app.screen, PodsScreen):
            await pilot.pause(0.005)
        roundtrip = time.perf_counter() - s
    return first, every, pods, roundtrip


def main() -> None:
    args = sys.argv[1:]
    with tempfile.TemporaryDirectory() as d:
        if args[:1] == ["--file"]:
            path = args[1]
        else:
            from kubectl_podlife.commands.simulate_generate import generate

            pods = int(args[0]) if args else 2000
            fmt = args[1] if len(args) > 1 else "get-w"
            path = os.path.join(d, f"pods.{'jsonl' if fmt == 'jsonl' else 'txt'}")
            res = generate(pods, path, fmt, 1)
            print(f"input: {pods} pods, {res.observations:,} observations ({fmt}, {os.path.getsize(path) / 1e6:.1f} MB)")
        base = baseline(path)
        first, every, n, roundtrip = asyncio.run(app_times(path))
        print(f"baseline: read + explain every pod        {base:6.2f} s")
        print(f"app: pod list shows its first row         {first:6.2f} s   ({first / base:.2f} x baseline)")
        print(f"app: all {n:,} pods in the list           {every:6.2f} s   ({every / base:.2f} x baseline)")
        print(f"app: enter on the worst pod and esc back  {roundtrip:6.2f} s")


if __name__ == "__main__":
    main()
