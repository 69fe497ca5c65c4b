"""The TUI's pure parts, without a terminal: time input, playhead arithmetic, keymap files, export."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import podlife_tui_fixtures as fx  # registered by conftest.py
import pytest

import kubectl_podlife
from kubectl_podlife.model.timeline import Diagnosis, PodTimeline, Transition
from kubectl_podlife.tui.bindings import BINDINGS, effective_keys, load_keymap
from kubectl_podlife.tui.explain import explanation_text
from kubectl_podlife.tui.export import export_path, write_export
from kubectl_podlife.tui.playback import PodView, cycle, next_speed, parse_seek


@pytest.mark.parametrize("text, want", [
    ("2m7s", 127.0), ("85s", 85.0), ("85", 85.0), ("1h2m", 3720.0), ("1h", 3600.0), (" 4m13s ", 253.0),
    ("1.5s", 1.5), ("+10s", 110.0), ("-1m", 40.0),
])
def test_parse_seek(text, want):
    assert parse_seek(text, current=100.0) == want


@pytest.mark.parametrize("text", ["", "soon", "2x", "m", "1m2h", "+"])
def test_parse_seek_rejects(text):
    with pytest.raises(ValueError, match="type one like 2m7s"):
        parse_seek(text)


def test_speeds_clamp():
    assert next_speed(1, 1) == 2 and next_speed(10, 1) == 60 and next_speed(60, 1) == 60
    assert next_speed(1, -1) == 1 and next_speed(5, -1) == 2


def test_cycle_goes_through_all_then_back():
    assert cycle(["a", "b"], None) == "a"
    assert cycle(["a", "b"], "a") == "b"
    assert cycle(["a", "b"], "b") is None
    assert cycle([], None) is None


def test_pod_view_rows_and_playhead():
    view = PodView(fx.liveness_pod())
    assert view.row_at(-1) is None
    assert view.transition(view.row_at(43.0)).kind == "restart"
    assert view.transition(view.row_at(44.9)).kind == "restart"
    assert view.next_time(43.0) == 76.0 and view.prev_time(43.0) == 40.0
    assert view.next_time(260.0) is None and view.prev_time(0.0) is None
    assert (view.start, view.end) == (0.0, 260.0)
    only = PodView(fx.liveness_pod(), kind="restart")
    assert [only.transition(r).restart_count for r in range(len(only))] == [1, 2, 3, 4, 5]
    assert only.kinds() == ["restart"]


def test_pod_view_places_untimed_transitions_after_their_predecessor():
    trs = (Transition(t=5.0, t_range=None, time=None, kind="started", summary="a"),
           Transition(t=None, t_range=None, time=None, kind="note", summary="b"),
           Transition(t=9.0, t_range=None, time=None, kind="ready", summary="c"))
    pod = PodTimeline(name="p", namespace=None, transitions=trs, diagnosis=Diagnosis("none", "ok"), restarts=0,
                      final_status="Running", start=0.0, end=9.0)
    view = PodView(pod)
    assert view.times == [5.0, 5.0, 9.0]
    assert view.transition(view.row_at(6.0)).summary == "b"
    assert "time unknown" in explanation_text(pod, trs[1], 6.0)


def test_explanation_text_has_everything_the_panel_promises():
    pod = fx.liveness_pod()
    restart = next(tr for tr in pod.transitions if tr.kind == "restart")
    text = explanation_text(pod, restart, 43.0)
    for needle in ("restarted (1)", "Rule", "failureThreshold 3", "expected 40s–46s, observed 43s (as expected)",
                   "Confidence: inferred", "Evidence", "liveness.txt:", "State at 43s", "RESTARTS 1 (1s ago)",
                   "liveness-exec-container: running"):
        assert needle in text, needle
    backoff = pod.transitions[-1]
    assert "Missing inputs" in explanation_text(pod, backoff, 253.0)


def write(tmp_path, text):
    path = tmp_path / "keymap.yaml"
    path.write_text(text)
    return path


def test_keymap_accepts_ids_lists_and_a_keymap_section(tmp_path):
    assert load_keymap(write(tmp_path, "play-pause: p\nseek: [T, ctrl+t]\n")) == (
        {"play-pause": "p", "seek": "T,ctrl+t"}, None)
    assert load_keymap(write(tmp_path, "keymap:\n  quit: ctrl+q\n")) == ({"quit": "ctrl+q"}, None)
    assert load_keymap(write(tmp_path, "")) == ({}, None)
    assert load_keymap(tmp_path / "missing.yaml") == ({}, None)


@pytest.mark.parametrize("text, problem", [
    ("play-pause: [oops\n", "not valid YAML"),
    ("- p\n", "expected lines like `play-pause: p`"),
    ("jump: p\n", 'unknown binding id "jump"'),
    ("play-pause: two words\n", "is not a key like"),
    ("play-pause: x\nseek: X, x\n", 'key "x" is given to both "play-pause" and "seek"'),
])
def test_bad_keymaps_keep_the_defaults(tmp_path, text, problem):
    keymap, error = load_keymap(write(tmp_path, text))
    assert keymap == {}
    assert error and problem in error and "using the default keys" in error and "\n" not in error


def test_a_key_taken_from_a_default_binding_is_said(tmp_path):
    keymap, note = load_keymap(write(tmp_path, "play-pause: j\n"))
    assert keymap == {"play-pause": "j"}
    assert effective_keys(keymap)["cursor-down"] == ["down"]
    assert note is None  # cursor-down keeps "down"
    keymap, note = load_keymap(write(tmp_path, "play-pause: t\n"))
    assert effective_keys(keymap)["seek"] == [] and note and "seek lost its key" in note


def test_every_binding_has_an_id_and_a_description():
    ids = [b.id for b in BINDINGS]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(b.description for b in BINDINGS)


def test_export_path_and_markdown(tmp_path, monkeypatch):
    from kubectl_podlife.model.timeline import Timeline

    monkeypatch.setenv("PODLIFE_EXPORT_DIR", str(tmp_path))
    assert export_path("web/../x") == tmp_path / "web_.._x-podlife.md"
    pod = fx.liveness_pod()
    path = write_export(Timeline(pods=(pod,)), pod)
    md = path.read_text()
    assert path == tmp_path / "liveness-exec-pod-podlife.md"
    assert md.startswith("## Pod `default/liveness-exec-pod`\n")
    assert "| 43s | restart |" in md and "liveness.txt:" in md


def test_the_tui_does_not_pay_for_the_kubernetes_client():
    code = "import sys, kubectl_podlife.tui.app; print('kubernetes' in sys.modules)"
    root = Path(kubectl_podlife.__file__).parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
