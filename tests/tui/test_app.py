"""Pilot tests of the replay TUI at 80x24 on hand-built timelines: what users press, what the app holds."""

from __future__ import annotations


import pytest
import podlife_tui_fixtures as fx  # registered by conftest.py
from podlife_tui_fixtures import until
from textual.widgets import Input

import kubectl_podlife.tui.app as app_module
import kubectl_podlife.tui.navigation as navigation
from kubectl_podlife.tui.app import PodlifeApp, make_app
from kubectl_podlife.tui.screens import HelpScreen
from kubectl_podlife.tui.screens import PodsScreen
from kubectl_podlife.tui.widgets import Explanation, Lanes, PodTable, TimelineView

SIZE = (80, 24)


def in_step(app: PodlifeApp) -> None:
    """Every panel agrees with the playhead: the selection is the last row at or before it."""
    assert app.view is not None
    assert app.selected == app.view.row_at(app.playhead)
    assert app.query_one(TimelineView).cursor == app.selected
    assert app.query_one(Lanes).playhead == app.playhead


class Clock:
    """The app's `time` for playback tests: the wall clock moves only when the test moves it, so what
    playing does is exact however slow the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def __getattr__(self, name: str):
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(navigation, "time", c)  # playback's clock (tui/navigation.py)
    return c




def body_text(app: PodlifeApp) -> str:
    return str(app.query_one("#explain-body").render())


def status_text(app: PodlifeApp) -> str:
    return str(app.query_one("#status").render())


async def test_opens_on_the_first_transition():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.pod is not None and app.pod.name == fx.POD
        assert app.playhead == 0.0
        in_step(app)
        assert app.transition is not None and app.transition.kind == "scheduled"
        assert "liveness-exec-pod" in status_text(app)
        assert "assigned to node-1" in body_text(app)


async def test_jump_between_transitions_and_rows():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        assert app.playhead == 1.0
        in_step(app)
        await pilot.press("right", "right")
        assert app.playhead == 34.0
        assert app.transition.kind == "probe-failed"
        await pilot.press("left_square_bracket")
        assert app.playhead == 2.0
        in_step(app)
        await pilot.press("left")
        assert app.playhead == 1.0
        # j/k move one row even where two transitions share a second (40s: failure 3/3 and killing)
        await pilot.press("right", "right", "right", "right")
        assert app.playhead == 40.0 and app.transition.kind == "killing"
        await pilot.press("k")
        assert app.playhead == 40.0 and app.transition.kind == "probe-failed"
        await pilot.press("j", "j")
        assert app.transition.kind == "restart" and app.playhead == 43.0
        await pilot.press("up", "down")
        assert app.transition.kind == "restart"


async def test_go_to_start_and_end():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G")
        assert app.playhead == app.view.end == 260.0
        assert app.transition.kind == "back-off"
        in_step(app)
        assert "CrashLoopBackOff" in body_text(app)
        await pilot.press("g")  # the first row, though two rows share 0s
        assert app.playhead == 0.0 and app.selected == 0 and app.transition.kind == "created"
        await pilot.press("end")
        assert app.selected == len(app.view) - 1
        await pilot.press("home")
        assert app.playhead == 0.0 and app.selected == 0


async def test_play_and_pause(clock):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus", "plus", "plus", "plus", "plus")
        assert app.speed == 60  # clamped at the fastest
        await pilot.press("minus")
        assert app.speed == 10
        await pilot.press("plus")
        await pilot.press("space")
        assert app.playing
        assert "▶ 60x" in status_text(app)
        clock.now += 0.5
        await until(pilot, lambda: app.playhead > 0, "a playback tick")
        assert app.playhead == 30.0  # 0.5 s x 60
        await pilot.press("space")
        assert not app.playing
        in_step(app)
        clock.now += 10  # paused means paused: ten seconds paused do not count...
        await pilot.press("space")
        clock.now += 0.5
        await until(pilot, lambda: app.playhead > 30.0, "a playback tick")
        assert app.playhead == 60.0  # ...only the half second played since


async def test_playback_stops_at_the_end_and_restarts_from_the_start(clock):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *"4m15s", "enter")
        await pilot.press("plus", "plus", "plus", "plus", "space")
        assert app.playing
        clock.now += 1  # 60 s of replay: past the end at 260 s
        await until(pilot, lambda: not app.playing, "playback to stop")
        assert app.playhead == app.view.end
        await pilot.press("space")
        assert app.playing and app.playhead == app.view.start
        await pilot.press("space")


async def test_seek_with_t():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        prompt = app.query_one("#prompt", Input)
        assert prompt.has_focus and prompt.has_class("-open")
        await pilot.press(*"2m7s", "enter")
        assert not prompt.has_class("-open")
        assert app.playhead == 127.0
        assert app.transition.kind == "restart" and app.transition.restart_count == 3
        in_step(app)
        assert "restart #3" in body_text(app)
        await pilot.press("t", *"85s", "enter")
        assert app.playhead == 85.0
        await pilot.press("t", *"-1m", "enter")
        assert app.playhead == 25.0
        await pilot.press("t", *"1h2m", "enter")
        assert app.playhead == app.view.end  # clamped
        await pilot.press("t", *"soon", "enter")
        assert app.playhead == app.view.end
        assert 'cannot read time "soon"' in app.messages[-1]
        # q typed into the prompt is text, not quit; esc backs out without seeking
        await pilot.press("t", "q", "escape")
        assert app.is_running and not prompt.has_class("-open")
        assert app.playhead == app.view.end


async def test_search_and_next_previous_match():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"killing", "enter")
        assert app.query_text == "killing"
        kills = [row for row in range(len(app.view)) if app.view.transition(row).kind == "killing"]
        assert app.matches == kills and len(kills) == 6
        assert app.selected == kills[0]
        in_step(app)
        assert "/killing 1/6" in status_text(app)
        await pilot.press("n", "n")
        assert app.selected == kills[2]
        await pilot.press("N")
        assert app.selected == kills[1]
        await pilot.press("N", "N")  # wraps to the last match
        assert app.selected == kills[-1]
        # evidence text is searched too: the describe line's origin
        await pilot.press("slash", *"default-scheduler", "enter")  # evidence text
        assert app.transition.kind == "scheduled"
        await pilot.press("slash", *"no such thing", "enter")
        assert app.matches == [] and "no transition mentions" in app.messages[-1]
        await pilot.press("escape")
        assert app.query_text == ""


async def test_filters_by_container_and_kind_and_esc_clears():
    app = make_app(timeline=fx.two_pod_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")  # the pod list: the web pod is second (no restarts)
        assert app.pod.name == fx.WEB
        total = len(app.view)
        await pilot.press("c")
        assert app.container_filter == "init-db"
        assert len(app.view) == 2 and all(app.view.transition(r).container == "init-db" for r in range(2))
        await pilot.press("c")
        assert app.container_filter == "web"
        await pilot.press("f")
        assert app.kind_filter == "started"
        assert [app.view.transition(r).kind for r in range(len(app.view))] == ["started"]
        assert "only web · started" in status_text(app)
        await pilot.press("f", "f")
        assert app.kind_filter == "not-ready"
        await pilot.press("G")
        in_step(app)
        await pilot.press("escape")
        assert app.container_filter is None and app.kind_filter is None
        assert len(app.view) == total
        in_step(app)
        await pilot.pause()
        tv = app.query_one(TimelineView)
        assert tv.scroll_y <= app.selected < tv.scroll_y + tv.visible_rows  # scrolled back into view


async def test_pods_switch_and_list():
    app = make_app(timeline=fx.two_pod_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and app.screen.composed, "the pod list")
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert "[1/2 < > o]" in status_text(app) and app.pod.name == fx.POD
        await pilot.press("greater_than_sign")
        assert app.pod.name == fx.WEB and "[2/2 < > o]" in status_text(app)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PodsScreen), "the pod list")
        assert app.screen.query_one(PodTable).cursor == 1
        await pilot.press("o")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        await pilot.press("less_than_sign")
        assert app.pod.name == fx.POD


async def test_wide_terminal_uses_the_room():
    app = make_app(timeline=fx.two_pod_timeline())
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert app.screen.has_class("-wide")
        explain = app.query_one(Explanation)
        timeline = app.query_one(TimelineView)
        assert explain.region.x > timeline.region.right - 1  # side by side
        assert explain.region.height > 40
        assert "RESTARTS" in str(timeline.render_line(0).text)


async def test_help_opens_and_closes():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[3] for row in app.screen.rows()}
        assert ids == {b.id for b in PodlifeApp.BINDINGS}
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)


async def test_quit():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_value == 0


async def test_copy_uses_osc52(monkeypatch):
    app = make_app(timeline=fx.liveness_timeline())
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *"43s", "enter", "y")
        assert len(copied) == 1
        assert "restarted (1): liveness probe" in copied[0]
        assert "liveness.txt:" in copied[0]  # evidence with file:line
        assert "OSC 52" in app.messages[-1] and "43s restart" in app.messages[-1]


async def test_copy_writes_the_osc52_sequence():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        assert "assigned to node-1" in app.clipboard


async def test_markdown_export_writes_the_file(tmp_path):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = tmp_path / "export" / f"{fx.POD}-podlife.md"
        assert path.exists()
        text = path.read_text()
        assert fx.POD in text and "liveness-probe" in text and "4m13s" in text
        assert str(path) in app.messages[-1]


async def test_markdown_export_defaults_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PODLIFE_EXPORT_DIR")
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / f"{fx.POD}-podlife.md").exists()


async def test_markdown_export_error_is_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PODLIFE_EXPORT_DIR", str(blocker / "sub"))
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert app.messages[-1].startswith("cannot write the markdown") and "\n" not in app.messages[-1]


def write_keymap(tmp_path, text: str) -> None:
    folder = tmp_path / "config" / "kubectl-podlife"
    folder.mkdir(parents=True)
    (folder / "keymap.yaml").write_text(text)


async def test_keymap_remaps_by_id(tmp_path):
    write_keymap(tmp_path, "play-pause: x\nseek: ctrl+t, T\n")
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert not app.playing  # the old key is gone
        await pilot.press("x")
        assert app.playing
        await pilot.press("x")
        assert not app.playing
        await pilot.press("T", *"85s", "enter")
        assert app.playhead == 85.0
        await pilot.press("question_mark")
        rows = {row[3]: row[1] for row in app.screen.rows()}
        assert rows["play-pause"] == "x" and rows["seek"] == "^t T"


async def test_bad_keymap_keeps_the_defaults(tmp_path):
    write_keymap(tmp_path, "play-pause: [unclosed\n")
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        assert "not valid YAML" in app.messages[0] and "\n" not in app.messages[0]
        await pilot.press("space")
        assert app.playing


async def test_unknown_binding_id_keeps_the_defaults(tmp_path):
    write_keymap(tmp_path, "play-pause: x\nfly: z\n")
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        assert 'unknown binding id "fly"' in app.messages[0]
        await pilot.press("x")
        assert not app.playing
        await pilot.press("space")
        assert app.playing


async def test_a_playback_tick_while_the_app_shuts_down_does_nothing():
    """The tick timer runs in its own task, so a tick can come while the app closes its screens (run_test
    shuts the app down without exit(); under load this was a ScreenStackError from a test that played)."""
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.playing
        playhead = app.playhead
    assert not app.screen_stack and app.playing  # shut down mid-play: no screen left
    app.tick()  # the tick that comes late
    assert app.playhead == playhead


async def test_keymap_clash_keeps_the_defaults(tmp_path):
    write_keymap(tmp_path, "play-pause: x\nseek: x\n")
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        assert 'key "x" is given to both "play-pause" and "seek"' in app.messages[0]
        await pilot.press("x")
        assert not app.playing
        await pilot.press("space")
        assert app.playing


async def test_keymap_takes_a_key_from_a_default_binding(tmp_path):
    write_keymap(tmp_path, "play-pause: p\ncursor-down: J\n")  # J was explain-down's
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        assert "explain-down lost its key" in app.messages[0]
        await pilot.press("p")
        assert app.playing
        await pilot.press("p", "J")
        assert app.selected == 2
        await pilot.press("question_mark")
        rows = {row[3]: row[1] for row in app.screen.rows()}
        assert rows["play-pause"] == "p" and rows["explain-down"] == "(none)" and rows["cursor-down"] == "J"


async def test_no_color_is_honoured(monkeypatch):
    """NO_COLOR: no colour at all, greys included; only the terminal's own foreground and background."""
    import re

    # the SVG frame (window buttons) and the export theme's terminal foreground / background
    frame = {"ff5f57", "febc2e", "28c840"}
    terminal = {"c5c8c6", "292929"}

    def colours() -> set[str]:
        return set(re.findall(r"(?:fill|color)[=:]\s*\"?#([0-9a-fA-F]{6})", app.export_screenshot())) - frame

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(timeline=fx.two_pod_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and app.screen.composed, "the pod list")
        await pilot.pause()
        assert app.no_color and app.has_class("-no-color")
        assert colours() <= terminal, colours()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        await pilot.press("G")  # no future rows: those are dim, which a terminal shows as it likes
        await pilot.pause()
        assert colours() <= terminal, colours()
        # the selected row still stands out without colour: a marker, and reversed
        tv = app.query_one(TimelineView)
        line = tv.render_line(tv.cursor - round(tv.scroll_y) + 1)
        assert str(line.text).startswith("▶")
        assert any(seg.style and seg.style.reverse for seg in line)


async def test_a_hundred_thousand_transitions_open_and_scroll():
    app = make_app(timeline=fx.big_timeline(100_000))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.view) == 100_000
        await pilot.press("G")
        assert app.selected == 99_999
        tv = app.query_one(TimelineView)
        assert tv.scroll_y > 99_000
        assert "#99999" in str(tv.render_line(tv.size.height - 1).text)
        await pilot.press("pageup", "k", "g")
        assert app.selected == 0 and tv.scroll_y == 0
        await pilot.press("t", *"13h53m20s", "enter")
        assert app.playhead == 50_000.0 and app.selected == 50_000
        await pilot.press("slash", *"#77777", "enter")
        assert app.selected == 77_777


async def test_load_error_is_shown_not_raised():
    app = make_app(files=["/nonexistent/podlife.txt"])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        error = app.query_one("#error")
        assert error.display
        assert app.load_error and "\n" not in app.load_error
        assert str(error.render()).startswith("error: ")
        await pilot.press("q")
    assert app.return_value == 1


async def test_nothing_to_replay():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "nothing to replay" in (app.load_error or "")
        await pilot.press("q")
    assert app.return_value == 1


async def test_explanation_scrolls_and_zooms():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *"43s", "enter")
        explain = app.query_one(Explanation)
        await pilot.press("J")
        await pilot.pause()
        assert explain.scroll_y > 0
        await pilot.press("K")
        await pilot.pause()
        assert explain.scroll_y == 0
        await pilot.press("e")
        assert app.screen.maximized is explain
        await pilot.press("e")
        assert app.screen.maximized is None


@pytest.mark.parametrize("key", ["j", "right", "G"])
async def test_nothing_is_focused_so_keys_reach_the_app(key):
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is None
        await pilot.press(key)
        assert app.playhead > 0


async def test_an_empty_timeline_says_so():
    from kubectl_podlife.model.timeline import Timeline

    app = make_app(timeline=Timeline(pods=()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "no pods found" in (app.load_error or "")
        await pilot.press("space", "j", "G")  # nothing to do, nothing breaks
        assert app.is_running


def test_run_tui_returns_the_exit_code(monkeypatch):
    from kubectl_podlife.tui import app as app_module

    monkeypatch.setattr(app_module.PodlifeApp, "run", lambda self: 1)
    assert app_module.run_tui(timeline=fx.liveness_timeline()) == 1
    monkeypatch.setattr(app_module.PodlifeApp, "run", lambda self: 0)
    assert app_module.run_tui(timeline=fx.liveness_timeline()) == 0


async def test_clearing_a_filter_keeps_the_selection_in_view():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "G", "escape")
        await pilot.pause()
        tv = app.query_one(TimelineView)
        assert app.selected == len(app.view) - 1 > tv.visible_rows
        assert tv.scroll_y <= app.selected < tv.scroll_y + tv.visible_rows


@pytest.mark.parametrize("size", [(80, 24), (40, 12)], ids=["80x24", "40x12"])
async def test_a_summary_cut_at_the_edge_ends_with_an_ellipsis(size):
    """The cut is visible: the last cell before the scrollbar is `…`, not a letter hidden under the bar."""
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.view is not None, "the pod")
        await pilot.press("t", *"43s", "enter")
        tv = app.query_one(TimelineView)
        assert tv.scrollable_content_region.width < tv.size.width  # a scrollbar takes the last column
        rows = [str(tv.render_line(y).text) for y in range(1, tv.size.height)]
        long = [r for r in rows if any(w in r for w in ("killing", "restarted", "probe failed"))]
        assert long and all(r.endswith("…") and len(r) == tv.scrollable_content_region.width for r in long)


async def test_a_jobs_entry_is_labelled_a_job_without_a_restart_count(tmp_path):
    from kubectl_podlife.model.timeline import Timeline
    from kubectl_podlife.pipeline import timeline_for_files

    f = tmp_path / "job.txt"
    f.write_text("$ kubectl describe job nightly\nEvents:\n"
                 "  Type     Reason            Age   From            Message\n"
                 "  ----     ------            ----  ----            -------\n"
                 "  Normal   SuccessfulCreate  20m   job-controller  Created pod: nightly-x7k2p\n"
                 "  Warning  DeadlineExceeded  15m   job-controller  Job was active longer than specified deadline\n",
                 encoding="utf-8")
    full, _ = timeline_for_files([str(f)])
    job = next(p for p in full.pods if p.name == "nightly")
    app = make_app(timeline=Timeline(pods=(job,)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = status_text(app)
        assert "Job nightly · Failed · deadline-exceeded" in status and "restart" not in status
