"""q or Ctrl-C while a big file is still being read quits at once: the parse stops at its next checkpoint
(ingest's `cancelled`, asked every few thousand lines) instead of the exit waiting for the whole read.

The parse is held at its first checkpoint until the app has quit, so the test does not depend on how fast
the machine parses: it checks that the app is gone while the read is not finished, and that the read, let
go, stops at the very next checkpoint instead of going on through the file.
"""

from __future__ import annotations

import asyncio
import threading

import podlife_tui_fixtures as fx  # registered by conftest.py
import pytest

from kubectl_podlife.errors import LoadCancelled
from kubectl_podlife.ingest.context import CHECKPOINT_EVERY, ParseContext
from kubectl_podlife.tui.app import make_app


def big_get_w(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("NAME      READY   STATUS    RESTARTS   AGE\n")
        for i in range(rows):
            fh.write(f"web-{i % 50:<5} 1/1     Running   0          {i // 50 + 1}s\n")


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quitting_while_a_big_file_is_read_does_not_wait_for_the_parse(tmp_path, monkeypatch, key):
    path = tmp_path / "get-w.txt"
    big_get_w(path, 4 * CHECKPOINT_EVERY)
    reached, release, answered = threading.Event(), threading.Event(), threading.Event()
    outcome: list[object] = []
    real = ParseContext.checkpoint

    def held(ctx: ParseContext) -> None:
        first = not reached.is_set()
        if first:  # the read has begun: hold it here until the app has quit
            reached.set()
            assert release.wait(60), "never released"
        try:
            real(ctx)
        except LoadCancelled as exc:
            outcome.append(exc)
            answered.set()
            raise
        if not first:  # a checkpoint passed after the quit: the read went on
            outcome.append("the read went on after the app quit")
            answered.set()

    monkeypatch.setattr(ParseContext, "checkpoint", held)
    app = make_app(files=[str(path)])
    async with app.run_test(size=(80, 24)) as pilot:
        await fx.until(pilot, lambda: reached.is_set() and "reading" in str(app.query_one("#loading-text").render()),
                       "the loading screen while the file is read")
        assert app.main_screen.has_class("-loading")
        await pilot.press(key)
        await fx.until(pilot, lambda: not app.is_running, f"{key} to quit while the file is still being read")
        release.set()
        assert await asyncio.to_thread(answered.wait, 60), "the read neither stopped nor went on"
    assert len(outcome) == 1 and isinstance(outcome[0], LoadCancelled), outcome
    assert app.return_code == 0 and app.timeline is None and app.load_error is None
