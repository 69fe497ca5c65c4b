"""Following a session while it is written: a poll rebuilds only the pods that got observations since the
last one (issue 12: following costs what changed, not the session), and the changed pod's screen shows
its new rows."""

from __future__ import annotations

import podlife_tui_fixtures as fx  # registered by conftest.py
from podlife_tui_fixtures import until

from kubectl_podlife.ingest import read_paths
from kubectl_podlife.store import Store
from kubectl_podlife.tui.app import make_app
from kubectl_podlife.tui.screens import PodsScreen
from kubectl_podlife.tui.widgets import TimelineView


def timeline_text(app) -> str:
    tv = app.query_one(TimelineView)
    return "\n".join(str(tv.render_line(y).text) for y in range(tv.size.height))


async def test_a_poll_rebuilds_only_the_pods_that_changed_and_their_screen_updates(tmp_path):
    growing = read_paths([str(fx.SEED)]).observations  # liveness-exec: 5 restarts
    rows = [i for i, o in enumerate(growing) if o.kind == "row"]
    still = read_paths([str(fx.REPLAYS / "liveness-http.log")]).observations
    store = Store(tmp_path / "p.db")
    sid = store.create_session("live", ["test"])
    store.append(sid, growing[:rows[3]])
    store.append(sid, still)

    app = make_app(store_path=str(tmp_path / "p.db"), session_id=sid, follow=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and app.timeline is not None
                    and len(app.timeline.pods) == 2, "the pod list of the two pods")
        await pilot.press(":", *"pod liveness-exec", "enter")
        await until(pilot, lambda: app.pod is not None and app.pod.name == "liveness-exec", "liveness-exec's screen")
        before = {p.name: p for p in app.timeline.pods}
        shown = len(app.view)
        restarts = app.pod.restarts
        assert restarts < 5 and "restarted (5)" not in timeline_text(app)
        live = app.live  # the session followed: it counts the pods its polls rebuilt
        builds = live.builds

        store.append(sid, growing[rows[3]:])  # only liveness-exec moves on
        await until(pilot, lambda: len(app.view) > shown, "liveness-exec's new rows on screen")
        after = {p.name: p for p in app.timeline.pods}
        assert after["liveness-http"] is before["liveness-http"]  # not rebuilt: the very same object
        assert after["liveness-exec"] is not before["liveness-exec"]
        assert live.builds == builds + 1  # one pod rebuilt by the poll, not the session
        assert app.pod.restarts == 5 and app.playhead == app.view.end  # following: the end shown
        await until(pilot, lambda: "CrashLoopBackOff" in timeline_text(app), "the back-off row drawn")
        assert "5 restarts" in str(app.query_one("#status").render())

        # the pod list's row of the changed pod says so too
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PodsScreen), "the pod list")
        row = next(r for r in app.rows if r.name == "liveness-exec")
        assert row.restarts == 5 and row.status == "CrashLoopBackOff"
    store.close()
