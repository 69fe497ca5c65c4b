"""`explain --session`: pods read, built and printed one at a time, `--pod` reading only its pod, and
the streamed output identical to printing the whole timeline at once."""

from __future__ import annotations

import json
import textwrap

import pytest

from kubectl_podlife import cli, pipeline, render
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.model.timeline import Timeline
from kubectl_podlife.store import Store

THREE_PODS = textwrap.dedent("""\
    NAMESPACE   NAME    READY   STATUS             RESTARTS     AGE
    prod        web-1   1/1     Running            0            5s
    prod        db-0    0/1     Pending            0            2s
    prod        web-1   1/1     Running            1 (0s ago)   47s
    dev         job-9   0/1     Completed          0            30s
    prod        web-1   0/1     CrashLoopBackOff   1 (2s ago)   49s
    prod        db-0    1/1     Running            0            20s
    prod        web-1   1/1     Running            1            9x
""")


@pytest.fixture
def session(tmp_path, store_path):
    f = tmp_path / "watch.txt"
    f.write_text(THREE_PODS)
    assert cli.main(["import", str(f)]) == 0
    return store_path


def _whole(store_path) -> Timeline:
    with Store(store_path, create=False) as store:
        return pipeline.timeline_for_session(store, store.resolve("latest"))


def test_session_text_streams_the_same_text(session, capsys):
    capsys.readouterr()
    assert cli.main(["explain", "--session", "latest"]) == 0
    out = capsys.readouterr().out
    whole = _whole(session)
    assert len(whole.pods) == 3
    assert out == render.text(whole) + "\n"
    assert [line for line in out.splitlines() if line and not line.startswith(" ")][:1] == \
        render.pod_header(whole.pods[0])[:1]


def test_session_json_streams_the_same_document(session, capsys):
    capsys.readouterr()
    assert cli.main(["explain", "--session", "latest", "-o", "json"]) == 0
    out = capsys.readouterr().out
    whole = _whole(session)
    assert whole.warnings  # the bad AGE "9x"
    assert out == json.dumps(whole.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@pytest.mark.parametrize("pods", [0, 1, 3])
@pytest.mark.parametrize("warnings", [(), ("a.txt:3: cannot read AGE \"9x\"", "b: ü")])
@pytest.mark.parametrize("indent", [2, None])
def test_json_chunks_join_to_json_dumps(session, pods, warnings, indent):
    chosen = _whole(session).pods[:pods]
    timeline = Timeline(pods=chosen, warnings=warnings)
    streamed = "".join(render.json_chunks(iter(chosen), lambda: warnings, indent=indent))
    assert streamed == json.dumps(timeline.to_json(), indent=indent, ensure_ascii=False, allow_nan=False)
    assert json.loads(streamed) == json.loads(json.dumps(timeline.to_json()))


@pytest.mark.parametrize("pods", [0, 1, 3])
def test_text_chunks_join_to_text(session, pods):
    chosen = _whole(session).pods[:pods]
    lines: list[str] = []
    for p in chosen:  # the whole-timeline rendering, as render.text did it before it streamed
        lines += render.pod_header(p) + [""]
        for t in p.transitions:
            lines += render.transition_lines(t)
        lines.append("")
    assert "".join(render.text_chunks(iter(chosen))) == "\n".join(lines).rstrip() + "\n"


def test_pod_reads_only_that_pod(session, capsys, monkeypatch):
    read: list[int] = []
    real = Store.pod_observations

    def spy(self, pod_id):
        read.append(pod_id)
        return real(self, pod_id)

    monkeypatch.setattr(Store, "pod_observations", spy)
    with Store(session, create=False) as store:
        ids = {p.name: p.id for p in store.pods(store.resolve("latest"))}
        with store.db:
            store.db.execute("DELETE FROM timelines")  # nothing cached: the pod must be read
    capsys.readouterr()
    assert cli.main(["explain", "--session", "latest", "--pod", "prod/db-0", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in doc["pods"]] == ["db-0"]
    assert read == [ids["db-0"]]
    read.clear()
    assert cli.main(["explain", "--session", "latest", "--pod", "job-9"]) == 0
    out = capsys.readouterr().out
    assert read == [ids["job-9"]]
    assert out.startswith(render.pod_header(_whole(session).pods[2])[0])


def test_unknown_pod_is_one_line_before_any_output(session, capsys):
    capsys.readouterr()
    with pytest.raises(PodlifeError, match='no pod "nope" in the input; pods seen: .*web-1'):
        cli._dispatch(cli.build_parser().parse_args(["explain", "--session", "latest", "--pod", "nope"]))
    assert capsys.readouterr().out == ""


def test_the_timeline_cache_key_covers_every_module_below_model():
    """A cached timeline is reused only by the code that built it: the key hashes every module below
    model/, its subpackages too (model/explain/), so an edit to any rule builds again."""
    import os
    from pathlib import Path

    from kubectl_podlife import model

    below = {os.path.abspath(p) for p in Path(model.__file__).parent.rglob("*.py")}
    assert any(Path(p).parent.name == "explain" for p in below)
    assert below <= {os.path.abspath(p) for p in model.model_sources()}


def test_cached_timelines_round_trip_and_old_cache_entries_read_back(session):
    import dataclasses
    import pickle

    from kubectl_podlife.model import timeline as tl

    for pod in _whole(session).pods:
        assert pickle.loads(pickle.dumps(pod, protocol=pickle.HIGHEST_PROTOCOL)) == pod
        # An entry cached by the dataclasses' own pickling (before issue 12) has the same state layout.
        old = [getattr(pod, f.name) for f in dataclasses.fields(pod)]
        fresh = object.__new__(tl.PodTimeline)
        fresh.__setstate__(old)
        assert fresh == pod


@pytest.mark.parametrize("value", [
    {}, [], {"a": [], "b": {}, "c": [[], {}]}, [1, -2.5, 1e300, -0.0, 10 ** 30, None, True, False],
    {"text": 'quote " backslash \\ newline \n tab \t control \x01 é \u2028 😀'}, (1, (2.0, "x")),
    {1: "an int key"}, {"nested": {"x": float("nan")}}, {"odd": {1, 2}},
])
def test_jsonout_writes_what_json_dumps_writes(value):
    from kubectl_podlife import jsonout

    for level in (0, 2):
        try:
            want = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False).replace("\n", "\n" + " " * 2 * level)
        except (TypeError, ValueError) as exc:
            with pytest.raises(type(exc)):
                jsonout.dumps(value, 2, level)
        else:
            assert jsonout.dumps(value, 2, level) == want
