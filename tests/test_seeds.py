"""The seed documents: every one reads as it is, and the probe demos are explained by the rules.

Seed 001's first demo is the worked example of k8s-lifecycle.md section 3.5, asserted number by number.
"""

from __future__ import annotations

import json

import pytest

from podlife_testkit import SEEDS, explain_json, pod, run_cli, seed_files, shared_file


@pytest.fixture(scope="module")
def seed001():
    return explain_json(shared_file(SEEDS, "001"))


@pytest.fixture(scope="module")
def seed004():
    return explain_json(shared_file(SEEDS, "004"))


def test_every_seed_reads_without_error():
    files = seed_files()
    if not files:
        pytest.skip("../shared/seeds is not here")
    for f in files:
        r = run_cli("explain", "-o", "json", str(f))
        if f.name.startswith(("000", "002", "003")):
            # Prose only (the transcripts were images in the original articles): a clear one-line error.
            assert r.returncode == 1 and r.stderr.decode().count("\n") == 1
            assert "no kubectl output found" in r.stderr.decode()
        else:
            assert r.returncode == 0, r.stderr.decode()
            assert "Traceback" not in r.stderr.decode()


def test_seed001_pods_and_incarnations(seed001):
    names = [(p["name"], p["incarnation"]) for p in seed001["pods"]]
    assert names == [
        ("liveness-exec-pod", 1), ("liveness-exec-demo", 1), ("liveness-httpget-pod", 1),
        ("liveness-httpget-demo", 1), ("liveness-tcpsocket-demo", 1), ("liveness-tcpsocket-demo", 2),
        ("readiness-httpget-pod", 1), ("readiness-httpget-demo", 1), ("readiness-tcpsocket-pod", 1),
        ("readiness-tcpsocket-pod", 2)]
    # The failing and the fixed tcp demo reuse one name: two pods, each with its own manifest.
    fail, ok = pod(seed001, "liveness-tcpsocket-demo", 1), pod(seed001, "liveness-tcpsocket-demo", 2)
    assert fail["restarts"] == 1 and fail["diagnosis"]["cause"] == "liveness-probe"
    assert ok["restarts"] == 0 and ok["diagnosis"]["cause"] == "none"


def test_worked_example_section_3_5(seed001):
    p = pod(seed001, "liveness-exec-pod")
    assert p["restarts"] == 5
    assert p["final_status"] == "CrashLoopBackOff"
    d = p["diagnosis"]
    assert d["cause"] == "liveness-probe" and d["container"] == "liveness-exec-container"
    assert d["probe"]["handler"] == "exec" and d["probe"]["target"] == "test -e /tmp/healthy"
    restarts = [t for t in p["transitions"] if t["kind"] == "restart"]
    assert [t["t"] for t in restarts] == [43.0, 85.0, 127.0, 169.0, 211.0]
    assert [t["restart_count"] for t in restarts] == [1, 2, 3, 4, 5]
    for t in restarts:
        assert t["cause"] == "liveness-probe"
        assert t["probe"]["type"] == "liveness" and t["probe"]["handler"] == "exec"
        assert t["probe"]["target"] == "test -e /tmp/healthy"
        assert t["probe"]["period_seconds"] == 3 and t["probe"]["failure_threshold"] == 3
        assert t["probe"]["initial_delay_seconds"] == 1
        assert t["grace_period_seconds"] == 30
        assert "SIGTERM could not shorten" in t["summary"]
        # Expected from the spec (42 s cycle, tick phase unknown) against observed.
        lo, hi = t["expected"]["t_range"]
        assert lo <= t["t"] <= hi and hi - lo <= 6
        assert t["expected"]["difference"] == 0
        assert t["confidence"] == "inferred"
        assert any("no manifest" not in m for m in t["missing"])
    assert restarts[0]["t_range"] == [42.0, 44.0]
    assert restarts[0]["backoff_seconds"] is None  # the first restart is free
    assert [t["backoff_seconds"] for t in restarts[2:]] == [10.0, 20.0, 40.0]
    backoff = [t for t in p["transitions"] if t["kind"] == "back-off"]
    assert len(backoff) == 1
    b = backoff[0]
    assert b["t"] == 253.0  # 4m13s
    assert b["backoff_seconds"] == 80.0
    assert "1m20s" in b["summary"] and "42s the container had lived" in b["summary"]
    assert b["kubectl"] == {"ready": "0/1", "status": "CrashLoopBackOff", "restarts": "5 (0s ago)"}
    # Next start: 80 s after that exit (plus the pod worker's requeue).
    assert b["expected"]["t_range"][0] == 333.0


def test_seed001_probe_demos_expected_against_observed(seed001):
    """Exec, http and tcp liveness demos: every restart lies in the window the rules predict."""
    for name, handler in (("liveness-exec-demo", "exec"), ("liveness-httpget-pod", "httpGet"),
                          ("liveness-tcpsocket-demo", "tcpSocket"), ("readiness-tcpsocket-pod", "tcpSocket")):
        p = pod(seed001, name)
        assert p["diagnosis"]["cause"] == "liveness-probe", name
        assert p["diagnosis"]["probe"]["handler"] == handler, name
        restarts = [t for t in p["transitions"] if t["kind"] == "restart"]
        assert restarts, name
        for t in restarts:
            assert t["expected"] and t["expected"]["difference"] == 0, (name, t["t"], t["expected"])
    # The http demo's describe shows the kill: the restart came the full 30 s grace later.
    http = pod(seed001, "liveness-httpget-pod")
    kill = next(t for t in http["transitions"] if t["kind"] == "killing")
    assert kill["t"] == 8.0 and kill["probe"]["failures_seen"] == 3
    assert kill["expected"]["difference"] == 0
    # nginx handles SIGTERM: the readiness-tcpsocket pod restarts right after its kill.
    tcp = pod(seed001, "readiness-tcpsocket-pod")
    r = next(t for t in tcp["transitions"] if t["kind"] == "restart")
    k = next(t for t in tcp["transitions"] if t["kind"] == "killing")
    assert r["t"] - k["t"] <= 3


def test_seed001_readiness_demo_turns_ready_at_31s(seed001):
    p = pod(seed001, "readiness-httpget-demo")
    ready = next(t for t in p["transitions"] if t["kind"] == "ready")
    assert ready["t"] == 31.0 and ready["cause"] == "readiness-probe"
    lo, hi = ready["expected"]["t_range"]
    # The earliest success is initialDelaySeconds (15) after the start at 1 s, within one period (5 s);
    # 31 s lies on that tick grid, three periods later: three probes failed before the first success.
    assert (lo, hi) == (16.0, 22.0)
    assert (ready["t"] - lo) % 5 == 0
    assert "3 periods, on the tick grid" in ready["expected"]["rule"]
    assert "2-3 probes failed" in ready["expected"]["rule"]
    assert p["restarts"] == 0 and p["diagnosis"]["cause"] == "none"


def test_seed001_busybox_without_command_is_a_completed_exit(seed001):
    """The article blames the readiness probe; a busybox with no command exits 0 at once instead."""
    p = pod(seed001, "readiness-httpget-pod")
    assert p["diagnosis"]["cause"] == "completed-exit"
    assert p["final_status"] == "CrashLoopBackOff"
    assert p["restarts"] == 3
    b = next(t for t in p["transitions"] if t["kind"] == "back-off")
    assert b["backoff_seconds"] == 10.0


def test_seed001_recovered_manifest_values(seed001):
    p = pod(seed001, "readiness-httpget-demo")
    assert any("rebuilt" in n for n in p["notes"])
    demo = pod(seed001, "liveness-exec-demo")
    r = next(t for t in demo["transitions"] if t["kind"] == "restart")
    assert r["probe"]["period_seconds"] == 5 and r["probe"]["initial_delay_seconds"] == 5


def test_seed004_tcp_demo(seed004):
    """Collapsed manifest: tcpSocket 8080, delay 5, period 10, threshold 2; restarts at 25, 45, 65 s."""
    p = pod(seed004, "probe-tcp")
    restarts = [t for t in p["transitions"] if t["kind"] == "restart"]
    assert [t["t"] for t in restarts] == [25.0, 45.0, 65.0]
    for t in restarts:
        assert t["cause"] == "liveness-probe"
        assert t["probe"]["handler"] == "tcpSocket" and t["probe"]["failure_threshold"] == 2
        assert t["probe"]["period_seconds"] == 10 and t["probe"]["initial_delay_seconds"] == 5
        assert t["expected"]["difference"] == 0
    # The row "65s6.3.4 就绪检测" was glued to the next heading: kept, with a warning.
    r = run_cli("explain", str(shared_file(SEEDS, "004")))
    assert 'text glued after AGE "65s"' in r.stderr.decode()


def test_seed004_manifest_only_pods_are_listed(seed004):
    names = {p["name"] for p in seed004["pods"]}
    assert {"liveness-exec", "liveness-http", "goproxy", "frontend", "foo", "pod-test1"} <= names
    only_spec = pod(seed004, "goproxy")
    assert only_spec["transitions"] == []
    assert any("only the spec" in n for n in only_spec["notes"])


def test_seed004_pod_test1_manifest_only_is_predicted(seed004):
    """`command: [ echo, SUCCESS ]`, imagePullPolicy Always, default restartPolicy: a prediction, not "no failure"."""
    d = pod(seed004, "pod-test1")["diagnosis"]
    assert d["confidence"] == "predicted"
    assert "No failure seen" not in d["summary"]
    assert "only the spec" in d["summary"]
    assert "runs `echo SUCCESS` and will exit 0 at once" in d["summary"]
    assert "restartPolicy Always restarts it, into CrashLoopBackOff" in d["summary"]
    assert "imagePullPolicy Always pulls the image again before every restart" in d["summary"]
    assert "kubectl podlife simulate" in d["summary"]
    r = run_cli("explain", str(shared_file(SEEDS, "004")))
    assert r.returncode == 0 and "No failure seen: no status shown" not in r.stdout.decode()



def test_seed004_foo_always_then_never_is_two_incarnations(seed004):
    """Issue 15 item 2: lines ~114-118 apply pod3.yaml (restartPolicy Always), delete it and apply it again with
    restartPolicy Never: explain and simulate both show two pods named foo, in file order."""
    names = [(p["name"], p["incarnation"]) for p in seed004["pods"]]
    assert names.index(("foo", 1)) < names.index(("foo", 2))
    always, never = pod(seed004, "foo", 1)["diagnosis"]["summary"], pod(seed004, "foo", 2)["diagnosis"]["summary"]
    assert "will exit 3 about 30 s after its start; restartPolicy Always restarts it, into CrashLoopBackOff" in always
    assert "will exit 3 about 30 s after its start; restartPolicy Never does not restart it: it ends Error" in never
    seed = shared_file(SEEDS, "004")
    assert f"see `kubectl podlife simulate {seed} --pod foo` for the predicted timeline" in always
    r = run_cli("simulate", str(seed), "--pod", "foo", "--for", "3m", "-o", "json")
    assert r.returncode == 0, r.stderr.decode()
    sim_always, sim_never = json.loads(r.stdout)["pods"]
    assert (sim_always["incarnation"], sim_never["incarnation"]) == (1, 2)
    restarts = [t for t in sim_always["transitions"] if t["kind"] == "restart"]
    assert len(restarts) >= 3 and sim_always["final_status"] == "CrashLoopBackOff"
    assert all(t["cause"] == "error-exit" and "exit code 3 after running 30s" in t["summary"] for t in restarts)
    assert sim_never["restarts"] == 0 and sim_never["final_status"] == "Error"
    assert not [t for t in sim_never["transitions"] if t["kind"] == "restart"]


def test_seed_004_readiness_httpget_restart_is_put_on_its_liveness_probe_as_inferred(seed004):
    """Issue 15 item 1: the collapsed manifest's liveness probe (httpGet :http /index.html, period 3) is the only
    probe that can restart the container; the input shows no exit, kill or probe event, so the restart at 4m15s
    is put on it as inferred, saying so, and the readiness probe on /index1.html still explains the 0/1."""
    p = pod(seed004, "readiness-httpget")
    restart = next(t for t in p["transitions"] if t["kind"] == "restart")
    assert restart["t"] == 255 and restart["cause"] == "liveness-probe" and restart["confidence"] == "inferred"
    assert restart["probe"]["handler"] == "httpGet" and restart["probe"]["target"].endswith(":http/index.html")
    assert restart["probe"]["period_seconds"] == 3
    assert "most likely" in restart["summary"] and "no exit, kill or probe event" in restart["summary"]
    assert "inferred from the spec" in " ".join(restart["missing"])
    assert p["diagnosis"]["confidence"] == "inferred" and "most likely" in p["diagnosis"]["summary"]
    ready = next(t for t in p["transitions"] if t["kind"] == "ready")
    assert "/index1.html" in ready["detail"]
