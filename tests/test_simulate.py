"""The simulator: the kubelet's rules run forward reproduce the seeds' recordings, what-if edits move
restarts as the rules say, and the generator's sessions import.

Tolerance for reproducing a recording: ±1 s per restart when the probe tick phase is set to match
(`tick_phase`, the pod-clock time of the workers' first tick); with the default phase (1 s, at pod
admission) ± one probe period, because the real phase is unknown within a period. Behaviour times
(`liveness_fails_from` ...) are measured from each container start; containers start at 1 s.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
import sys
from pathlib import Path

import pytest

from podlife_testkit import CORPUS, SEEDS, REPO, run_cli, shared_file
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.commands.simulate import PodManifest, load_behaviour_file, load_manifests
from kubectl_podlife.commands.simulate_generate import generate
from kubectl_podlife.commands.simulate_whatif import apply_set
from kubectl_podlife.model import simulate as S

EXEC_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec-pod
  namespace: default
spec:
  containers:
  - name: liveness-exec-container
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh","-c","touch /tmp/healthy; sleep 3; rm -rf /tmp/healthy;sleep 3600"]
    livenessProbe:
      exec:
        command: ["test", "-e","/tmp/healthy"]
      initialDelaySeconds: 1
      periodSeconds: 3
"""

INIT_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
spec:
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup myservice; do echo waiting; sleep 2; done"]
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup mydb; do echo waiting; sleep 2; done"]
"""


def _manifest(path: Path, name: str) -> PodManifest:
    ms = [m for m in load_manifests(str(path)) if m.name == name]
    assert ms, f"no manifest {name} in {path}"
    return ms[0]


def _predict(m: PodManifest, duration: float = 300.0, tick_phase: float | None = None, sigterm: str = "auto",
             **behaviour):
    beh = {"": S.Behaviour(**behaviour)} if behaviour else {}
    opts = S.SimOptions(duration=duration, tick_phase=tick_phase, sigterm=sigterm, behaviours=beh)
    return S.predict(m.name, m.spec, opts, namespace=m.namespace).pods[0]


def _times(pod, kind: str) -> list[float]:
    return [t.t for t in pod.transitions if t.kind == kind]


def _rows(obs) -> list[tuple]:
    return [(o.t, o.data["ready"], o.data["status"], o.data["restarts"]) for o in obs if o.kind == "row"]


def _near(got: list[float], want: list[float], tol: float) -> bool:
    return len(got) >= len(want) and all(abs(g - w) <= tol for g, w in zip(got, want))


# --- the seeds' recordings, reproduced ------------------------------------------------------

@pytest.fixture(scope="module")
def seed001() -> Path:
    return shared_file(SEEDS, "001")


def test_seed001_exec_liveness_worked_example(seed001):
    """k8s-lifecycle 3.5: restarts at 43, 85, 127, 169, 211 s; CrashLoopBackOff at 4m13s with back-off 80 s."""
    p = _predict(_manifest(seed001, "liveness-exec-pod"), duration=260)
    assert _near(_times(p, "restart"), [43, 85, 127, 169, 211], 1.0), _times(p, "restart")
    backoff = [t for t in p.transitions if t.kind == "back-off"]
    assert backoff and abs(backoff[0].t - 253) <= 1.0
    assert backoff[0].backoff_seconds == 80
    assert backoff[0].view.status == "CrashLoopBackOff" and backoff[0].view.restarts == "5 (0s ago)"
    assert p.final_status == "CrashLoopBackOff" and p.restarts == 5
    assert p.diagnosis.cause == "liveness-probe"
    # every transition is a prediction, and the pod says so
    assert {t.confidence for t in p.transitions} == {"predicted"}
    assert any(n.startswith(S.PREDICTED_NOTE) for n in p.notes)
    # SIGTERM is ignored by the shell as PID 1: exit 137 after the full 30 s grace period
    kills = _times(p, "killing")
    assert _near(kills, [13, 55, 97, 139, 181, 223], 1.0)
    exits = [t for t in p.transitions if t.kind == "terminated"]
    assert exits and all("137" in t.summary for t in exits)


def test_seed001_worked_example_continues_as_the_rules_say(seed001):
    # next start = 253 + 80 = 333 s; that instance is killed and waits (delay 160 s), ~535 s (8m55s)
    p = _predict(_manifest(seed001, "liveness-exec-pod"), duration=600)
    assert abs(_times(p, "restart")[5] - 333) <= 1.0
    later = [t for t in p.transitions if t.kind == "back-off"]
    assert len(later) >= 2 and later[1].backoff_seconds == 160
    assert abs(_times(p, "restart")[6] - 535) <= 3.0  # ≈ 8m55s: one period of tick phase either way


def test_seed001_http_and_tcp_liveness_demos(seed001):
    # The Flask app is python as PID 1 with no SIGTERM handler: SIGTERM is ignored (given here).
    http = _predict(_manifest(seed001, "liveness-httpget-pod"), duration=60, sigterm="ignored",
                    liveness_fails_from=0.0)
    assert _near(_times(http, "restart"), [40], 1.0), _times(http, "restart")  # observed 40 s
    tcp = _predict(_manifest(seed001, "liveness-tcpsocket-demo"), duration=60, sigterm="ignored",
                   liveness_fails_from=0.0)
    assert _near(_times(tcp, "restart"), [45], 1.0), _times(tcp, "restart")  # observed 45 s
    assert tcp.diagnosis.probe.handler == "tcpSocket"


def test_seed001_readiness_demo_ready_at_31s(seed001):
    # /readyz answers once its first 15 s request is done: the probe succeeds from 30 s after the start (1 s)
    p = _predict(_manifest(seed001, "readiness-httpget-demo"), duration=60, readiness_succeeds_from=30.0)
    ready = [t for t in p.transitions if t.kind == "ready"]
    assert ready and abs(ready[0].t - 31) <= 1.0, [(t.t, t.kind) for t in p.transitions]
    assert ready[0].view.ready == "1/1" and p.restarts == 0


def test_seed001_busybox_without_command_crash_loops_like_the_recording(seed001):
    # observed: Completed 0 3s / Completed 1 (3s ago) 6s / CrashLoopBackOff 1 (2s ago) 7s
    m = _manifest(seed001, "readiness-httpget-pod")
    rows = _rows(S.simulate_observations(m.name, m.spec, S.SimOptions(duration=10)))
    statuses = [(int(t), st, rc) for t, _, st, rc in rows]
    assert (3, "Completed", 0) in statuses and (6, "Completed", 1) in statuses
    assert any(st == "CrashLoopBackOff" and 6 <= t <= 8 for t, st, _ in statuses)


def test_seed004_tcp_demo_restarts_at_25_45_65():
    m = _manifest(shared_file(SEEDS, "004"), "probe-tcp")
    # nginx-style image (myapp) handles SIGTERM: each kill ends at once (exit 143)
    p = _predict(m, duration=70, tick_phase=5.0, liveness_fails_from=0.0)
    assert _near(_times(p, "restart"), [25, 45, 65], 1.0), _times(p, "restart")
    assert all("143" in t.summary for t in p.transitions if t.kind == "terminated")
    # with the default tick phase the restarts stay within one period (10 s)
    d = _predict(m, duration=70, liveness_fails_from=0.0)
    assert _near(_times(d, "restart"), [25, 45, 65], 10.0), _times(d, "restart")


def test_corpus_041_docs_liveness_exec():
    f = shared_file(CORPUS, "041")
    p = _predict(_manifest(f, "liveness-exec"), duration=120)
    kills = _times(p, "killing")
    assert kills and abs(kills[0] - 47) <= 1.0 + 5  # observed ~47 s; ± one period (5 s) + 1 s
    r = _times(p, "restart")
    assert r and 60 <= r[0] < 120  # the final `get` at "1m" shows RESTARTS 1


# --- what-if, policies, init containers, image pulls -------------------------------------------

def test_what_if_failure_threshold_5_adds_two_periods(tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(EXEC_POD)
    m = load_manifests(str(f))[0]
    base = _predict(m, duration=200)
    spec = apply_set(m.spec, "containers[0].livenessProbe.failureThreshold=5")
    assert spec["containers"][0]["livenessProbe"]["failureThreshold"] == 5
    assert m.spec["containers"][0]["livenessProbe"].get("failureThreshold") is None  # the original is untouched
    what_if = S.predict(m.name, spec, S.SimOptions(duration=200)).pods[0]
    b, w = _times(base, "restart"), _times(what_if, "restart")
    assert abs((w[0] - b[0]) - 6) <= 0.5 and abs((w[1] - w[0]) - (b[1] - b[0]) - 6) <= 0.5
    # and through the CLI
    r = run_cli("simulate", str(f), "--for", "2m", "-o", "json", "--set",
                "containers[0].livenessProbe.failureThreshold=5")
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    restarts = [t["t"] for t in doc["pods"][0]["transitions"] if t["kind"] == "restart"]
    assert restarts[:2] == [49.0, 97.0]
    assert any("what-if" in n for n in doc["pods"][0]["notes"])


def test_what_if_grace_and_policy_paths():
    spec = {"containers": [{"name": "a", "image": "x"}], "initContainers": [{"name": "i", "image": "y"}]}
    assert apply_set(spec, "terminationGracePeriodSeconds=10")["terminationGracePeriodSeconds"] == 10
    assert apply_set(spec, "restartPolicy=Never")["restartPolicy"] == "Never"
    assert apply_set(spec, "initContainers[0].image=busybox")["initContainers"][0]["image"] == "busybox"
    assert apply_set(spec, "containers[a].livenessProbe.periodSeconds=7")["containers"][0]["livenessProbe"] == {
        "periodSeconds": 7}
    for bad in ("containers[0].livenessProbe.bogus=1", "nosuchfield=1", "containers[4].image=x",
                "containers[0].livenessProbe.periodSeconds=abc", "restartPolicy"):
        with pytest.raises(PodlifeError) as e:
            apply_set(spec, bad)
        assert bad.split("=")[0] in str(e.value) and "\n" not in str(e.value)


def _policy_pod(policy: str, code: int) -> PodManifest:
    spec = {"restartPolicy": policy, "containers": [
        {"name": "task", "image": "busybox:1.36", "command": ["sh", "-c", f"sleep 5; exit {code}"]}]}
    return PodManifest("task-pod", None, spec, "Pod", 1)


def test_on_failure_with_exit_0_does_not_restart():
    p = _predict(_policy_pod("OnFailure", 0), duration=120)
    assert p.restarts == 0 and not _times(p, "restart")
    assert p.final_status == "Completed"
    assert any(t.kind == "phase" and t.to_state == "Succeeded" for t in p.transitions)


def test_on_failure_with_exit_1_restarts_with_back_off():
    p = _predict(_policy_pod("OnFailure", 1), duration=120)
    r = _times(p, "restart")
    assert len(r) >= 3
    # first restart free (after the PLEG relist), then 10 s, 20 s measured from the previous finish
    assert abs((r[1] - r[0]) - (5 + 10)) <= 0.5 and abs((r[2] - r[1]) - (5 + 20)) <= 0.5


def test_never_does_not_restart():
    p = _predict(_policy_pod("Never", 1), duration=120)
    assert p.restarts == 0 and not _times(p, "restart") and p.final_status == "Error"
    liveness = {"restartPolicy": "Never", "containers": [
        {"name": "web", "image": "nginx:1.25", "livenessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5}}]}
    q = _predict(PodManifest("web", None, liveness, "Pod", 1), duration=120, liveness_fails_from=0.0)
    assert q.restarts == 0 and len(_times(q, "killing")) == 1


def test_init_containers_sequence(tmp_path):
    f = tmp_path / "init.yaml"
    f.write_text(INIT_POD)
    beh = tmp_path / "beh.yaml"
    beh.write_text("containers:\n  init-myservice: {exits_after: 5}\n  init-mydb: {exits_after: 8s}\n")
    behaviours, _ = load_behaviour_file(str(beh))
    m = load_manifests(str(f))[0]
    obs = S.simulate_observations(m.name, m.spec, S.SimOptions(duration=60, behaviours=behaviours))
    seq = []
    for _, _, st, _ in _rows(obs):
        if not seq or seq[-1] != st:
            seq.append(st)
    assert seq == ["Pending", "Init:0/2", "Init:1/2", "PodInitializing", "Running"], seq
    # without a behaviour the nslookup loops never end: the pod stays Init:0/2
    held = S.predict(m.name, m.spec, S.SimOptions(duration=60)).pods[0]
    assert held.final_status == "Init:0/2" and held.diagnosis.cause == "init-container"
    # through the CLI with the YAML behaviour file
    r = run_cli("simulate", str(f), "--behaviour", str(beh), "--for", "1m")
    assert r.returncode == 0 and "PodInitializing" in r.stdout.decode()


def test_failed_init_container_backs_off_and_never_fails_the_pod():
    spec = {"initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "exit 1"]}],
            "containers": [{"name": "app", "image": "nginx:1.25"}]}
    obs = S.simulate_observations("p", spec, S.SimOptions(duration=60))
    statuses = {st for _, _, st, _ in _rows(obs)}
    assert {"Init:Error", "Init:CrashLoopBackOff"} <= statuses
    never = S.simulate_observations("p", dict(spec, restartPolicy="Never"), S.SimOptions(duration=60))
    assert _rows(never)[-1][2] == "Init:Error"
    assert any(o.kind == "pod" and o.data.get("phase") == "Failed" for o in never)


def test_image_pull_back_off_10_20_40():
    spec = {"containers": [{"name": "curl", "image": "tutum/curl"}]}
    obs = S.simulate_observations("curl", spec, S.SimOptions(
        duration=200, behaviours={"": S.Behaviour(image_pull_fails=S.ALWAYS)}))
    statuses = [st for _, _, st, _ in _rows(obs)]
    assert "ErrImagePull" in statuses and "ImagePullBackOff" in statuses
    pulls = [o.t for o in obs if o.kind == "event" and o.data["reason"] == "Pulling"]
    fails = [o.t for o in obs if o.kind == "event" and o.data["message"] == "Error: ErrImagePull"]
    waits = [round(nxt - f, 3) for f, nxt in zip(fails, pulls[1:])]
    assert waits[:4] == [10.0, 20.0, 40.0, 80.0]
    p = S.predict("curl", spec, S.SimOptions(duration=200, behaviours={"": S.Behaviour(image_pull_fails=S.ALWAYS)}))
    assert p.pods[0].diagnosis.cause == "image-pull"


def test_oom_and_startup_probe():
    spec = {"containers": [{"name": "hog", "image": "stress:1", "resources": {"limits": {"memory": "10Mi"}}}]}
    p = S.predict("hog", spec, S.SimOptions(duration=120, behaviours={"": S.Behaviour(oom_at=20.0)})).pods[0]
    assert p.diagnosis.cause == "oom-killed" and _times(p, "restart")
    slow = {"containers": [{"name": "slow", "image": "app:v1", "startupProbe": {
        "httpGet": {"path": "/", "port": 80}, "periodSeconds": 5, "failureThreshold": 3}}]}
    q = _predict(PodManifest("slow", None, slow, "Pod", 1), duration=60, startup_succeeds_from=100.0)
    assert _times(q, "killing") and q.restarts >= 1  # 3 startup failures kill it before it ever starts
    ok = _predict(PodManifest("slow", None, slow, "Pod", 1), duration=60, startup_succeeds_from=8.0)
    assert ok.restarts == 0


# --- predicted against observed ------------------------------------------------------------

def test_against_a_doctored_recording_reports_a_slow_pull(tmp_path):
    # Untagged busybox without imagePullPolicy: Always. In the "recording" restart 2's pull took 11 s.
    spec_text = EXEC_POD.replace("    imagePullPolicy: IfNotPresent\n", "")
    f = tmp_path / "pod.yaml"
    f.write_text(spec_text)
    m = load_manifests(str(f))[0]
    obs = S.simulate_observations(m.name, m.spec, S.SimOptions(duration=200), source="recorded.txt")
    shift = 9.0
    pulls = [o for o in obs if o.kind == "event" and o.data["reason"] == "Pulling"]
    slow_from = pulls[2].t  # the pull before restart 2
    doctored = []
    for o in obs:
        if o.kind == "spec":
            continue
        if o.t is not None and o.t > slow_from + 0.001:
            o = replace(o, t=o.t + shift, t_lo=o.t_lo + shift, t_hi=o.t_hi + shift)
        if o.kind == "event" and o.data["reason"] == "Pulled" and abs(o.t - (slow_from + 2 + shift)) < 0.01:
            o = replace(o, data=dict(o.data, message=o.data["message"].replace(" in 2s (2s", " in 11s (11s")),
                          raw=o.raw.replace(" in 2s (2s", " in 11s (11s"))
        doctored.append(o)
    rec = tmp_path / "recorded.jsonl"
    rec.write_text("\n".join(json.dumps(o.to_json()) for o in doctored) + "\n")
    r = run_cli("simulate", str(f), "--against", str(rec))
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert "restart 2 of liveness-exec-container came 9 s later than predicted" in out, out
    assert "untagged" in out and "imagePullPolicy Always" in out
    assert "restart 3" not in out  # the shift is carried, not reported again
    j = run_cli("simulate", str(f), "--against", str(rec), "-o", "json")
    doc = json.loads(j.stdout)
    assert set(doc) == {"predicted", "observed", "differences"}
    d = [x for x in doc["differences"] if x["kind"] == "restart"]
    assert d and d[0]["index"] == 2 and abs(d[0]["delta"] - 9) < 0.01 and "pull" in d[0]["reason"]


def test_against_the_seed_tcp_demo_finds_the_ignored_sigterm(seed001):
    r = run_cli("simulate", str(seed001), "--pod", "liveness-tcpsocket-demo", "--liveness-fails-from", "0",
                "--against", str(seed001))
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert "restart 1 of demo came" in out and "ignored SIGTERM" in out, out


def test_against_the_seed_exec_demo_has_no_difference(seed001):
    r = run_cli("simulate", str(seed001), "--pod", "liveness-exec-pod", "--against", str(seed001), "-o", "json")
    doc = json.loads(r.stdout)
    assert doc["differences"] == []
    obs = [t["t"] for t in doc["observed"]["pods"][0]["transitions"] if t["kind"] == "restart"]
    assert obs == [43.0, 85.0, 127.0, 169.0, 211.0]


# --- the generator ---------------------------------------------------------------------------

def test_generator_jsonl_imports_and_counts_match(tmp_path, store_path):
    out = tmp_path / "gen.jsonl"
    r = run_cli("simulate", "--pods", "40", "--out", str(out), "--seed", "7")
    assert r.returncode == 0, r.stderr.decode()
    first = json.loads(out.read_text().splitlines()[0])
    assert first["podlife"] == "session" and first["version"] == 1
    n = len(out.read_text().splitlines()) - 1
    assert f"wrote {n} observations of 40 pods" in r.stdout.decode()
    imp = run_cli("import", str(out), env={"PODLIFE_DB": str(store_path)})
    assert imp.returncode == 0, imp.stderr.decode()
    assert f"imported {n} observations of 40 pods" in imp.stderr.decode()
    # the same seed writes the same file; the session explains without error
    again = tmp_path / "gen.jsonl"
    out.rename(tmp_path / "first.jsonl")
    run_cli("simulate", "--pods", "40", "--out", str(again), "--seed", "7")
    assert again.read_text() == (tmp_path / "first.jsonl").read_text()
    ex = run_cli("explain", "--session", "latest", "-o", "json", env={"PODLIFE_DB": str(store_path)})
    assert ex.returncode == 0 and len(json.loads(ex.stdout)["pods"]) == 40


def test_generator_get_w_imports_and_counts_match(tmp_path, store_path):
    out = tmp_path / "gen.txt"
    r = run_cli("simulate", "--pods", "30", "--out", str(out), "--format", "get-w", "--seed", "1")
    assert r.returncode == 0, r.stderr.decode()
    lines = out.read_text().splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    imp = run_cli("import", str(out), env={"PODLIFE_DB": str(store_path)})
    assert imp.returncode == 0, imp.stderr.decode()
    assert f"imported {len(lines) - 1} observations of 30 pods" in imp.stderr.decode()


def test_generator_writes_a_large_session(tmp_path):
    """How fast is benchmarks/manifest_bench.py's business; here, that a large session comes out."""
    res = generate(150, str(tmp_path / "g.jsonl"), "jsonl", seed=2)
    assert res.observations > 8000
    assert len((tmp_path / "g.jsonl").read_text().splitlines()) == res.observations + 1  # a header line first


# --- command line ------------------------------------------------------------------------------

def test_cli_text_markdown_json(tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(EXEC_POD)
    t = run_cli("simulate", str(f), "--for", "90s")
    assert t.returncode == 0 and "Restart 1 of liveness-exec-container" in t.stdout.decode()
    assert "predicted by simulate" in t.stdout.decode()
    md = run_cli("simulate", str(f), "--for", "90s", "-o", "markdown")
    assert md.stdout.decode().startswith("## Pod `default/liveness-exec-pod`")
    j = json.loads(run_cli("simulate", str(f), "--for", "90s", "-o", "json").stdout)
    p = j["pods"][0]
    assert p["restarts"] == 2 and p["diagnosis"]["cause"] == "liveness-probe"
    assert {t["confidence"] for t in p["transitions"]} == {"predicted"}
    assert all(t["time"] is None for t in p["transitions"])
    flags = run_cli("simulate", str(f), "--for", "60s", "--sigterm", "handled", "-o", "json")
    p2 = json.loads(flags.stdout)["pods"][0]
    assert [t["t"] for t in p2["transitions"] if t["kind"] == "restart"][:2] == [13.0, 25.0]


def test_cli_bad_input_is_one_line(tmp_path):
    notyaml = tmp_path / "bad.yaml"
    notyaml.write_text("a: [b\n")
    cm = tmp_path / "cm.yaml"
    cm.write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    pod = tmp_path / "pod.yaml"
    pod.write_text(EXEC_POD)
    cases = [
        ((str(tmp_path / "missing.yaml"),), "missing.yaml: no such file"),
        ((str(notyaml),), "not a YAML manifest"),
        ((str(cm),), "no Pod manifest"),
        ((str(pod), "--set", "containers[0].nope=1"), "containers[0].nope"),
        ((str(pod), "--for", "soon"), "--for"),
        ((str(pod), "--container", "ghost", "--exits-after", "3s"), "ghost"),
        ((str(pod), "--behaviour", str(cm)), "unknown key"),
        ((), "nothing to simulate"),
        (("--pods", "3"), "--out"),
    ]
    for args, text in cases:
        r = run_cli("simulate", *args)
        err = r.stderr.decode()
        assert r.returncode == 1, (args, err)
        assert err.count("\n") == 1 and text in err and "Traceback" not in err, (args, err)


def test_headless_import_and_tui_flag(tmp_path):
    code = ("import sys; import kubectl_podlife.model.simulate, kubectl_podlife.cli; "
            "print('textual' in sys.modules, 'kubernetes' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=REPO, timeout=60)
    assert r.stdout.decode().split() == ["False", "False"]
