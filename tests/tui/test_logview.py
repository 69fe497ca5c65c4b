"""The `l` key: the whole stored log tail of the selected transition's container instance, at 80x24."""

from __future__ import annotations

import time
from pathlib import Path

from kubectl_podlife import pipeline
from kubectl_podlife.tui.app import make_app
from kubectl_podlife.tui.logview import LogScreen

DATA = Path(__file__).resolve().parents[1] / "data"


async def _until(pilot, condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


async def test_l_shows_the_whole_stored_log_of_the_selected_exit_and_esc_closes_it():
    timeline, _ = pipeline.timeline_for_files([str(DATA / "logs-previous.txt")])
    app = make_app(timeline=timeline)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: app.transition is not None, "the timeline")
        await pilot.press("l")  # the first transition (scheduled) has no log: said, nothing opens
        await _until(pilot, lambda: any("no log lines" in m for m in app.messages), "the no-log message")
        assert not isinstance(app.screen, LogScreen)
        for _ in range(len(timeline.pods[0].transitions)):
            if app.transition.kind == "terminated":
                break
            await pilot.press("j")
        assert app.transition.kind == "terminated" and app.transition.container == "migrate"
        await _until(pilot, lambda: "Container log of migrate" in str(app.query_one("#explain-body").render()),
                     "the explanation's log lines")
        await pilot.press("l")
        await _until(pilot, lambda: isinstance(app.screen, LogScreen), "the log screen")
        screen = app.screen
        body = str(screen.query_one("#log-body").render())
        # all 7 stored lines, the two the explanation leaves out too, control characters escaped
        assert "applying 0040" in body and "migration 0042 failed: exit 1" in body
        assert "password prompt\\x07 \\x1bPq stray control" in body and "\x1b" not in body
        assert "last 7 lines" in str(screen.query_one("#log-title").render())
        await pilot.press("escape")
        await _until(pilot, lambda: not isinstance(app.screen, LogScreen), "the log screen closed")
        assert app.transition.kind == "terminated"  # back where it was


def screen_lines(app) -> list[str]:
    """The terminal as drawn, one string a row (the compositor's own strips)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_the_log_screen_is_usable_at_40x12():
    """At 40x12 the log's own lines get the room: a one-line title, where they come from cut with …, the
    keys' hint whole, the end shown first, and j/k g/G esc work."""
    timeline, _ = pipeline.timeline_for_files([str(DATA / "logs-previous.txt")])
    app = make_app(timeline=timeline)
    async with app.run_test(size=(40, 12)) as pilot:
        await _until(pilot, lambda: app.transition is not None, "the timeline")
        for _ in range(len(timeline.pods[0].transitions)):
            if app.transition.kind == "terminated":
                break
            await pilot.press("j")
        assert app.transition.kind == "terminated"
        await pilot.press("l")
        await _until(pilot, lambda: isinstance(app.screen, LogScreen), "the log screen")
        await _until(pilot, lambda: "migration 0042 failed: exit 1" in "\n".join(screen_lines(app)),
                     "the last log line on screen")
        lines = screen_lines(app)
        assert len(lines) == 12 and all(len(line) <= 40 for line in lines)
        text = "\n".join(lines)
        assert "Container log of migrate: last 7 lines" in text
        assert "log before this exit, kubectl logs --…" in text  # cut, not wrapped over the log's rows
        assert "esc close · j/k scroll · g/G top/end" in text
        assert "applying 0040" not in text  # the end first: the last words explain the exit
        await pilot.press("g")
        await _until(pilot, lambda: "   1 applying 0040" in "\n".join(screen_lines(app)), "the top of the log")
        assert "migration 0042 failed" not in "\n".join(screen_lines(app))
        await pilot.press("j")
        await _until(pilot, lambda: "   1 applying 0040" not in "\n".join(screen_lines(app)), "one line down")
        await pilot.press("k")
        await _until(pilot, lambda: "   1 applying 0040" in "\n".join(screen_lines(app)), "one line up")
        await pilot.press("G")
        await _until(pilot, lambda: "migration 0042 failed: exit 1" in "\n".join(screen_lines(app)), "the end again")
        await pilot.press("escape")
        await _until(pilot, lambda: not isinstance(app.screen, LogScreen), "the log screen closed")
        assert app.transition.kind == "terminated" and app.is_running
