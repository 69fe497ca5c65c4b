"""TUI details found while using it (issue 13 §4), at 80x24 and 40x12: the explanation panel, search,
filters, `g`, plurals."""

from __future__ import annotations


import podlife_tui_fixtures as fx  # registered by conftest.py
from podlife_tui_fixtures import until
import pytest

from kubectl_podlife.tui.app import PodlifeApp, make_app
from kubectl_podlife.tui.explain import probe_line
from kubectl_podlife.tui.screens import PodsScreen
from kubectl_podlife.tui.widgets import Explanation

SIZES = [(80, 24), (40, 12)]
IDS = ["80x24", "40x12"]




def body(app: PodlifeApp) -> str:
    return str(app.query_one("#explain-body").render())


def title(app: PodlifeApp) -> str:
    return str(app.query_one(Explanation).border_title)


def status(app: PodlifeApp) -> str:
    return str(app.query_one("#status").render())


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_explanation_starts_at_its_top_for_another_transition(size):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=size) as pilot:
        await pilot.press("t", *"43s", "enter")
        explain = app.query_one(Explanation)
        await pilot.press("J", "J")
        await until(pilot, lambda: explain.scroll_y > 0, "the explanation scrolled down")
        await pilot.press("right_square_bracket")  # the next transition
        await until(pilot, lambda: app.transition.kind == "probe-failed", "the next transition")
        await pilot.pause()
        assert explain.scroll_y == 0
        assert "liveness probe failed (1/3)" in body(app).splitlines()[0]
        await pilot.press("J")
        await until(pilot, lambda: explain.scroll_y > 0, "the explanation scrolled down")
        await pilot.press("k")
        await pilot.pause()
        assert explain.scroll_y == 0 and app.transition.kind == "restart"


async def test_search_matches_text_not_file_names_or_the_pod_name():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=(80, 24)) as pilot:
        # every row's evidence is liveness.txt:N and names the pod: neither is something to find
        await pilot.press("slash", *fx.SOURCE, "enter")
        assert app.matches == [] and "no transition mentions" in app.messages[-1]
        await pilot.press("slash", *fx.POD, "enter")
        assert app.matches == []
        # the Events' messages in the evidence are found
        await pilot.press("slash", *"unhealthy", "enter")
        failed = [r for r in range(len(app.view)) if app.view.transition(r).kind == "probe-failed"]
        assert app.matches == failed and len(failed) == 18
        await pilot.press("slash", *"default-scheduler", "enter")
        assert [app.view.transition(r).kind for r in app.matches] == ["scheduled"]
        # and the messages of the explanation (detail), not only the summary
        await pilot.press("slash", *"consecutive failures", "enter")
        assert {app.view.transition(r).kind for r in app.matches} == {"restart"}


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_with_a_filter_on_the_panel_shows_one_moment(size):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=size) as pilot:
        while app.kind_filter != "restart":
            await pilot.press("f")
        # 1m10s: after the first restart (43s), before the hidden probe failures and kill of 1m16s-1m22s
        await pilot.press("t", *"1m10s", "enter")
        assert app.playhead == 70.0 and app.transition.t == 43.0
        assert title(app).startswith("43s restart")
        assert "State at 43s" in body(app) and "1m10s" not in body(app)
        # without the filter the playhead is a moment with nothing hidden before it
        await pilot.press("escape")
        await until(pilot, lambda: app.kind_filter is None, "the filter cleared")
        assert "State at 1m10s" in body(app)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_g_goes_to_the_first_row(size):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=size) as pilot:
        await pilot.press("G", "g")
        assert app.selected == 0 and app.transition.kind == "created"  # not the second row sharing 0s
        assert title(app).startswith("0s created")
        while app.kind_filter != "restart":
            await pilot.press("f")
        await pilot.press("G", "g")
        assert app.selected == 0 and app.transition.t == 43.0  # the first row the filter shows
        assert title(app).startswith("43s restart")


async def test_plurals():
    from dataclasses import replace

    pod = replace(fx.liveness_pod(), restarts=1)
    app = make_app(timeline=fx.Timeline(pods=(pod, fx.web_pod())))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and app.screen.composed, "the pod list")
        await pilot.press("slash", *"web", "enter")
        home_status = str(app.screen.query_one("#home-status").render())
        assert "/web: 1 pod" in home_status and "1 pods" not in home_status
        await pilot.press("escape", "enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert " · 1 restart · " in status(app)
        await pilot.press("t", *"43s", "enter")
        assert "3 failures seen" in body(app)
    assert "1 failure seen" in probe_line(replace(fx.PROBE, failures_seen=1))
