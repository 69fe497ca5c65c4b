"""How fast the replay TUI opens and moves on a 100k-transition session.

    python benchmarks/tui_bench.py [N [N_OBSERVATIONS]]

Builds a Timeline of N transitions (default 100,000) by hand (so the figure is the TUI's own, not the
model's), opens the app headless at 80x24 through `make_app`, and prints wall times for: the first
screen, jumping to the end (G), seeking to the middle (t), paging, and a search over every row.
With the real pipeline available it also times a session of N observations through the store.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from kubectl_podlife.model.timeline import (  # noqa: E402
    Diagnosis, Evidence, KubectlView, Lane, Mark, PodTimeline, Segment, Timeline, Transition,
)


def big_timeline(n: int) -> Timeline:
    kinds = ("probe-failed", "not-ready", "probe-failed", "ready")
    trs = tuple(
        Transition(t=float(i), t_range=(float(i), float(i)), time=None, kind=kinds[i % 4], container="app",
                   summary=f"{kinds[i % 4]} #{i}", evidence=(Evidence(f"big.txt:{i + 1}", f"line {i}"),),
                   view=KubectlView("1/1" if i % 4 == 3 else "0/1", "Running", "0"))
        for i in range(n))
    lane = Lane("app", segments=tuple(Segment(float(i), float(i + 2), "ready" if i % 4 == 0 else "running")
                                      for i in range(0, n, 2)),
                marks=tuple(Mark(float(i), "probe-failed") for i in range(0, n, 4)))
    pod = PodTimeline(name="big", namespace="default", transitions=trs,
                      diagnosis=Diagnosis(cause="readiness-probe", summary="flapping readiness"),
                      restarts=0, final_status="Running", lanes=(lane,), start=0.0, end=float(n))
    return Timeline(pods=(pod,))


async def measure(label: str, **kwargs) -> None:
    from kubectl_podlife.tui.app import make_app
    from kubectl_podlife.tui.widgets import TimelineView

    t0 = time.perf_counter()
    app = make_app(**kwargs)
    async with app.run_test(size=(80, 24)) as pilot:
        painted = time.perf_counter() - t0  # the first screen (a loading indicator while a worker loads)
        while app.view is None and app.load_error is None:  # a file/session loads in a worker
            await pilot.pause(0.01)
        await pilot.pause()
        first = time.perf_counter() - t0
        if app.load_error:
            print(f"{label}: load failed: {app.load_error}")
            return
        rows = len(app.view)

        async def timed(*keys: str) -> float:
            s = time.perf_counter()
            await pilot.press(*keys)
            await pilot.pause()
            return time.perf_counter() - s

        baseline = min([await timed("z") for _ in range(5)])  # an unbound key: Pilot's own overhead

        def frame() -> float:
            """Drawing every visible timeline line from scratch (strip cache emptied)."""
            tv = app.query_one(TimelineView)
            tv._cache.clear()
            s = time.perf_counter()
            for y in range(tv.size.height):
                tv.render_line(y)
            return time.perf_counter() - s

        end = await timed("G")
        frame_end = frame()
        seek = await timed("t", *f"{int(app.view.end // 2)}s", "enter")
        pages = [await timed("pagedown") for _ in range(20)]
        steps = [await timed("j") for _ in range(50)]
        search = await timed("slash", *"#77777", "enter")
    print(f"{label}: {rows:,} rows; Pilot's own overhead per key press {baseline * 1000:.1f} ms"
          " is included below")
    print(f"  first screen painted  {painted * 1000:8.1f} ms  (loading indicator, data loading in a worker)")
    print(f"  data on screen        {first * 1000:8.1f} ms")
    print(f"  jump to end (G)       {end * 1000:8.1f} ms")
    print(f"  draw a full timeline  {frame_end * 1000:8.1f} ms  (all visible rows, cold strip cache)")
    print(f"  seek to middle (t)    {seek * 1000:8.1f} ms  (includes typing {len(str(int(app.view.end // 2))) + 3} keys)")
    print(f"  page down             {sum(pages) / len(pages) * 1000:8.1f} ms mean, {max(pages) * 1000:.1f} ms max")
    print(f"  one row down (j)      {sum(steps) / len(steps) * 1000:8.1f} ms mean, {max(steps) * 1000:.1f} ms max")
    print(f"  search every row (/)  {search * 1000:8.1f} ms  (includes typing 8 keys)")


def session_with_observations(n: int) -> tuple[str, int] | None:
    """A store holding n `get -w` row observations of one flapping pod, or None without the pipeline."""
    try:
        from kubectl_podlife.model import build_timeline  # noqa: F401
        from kubectl_podlife.observation import ROW, Observation, PodKey
        from kubectl_podlife.store import Store
    except ImportError as exc:
        print(f"(session benchmark skipped: {exc})")
        return None
    path = os.path.join(tempfile.mkdtemp(), "bench.db")
    store = Store(path)
    sid = store.create_session("import", ["bench"])
    pod = PodKey("big", "default")
    obs = []
    for i in range(n):
        ready = "1/1" if i % 2 else "0/1"
        obs.append(Observation(kind=ROW, pod=pod, origin=f"bench.txt:{i + 1}", seq=i, t=float(i * 10),
                               t_lo=float(i * 10), t_hi=float(i * 10 + 1),
                               raw=f"big   {ready}   Running   0   {i * 10}s",
                               data={"ready": ready, "status": "Running", "restarts": 0, "age": f"{i * 10}s"}))
    store.append(sid, obs)
    store.close()
    return path, sid


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    s = time.perf_counter()
    timeline = big_timeline(n)
    print(f"built a {n:,}-transition Timeline by hand in {(time.perf_counter() - s) * 1000:.0f} ms (not counted)")
    asyncio.run(measure("timeline in hand", timeline=timeline))
    n_obs = int(sys.argv[2]) if len(sys.argv) > 2 else n
    made = session_with_observations(n_obs)
    if made:
        path, sid = made
        asyncio.run(measure(f"session of {n_obs:,} observations (store + model + TUI)", store_path=path,
                            session_id=sid))


if __name__ == "__main__":
    main()
