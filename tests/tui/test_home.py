"""The pod list as the home screen (issue 13 §1), at 80x24 and 40x12: what users see and press."""

from __future__ import annotations

import threading

import podlife_tui_fixtures as fx  # registered by conftest.py
from podlife_tui_fixtures import until
import pytest
from textual.worker import NoActiveWorker, get_current_worker

from kubectl_podlife.tui.app import PodlifeApp, make_app
from kubectl_podlife.tui.screens import PodsScreen
from kubectl_podlife.tui.widgets import PodTable

SIZES = [(80, 24), (40, 12)]
IDS = ["80x24", "40x12"]




def table_lines(app: PodlifeApp) -> list[str]:
    """The pod table as drawn: its header and every visible row (none while the pod list screen, just
    pushed, has not mounted its widgets yet)."""
    tables = app.screen.query(PodTable)
    if not tables:
        return []
    table = tables.first()
    return [str(table.render_line(y).text) for y in range(table.size.height)]


def shown_names(app: PodlifeApp) -> list[str]:
    """Pod names in the order the table draws them (each row drawn once, whatever the width)."""
    names = [name for name, *_ in fx.FLEET]
    out = []
    for line in table_lines(app)[1:]:
        found = [n for n in names if n in line]
        if found:
            out.append(found[0])
    return out


def shown(app: PodlifeApp) -> int:
    """How many pods the table draws (its status line counts them)."""
    text = status(app)
    return int(text.split(" pod")[0].replace(",", "")) if " pod" in text else 0


def status(app: PodlifeApp) -> str:
    """The pod list's status line ("" until the screen, just pushed, has mounted it)."""
    found = app.screen.query("#home-status")
    return str(found.first().render()) if found else ""


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_several_pods_open_on_the_pod_list_worst_first(size):
    app = make_app(timeline=fx.fleet_timeline())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        header = table_lines(app)[0]
        assert header.split()[:2] in (["NAMESPACE", "NAME"], ["NAME", "STATUS"]) or header.split()[0] == "NAME"
        visible = app.screen.query_one(PodTable).visible_rows
        assert shown_names(app) == list(fx.FLEET_WORST_FIRST[:visible])
        assert "6 pods in 3 namespaces · 4 not healthy" in status(app)
        # The selected pod's diagnosis, in full, under the table
        detail = str(app.screen.query_one("#home-detail").render())
        assert detail.startswith("web-crash-new (error-exit): web-crash-new: error-exit")


async def test_columns_at_80_and_40_and_200():
    app = make_app(timeline=fx.fleet_timeline())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        assert table_lines(app)[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE",
                                               "DIAGNOSIS"]
        row = table_lines(app)[1].split()
        assert row[:6] == ["▶shop", "web-crash-new", "0/1", "CrashLoopBackOff", "7", "58s"]
        await pilot.resize_terminal(40, 12)
        await until(pilot, lambda: app.screen.query_one(PodTable).size.width == 40, "the resize")
        lines = table_lines(app)
        assert lines[0].split() == ["NAME", "STATUS", "RST"]  # columns drop whole, none squeezed
        assert lines[1].split() == ["▶web-crash-new", "CrashLoopBackOff", "7"]
        table = app.screen.query_one(PodTable)
        for line in lines:  # one line a pod, exactly as wide as the table beside its scrollbar
            assert len(line) == table.scrollable_content_region.width >= 39
        await pilot.resize_terminal(200, 50)
        await until(pilot, lambda: app.screen.query_one(PodTable).size.width == 200, "the resize")
        header = table_lines(app)[0]
        # NAME is as wide as the longest name; the room goes to the diagnosis
        assert header.index("READY") - header.index("NAME ") == len("web-crash-old") + 1
        assert len(header) - header.index("DIAGNOSIS") > 100


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_enter_opens_the_pod_and_esc_returns(size):
    app = make_app(timeline=fx.fleet_timeline())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        await pilot.press("j", "j", "enter")  # the third worst: worker-oom
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert app.pod.name == "worker-oom"
        assert "batch/worker-oom · 3 restarts" in str(app.query_one("#status").render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PodsScreen), "the pod list again")
        table = app.screen.query_one(PodTable)
        assert table.current.name == "worker-oom"  # the cursor is where the user left it
        await pilot.press("k", "enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert app.pod.name == "web-crash-old"
        # next / previous pod follow the list's order
        await pilot.press("greater_than_sign")
        assert app.pod.name == "worker-oom"
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PodsScreen), "the pod list")
        assert app.screen.query_one(PodTable).current.name == "worker-oom"
        await pilot.press("G")
        assert app.screen.query_one(PodTable).current.name == "api-healthy"
        await pilot.press("g")
        assert app.screen.query_one(PodTable).current.name == "web-crash-new"
        await pilot.press("escape")  # nothing to clear: back to the pod that was open
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert app.pod.name == "worker-oom"


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_filter_by_name_or_namespace(size):
    app = make_app(timeline=fx.fleet_timeline())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        await pilot.press("slash", *"infra")
        await until(pilot, lambda: shown_names(app) == ["db-pending", "cache-ok"], "the namespace filter")
        await pilot.press("enter")  # keeps the filter, back to the table
        assert app.screen.query_one(PodTable).current.name == "db-pending"
        await pilot.press("j", "enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert app.pod.name == "cache-ok"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        assert shown_names(app) == ["db-pending", "cache-ok"]  # the filter outlives the visit
        await pilot.press("escape")  # clears it
        await until(pilot, lambda: len(shown_names(app)) == min(6, app.screen.query_one(PodTable).visible_rows),
                    "every pod again")
        await pilot.press("slash", *"CRASH")
        await until(pilot, lambda: shown_names(app) == ["web-crash-new", "web-crash-old"], "the name filter")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", *"nothing-here")
        await until(pilot, lambda: shown_names(app) == [], "no match")
        assert 'no pod matches "nothing-here"' in str(app.screen.query_one("#home-detail").render())
        await pilot.press("escape")  # esc while typing drops the filter
        await until(pilot, lambda: shown_names(app)[:1] == ["web-crash-new"], "every pod again")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_colon_pod_jumps(size):
    app = make_app(timeline=fx.fleet_timeline())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        await pilot.press("colon", *"pod cache-ok", "enter")
        await until(pilot, lambda: not isinstance(app.screen, PodsScreen), "the pod's screen")
        assert app.pod.name == "cache-ok"
        # from a pod's screen too, by namespace/name
        await pilot.press("colon", *"pod batch/worker-oom", "enter")
        await until(pilot, lambda: app.pod.name == "worker-oom", "the other pod")
        await pilot.press("colon", *"pod nosuch", "enter")
        await until(pilot, lambda: app.messages and 'no pod "nosuch"' in app.messages[-1], "the message")
        assert app.pod.name == "worker-oom"
        await pilot.press("colon", *"pods", "enter")
        await until(pilot, lambda: isinstance(app.screen, PodsScreen), "the pod list")


async def test_one_pod_opens_on_its_timeline():
    app = make_app(timeline=fx.liveness_timeline())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.view is not None, "the pod")
        assert not isinstance(app.screen, PodsScreen)
        await pilot.press("o", "escape")
        assert not isinstance(app.screen, PodsScreen)  # no list to go to
        assert "1/1" not in str(app.query_one("#status").render())


async def test_a_recording_of_several_pods_shows_the_list_while_it_is_explained(tmp_path, monkeypatch):
    """The list appears with the first pod explained, and fills in; the order is the model's."""
    from kubectl_podlife import model
    from kubectl_podlife.ingest import read_paths
    from kubectl_podlife.commands.simulate_generate import generate

    path = tmp_path / "fleet.txt"
    generate(12, str(path), "get-w", 3)
    observations = read_paths([str(path)]).observations
    expected = model.build_timeline(observations)
    ours = {o.pod for o in observations}

    gate = threading.Event()
    real = model.build_pod_timeline
    built = []

    def held(key, obs):
        # Only this app's load worker is held: a cancelled worker of an earlier test may still be finishing
        # its pod (a thread worker stops between pods), and it must neither count nor wait here.
        try:
            mine = get_current_worker().node is app and key in ours
        except NoActiveWorker:
            mine = False
        if mine:
            if built:
                gate.wait(60)  # the second pod waits until the test has seen the first on screen
            built.append(key)
        return real(key, obs)

    monkeypatch.setattr(model, "build_pod_timeline", held)
    app = make_app(files=[str(path)])
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown(app) == 1, "the first pod")
            assert len(app.rows) == 1 and "explaining 1 of 12 pods" in status(app)
            gate.set()
            await until(pilot, lambda: app.timeline is not None and len(app.timeline.pods) == 12
                        and "explaining" not in status(app), "every pod")
            by_name = {p.name: p for p in expected.pods}
            order = [by_name[r.name] for r in app.rows]
            healthy = [p.diagnosis.cause == "none" for p in order]
            assert healthy == sorted(healthy) and False in healthy  # every not-healthy pod before the healthy ones
            sick = [p.restarts for p in order if p.diagnosis.cause != "none"]
            assert sick == sorted(sick, reverse=True)
            assert [r.diagnosis for r in app.rows] == [expected.pods[r.index].diagnosis.summary for r in app.rows]
            assert isinstance(app.screen, PodsScreen)
    finally:
        gate.set()


def test_at_40_columns_a_long_status_is_cut_before_the_restart_count_goes():
    from dataclasses import replace

    from kubectl_podlife.tui.podtable import column_widths, pod_row
    from kubectl_podlife.tui.widgets import fit

    pod = replace(fx.small_pod("liveness-exec-00000", "default", "init-container", 6, "Init:CrashLoopBackOff", 30))
    row = pod_row(0, pod)
    cols = column_widths([row], 39, one_namespace=True)  # 40 columns less the scrollbar
    assert [name for name, _ in cols] == ["", "NAME", "STATUS", "RST"]
    assert sum(w for _, w in cols) == 39
    status_w = dict(cols)["STATUS"]
    assert fit("Init:CrashLoopBackOff ", status_w).endswith("…")
    assert dict(cols)["NAME"] == len("liveness-exec-00000") + 1  # the name whole


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_q_and_ctrl_c_quit_from_the_pod_list(key):
    app = make_app(timeline=fx.fleet_timeline())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PodsScreen) and shown_names(app), "the pod list")
        await pilot.press(key)
        await until(pilot, lambda: not app.is_running, f"{key} to quit")
    assert app.return_code == 0
