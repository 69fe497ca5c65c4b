"""The bundled replays a newcomer opens first: each reads cleanly, is listed in the README, and says
what its description promises."""

from __future__ import annotations

import pytest

from podlife_testkit import REPO, explain_json, pod

REPLAYS = REPO / "replays"
EXPECTED = {
    "liveness-exec.log": ("liveness-exec", "liveness-probe", 5, "CrashLoopBackOff"),
    "liveness-http.log": ("liveness-http", "liveness-probe", 2, "Running"),
    "liveness-tcp.log": ("probe-tcp", "liveness-probe", 4, "CrashLoopBackOff"),
    "readiness-http.log": ("readiness-httpget-demo", "readiness-probe", 0, "Running"),
    "init-containers.log": ("myapp-pod", "init-container", 0, "Running"),
    "restart-policy.log": ("foo", "error-exit", 2, "CrashLoopBackOff"),
    "oomkilled-watch.json": ("cart-7d9f8b6c5-x2x4q", "oom-killed", 2, "Running"),
}


def test_every_replay_is_described_in_the_readme():
    readme = (REPO / "README.md").read_text()
    files = sorted(p.name for p in REPLAYS.iterdir() if p.is_file())
    assert files == sorted(EXPECTED)
    for name in files:
        assert f"`{name}`" in readme


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_replay_explains_as_described(name):
    doc = explain_json(REPLAYS / name)
    pod_name, cause, restarts, final = EXPECTED[name]
    p = pod(doc, pod_name)
    assert p["diagnosis"]["cause"] == cause
    assert p["restarts"] == restarts
    assert p["final_status"] == final
    assert not doc["warnings"]


def test_liveness_exec_replay_merges_the_watch_and_describe():
    p = pod(explain_json(REPLAYS / "liveness-exec.log"), "liveness-exec")
    restarts = [t for t in p["transitions"] if t["kind"] == "restart"]
    assert [t["t"] for t in restarts] == [43.0, 85.0, 127.0, 169.0, 211.0]
    assert all(t["confidence"] == "observed" for t in restarts)  # the Killing event names the probe
    assert all(t["probe"]["failures_seen"] == 3 for t in restarts)
    exit6 = next(t for t in p["transitions"] if t["kind"] == "terminated")
    assert exit6["t"] == 253.0 and "137" in exit6["summary"]
    assert len([t for t in p["transitions"] if t["kind"] == "back-off"]) == 1


def test_a_watch_and_a_describe_saved_separately_merge_into_one_pod(tmp_path):
    """The same story split in two files, as a user saves them: one pod, the describe's kill events
    explaining the watch's restarts."""
    lines = (REPLAYS / "liveness-exec.log").read_text().splitlines()
    split = next(i for i, ln in enumerate(lines) if "kubectl describe pod" in ln)
    watch, describe = tmp_path / "get-w.txt", tmp_path / "describe.txt"
    watch.write_text("\n".join(lines[:split]) + "\n")
    describe.write_text("\n".join(lines[split:]) + "\n")
    doc = explain_json(watch, describe)
    assert [p["name"] for p in doc["pods"]] == ["liveness-exec"]
    p = doc["pods"][0]
    restarts = [t for t in p["transitions"] if t["kind"] == "restart"]
    assert len(restarts) == 5 and all(t["confidence"] == "observed" for t in restarts)
    assert {e["origin"].rsplit(":", 1)[0] for t in restarts for e in t["evidence"]} == {str(watch), str(describe)}


def test_oomkilled_watch_reads_in_order():
    """Each OOM kill comes before the restart it caused (lastState is the previous instance, state the
    current one), and the pod ends as the last object shows it: Running again after restart 2."""
    p = pod(explain_json(REPLAYS / "oomkilled-watch.json"), "cart-7d9f8b6c5-x2x4q")
    steps = [(t["kind"], t["t"], t.get("restart_count")) for t in p["transitions"]
             if t["kind"] in ("terminated", "restart")]
    assert steps == [("terminated", 101.0, None), ("restart", 102.0, 1),
                     ("terminated", 185.0, None), ("restart", 195.0, 2)]
    kills = [t for t in p["transitions"] if t["kind"] == "terminated"]
    assert all("OOMKilled" in t["summary"] and "137" in t["summary"] for t in kills)
    assert p["final_status"] == "Running"
