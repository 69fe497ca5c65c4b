"""Pilot tests on real kubectl text through the real pipeline (ingest -> model -> TUI), including live
following of a session that grows while the app runs."""

from __future__ import annotations

import time
import podlife_tui_fixtures as fx  # registered by conftest.py
import pytest

from kubectl_podlife.tui.app import make_app
from kubectl_podlife.tui.widgets import Lanes, TimelineView

REPLAYS = fx.REPLAYS
LIVENESS = fx.SEED
SIZE = (80, 24)


async def until(pilot, pred, what: str, timeout: float = 60.0) -> None:
    """Wait on what the app shows, however loaded the machine: the timeout only ends a hung test."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
    await pilot.pause()


async def loaded(app, pilot) -> None:
    await until(pilot, lambda: app.view is not None or app.load_error is not None, "the session to load")


def restarts_at(app) -> list[float]:
    return [app.view.transition(r).t for r in range(len(app.view)) if app.view.transition(r).kind == "restart"]


async def test_replay_file_opens_and_plays():
    app = make_app(files=[str(LIVENESS)])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        assert app.load_error is None
        assert app.pod.restarts == 5 and app.pod.diagnosis.cause == "liveness-probe"
        assert restarts_at(app) == [43.0, 85.0, 127.0, 169.0, 211.0]
        await pilot.press("t", *"2m7s", "enter")
        assert app.transition.kind == "restart" and app.transition.t == 127.0
        assert app.query_one(TimelineView).cursor == app.selected
        assert app.query_one(Lanes).playhead == 127.0
        await pilot.press("G")
        assert app.transition.kind == "back-off"
        await pilot.press("slash", *"back-off", "enter")
        assert app.matches
        await pilot.press("g", "plus", "plus", "plus", "plus", "space")
        await until(pilot, lambda: app.playhead > 10, "playback at 60x to pass 10 s")
        await pilot.press("space")
        assert not app.playing and app.playhead > 10


@pytest.mark.parametrize("name", sorted(p.name for p in REPLAYS.iterdir() if p.is_file()))
async def test_every_bundled_replay_opens_at_80x24(name):
    app = make_app(files=[str(REPLAYS / name)])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        assert app.load_error is None, app.load_error
        await pilot.press("G", "k", "question_mark", "escape", "o", "greater_than_sign", "escape")
        assert app.is_running


async def test_live_following_a_growing_session(tmp_path):
    from kubectl_podlife.ingest import read_paths
    from kubectl_podlife.store import Store

    observations = read_paths([str(LIVENESS)]).observations
    rows = [i for i, o in enumerate(observations) if o.kind == "row"]
    cut = rows[3]  # spec, created, and the first rows: up to the first restart
    store = Store(tmp_path / "p.db")
    sid = store.create_session("live", ["test"])
    store.append(sid, observations[:cut])

    app = make_app(store_path=str(tmp_path / "p.db"), session_id=sid, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app, pilot)
        assert app.load_error is None
        first = len(app.view)
        assert app.playhead == app.view.end
        assert "following live" in str(app.query_one("#status").render())
        assert "▶ live" in str(app.query_one("#status").render())  # the playhead moves with the recording

        store.append(sid, observations[cut:rows[6]])
        await until(pilot, lambda: len(app.view) > first, "the new rows on screen")
        assert len(app.view) > first
        assert app.playhead == app.view.end  # the playhead followed the end
        assert app.selected == len(app.view) - 1

        # The user moves: following pauses and says how to resume
        await pilot.press("k")
        held = app.playhead
        assert "following paused — G to resume" in str(app.query_one("#status").render())
        assert "⏸ 1x" in str(app.query_one("#status").render()) and "▶" not in str(app.query_one("#status").render())
        grown = len(app.view)
        store.append(sid, observations[rows[6]:])
        await until(pilot, lambda: len(app.view) > grown, "the new rows on screen")
        assert len(app.view) > grown
        assert app.playhead == held  # not dragged along
        await pilot.press("G")
        assert app.playhead == app.view.end and not app.follow_paused
        assert app.pod.restarts == 5
    store.close()


async def test_live_session_with_no_pod_yet_waits_for_the_first(tmp_path):
    """`watch` opens the TUI before the API has returned anything: wait, do not fail."""
    from kubectl_podlife.ingest import read_paths
    from kubectl_podlife.store import Store

    observations = read_paths([str(LIVENESS)]).observations
    store = Store(tmp_path / "p.db")
    sid = store.create_session("live", ["test"])
    app = make_app(store_path=str(tmp_path / "p.db"), session_id=sid, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        # an empty live session: it waits for the first pod (says so), it does not fail
        await until(pilot, lambda: app.load_error is not None
                    or "waiting for the first pod" in str(app.query_one("#loading-text").render()), "the wait")
        assert app.load_error is None and app.view is None
        store.append(sid, observations)
        await until(pilot, lambda: app.view is not None, "the first pod on screen")
        assert app.view is not None and app.pod.restarts == 5
        assert app.playhead == app.view.end
    store.close()


# --- the watch TUI: the connection state, and Ctrl-C ------------------------------------------------

class Connection:
    """Stands in for capture.connection.ConnectionState: the TUI only asks it for a phrase."""

    def __init__(self, state: str) -> None:
        self.state = state

    def describe(self) -> str:
        return self.state


def status(app) -> str:
    return str(app.query_one("#status").render())


async def test_the_status_line_shows_the_connection_state_while_following(tmp_path):
    from kubectl_podlife.ingest import read_paths
    from kubectl_podlife.store import Store

    store = Store(tmp_path / "p.db")
    sid = store.create_session("live", ["test"])
    conn = Connection("reconnecting in 4s (connection refused)")
    app = make_app(store_path=str(tmp_path / "p.db"), session_id=sid, follow=True, connection=conn)
    async with app.run_test(size=SIZE) as pilot:
        # no pod yet (the outage began before any arrived): still said
        await until(pilot, lambda: "API reconnecting in 4s (connection refused)" in status(app), "the state, no pod")
        store.append(sid, read_paths([str(LIVENESS)]).observations)
        await until(pilot, lambda: app.view is not None, "the pod on screen")
        await until(pilot, lambda: "following · API reconnecting in 4s (connection refused)" in status(app),
                    "the state beside the pod")
        conn.state = "relisting pods"
        await until(pilot, lambda: "following · API relisting pods" in status(app), "relisting")
        conn.state = "live"
        await until(pilot, lambda: "following live" in status(app), "live")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.is_running, "Ctrl-C to quit")
    assert app.return_code == 0
    store.close()


async def test_ctrl_c_quits_a_replay_too():
    app = make_app(files=[str(LIVENESS)])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None, "the replay")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.is_running, "Ctrl-C to quit")
