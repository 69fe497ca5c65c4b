"""Hostile and odd input (tests/data/hostile): one clear line naming the file:line or the cause, no
traceback, bounded time and memory; or, where the input is readable, read (UTF-16, gzip)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubectl_podlife.ingest import read_paths, read_text
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.model import build_timeline

DATA = Path(__file__).parent / "data" / "hostile"


def run(*args: str) -> subprocess.CompletedProcess:
    # a memory cap (1 GiB of address space): the unbounded cases used 0.9-2 GB and rising before the fix
    pre = "import resource,sys;resource.setrlimit(resource.RLIMIT_AS,(1<<30,1<<30));" \
          "from kubectl_podlife.cli import main;sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", pre, *args], capture_output=True, text=True, timeout=120)


def assert_one_clean_line(p: subprocess.CompletedProcess, needle: str) -> None:
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    assert needle in p.stderr, p.stderr


@pytest.mark.parametrize("name, needle", [
    ("bigcount.json", "bigcount.json:1: cannot read JSON object: the number 9999"),
    ("event-count.json", "event-count.json:1: cannot read JSON object: the number 1e999 is out of range"),
    ("deep.json", "deep.json:1: cannot read JSON object: nested deeper"),
    ("deep.yaml", "deep.yaml:1: cannot read YAML document: nested deeper"),
])
def test_unreadable_numbers_and_nesting_are_one_line_and_a_failure(name, needle):
    p = run("explain", str(DATA / name), "-o", "json")
    assert p.returncode == 1
    assert_one_clean_line(p, needle)
    assert len(p.stderr.strip().splitlines()) == 1


def test_yaml_alias_bomb_is_refused_not_expanded():
    p = run("explain", str(DATA / "bomb.yaml"), "-o", "json")
    assert_one_clean_line(p, "bomb.yaml:1: YAML document skipped: it expands to more than")
    assert "lol" not in p.stdout


def test_restarts_jump_is_summarised_not_one_transition_each():
    p = run("explain", str(DATA / "restarts.txt"), "-o", "json")
    assert p.returncode == 0, p.stderr
    pod = json.loads(p.stdout)["pods"][0]
    assert pod["restarts"] == 99999999
    restarts = [t for t in pod["transitions"] if t["kind"] == "restart"]
    assert len(restarts) <= 25
    assert max(t["restart_count"] for t in restarts) == 99999999
    assert any("99999979 restarts missed by the watch" in t["summary"] for t in pod["transitions"])


def test_unicode_digit_is_not_a_restart_count():
    result = read_paths([str(DATA / "superscript.txt")])
    rows = [o for o in result.observations if o.kind == "row"]
    assert [o.data.get("restarts") for o in rows] == [1]


def test_a_50mb_line_is_skipped_with_one_warning(tmp_path):
    cell = "web 1/1 Running 0 5s "
    f = tmp_path / "long.txt"
    f.write_text("NAME READY STATUS RESTARTS AGE\n" + cell * (50 * 1024 * 1024 // len(cell)) + "\n"
                 "web 1/1 Running 0 9s\n")
    p = run("explain", str(f))
    assert p.returncode == 0
    assert_one_clean_line(p, "long.txt:2: line of 52428")
    assert "Pod web: Running" in p.stdout


@pytest.mark.parametrize("name", ["utf16.txt", "get.txt.gz"])
def test_utf16_and_gzip_are_decoded(name):
    result = read_paths([str(DATA / name)])
    assert [o.data.get("status") for o in result.observations if o.kind == "row"] == \
        ["Pending", "ContainerCreating", "Running"]


def test_gzip_bomb_is_refused(tmp_path, monkeypatch):
    import gzip

    from kubectl_podlife.errors import PodlifeError
    from kubectl_podlife.ingest import source

    monkeypatch.setattr(source, "MAX_GUNZIPPED", 1 << 20)
    f = tmp_path / "bomb.gz"
    f.write_bytes(gzip.compress(b"NAME READY STATUS RESTARTS AGE\n" + b" " * (4 << 20)))
    with pytest.raises(PodlifeError, match="expands to more than 1 MiB"):
        read_paths([str(f)])


def test_explain_json_never_emits_nan():
    text = (DATA / "restarts.txt").read_text()
    timeline = build_timeline(anchor(read_text(text, "r.txt").observations))
    json.dumps(timeline.to_json(), allow_nan=False)


def test_control_characters_in_input_never_reach_the_terminal(tmp_path):
    from kubectl_podlife import render

    ev = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1", "namespace": "default"},
          "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"}, "reason": "Unhealthy",
          "type": "Warning", "count": 3, "source": {"component": "kubelet"},
          "firstTimestamp": "2024-01-01T00:00:05Z", "lastTimestamp": "2024-01-01T00:00:15Z",
          "message": "Liveness probe failed: \x1b]52;c;aGk=\x07\x1b[2J\x9b2J boom"}
    f = tmp_path / "ev.json"
    f.write_text(json.dumps(ev))
    timeline = build_timeline(read_paths([str(f)]).observations)
    for out in (render.text(timeline), render.markdown(timeline)):
        assert "boom" in out and "\\x1b]52" in out
        assert not any(c in out for c in "\x1b\x07\x9b")
    colored = render.text(timeline, color=True)
    assert "\x1b]" not in colored and "\x07" not in colored


def test_watch_printer_shows_control_characters_escaped():
    """`watch --no-tui` prints names, reasons and messages from the API server: a message carrying a screen
    clear reaches the terminal as `\\x1b[2J`, never as the raw sequence; markup-like text stays as it is."""
    import io

    from kubectl_podlife.capture import TransitionPrinter

    out = io.StringIO()
    printer = TransitionPrinter(out=out, notify=lambda msg: None)
    printer.feed(list(read_paths([str(DATA / "control-message.json")]).observations))
    lines = out.getvalue().splitlines()
    probe = [line for line in lines if " probe-failed: " in line]
    assert len(probe) == 1, lines
    assert "\\x1b[2J[red]x[/red] boom" in probe[0]
    assert not any(c in out.getvalue() for c in "\x1b\x07\x9b")
