"""SVG snapshots of the replay at 80x24 and 160x48 (pytest-textual-snapshot). Review a diff with
`pytest tests/tui --snapshot-report`; accept an intended change with `--snapshot-update`."""

from __future__ import annotations

import podlife_tui_fixtures as fx  # registered by conftest.py
import pytest
from textual.widgets import Input

from kubectl_podlife.tui.app import make_app

# At 43s: the first liveness restart, the explanation at its richest.
AT_RESTART = ["t", *"43s", "enter"]


async def freeze(pilot) -> None:
    for prompt in pilot.app.query(Input):
        prompt.cursor_blink = False


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_main_screen(snap_compare, size):
    app = make_app(timeline=fx.two_pod_timeline())
    assert snap_compare(app, press=["enter", *AT_RESTART], terminal_size=size, run_before=freeze)


@pytest.mark.parametrize("size", [(80, 24), (40, 12), (200, 50)], ids=["80x24", "40x12", "200x50"])
def test_pod_list(snap_compare, size):
    app = make_app(timeline=fx.fleet_timeline())
    assert snap_compare(app, press=["j"], terminal_size=size, run_before=freeze)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_help_screen(snap_compare, size):
    app = make_app(timeline=fx.two_pod_timeline())
    assert snap_compare(app, press=["question_mark"], terminal_size=size, run_before=freeze)


def test_search_prompt_open(snap_compare):
    app = make_app(timeline=fx.liveness_timeline())
    assert snap_compare(app, press=[*AT_RESTART, "slash", *"kill"], terminal_size=(80, 24), run_before=freeze)
