"""A manifest with no status (issue 15.3): explain predicts the run from command, restartPolicy and
imagePullPolicy, marks it predicted, and never says "No failure seen"."""

from __future__ import annotations

import json

import pytest

from podlife_testkit import explain_json, pod, run_cli

MANIFEST = """apiVersion: v1
kind: Pod
metadata:
  name: demo
spec:
{policy}  containers:
  - name: main
    image: {image}
{pull}    command: {command}
"""


def _diagnosis(tmp_path, *, policy=None, pull=None, image="busybox:1.36", command='["sh", "-c", "sleep 5; exit 2"]'):
    f = tmp_path / "pod.yaml"
    f.write_text(MANIFEST.format(policy=f"  restartPolicy: {policy}\n" if policy else "",
                                 pull=f"    imagePullPolicy: {pull}\n" if pull else "", image=image, command=command))
    p = pod(explain_json(f), "demo")
    assert p["transitions"] == []
    d = p["diagnosis"]
    assert d["confidence"] == "predicted"
    assert "No failure seen" not in d["summary"] and "only the spec" in d["summary"]
    assert "kubectl podlife simulate" in d["summary"]
    return d["summary"]


@pytest.mark.parametrize("policy", [None, "Always"])
def test_restart_policy_always_crash_loops(tmp_path, policy):
    s = _diagnosis(tmp_path, policy=policy)
    assert "runs `sleep 5; exit 2` and will exit 2 about 5 s after its start" in s
    assert "restartPolicy Always restarts it, into CrashLoopBackOff" in s


def test_restart_policy_on_failure_restarts_a_failure(tmp_path):
    s = _diagnosis(tmp_path, policy="OnFailure")
    assert "restartPolicy OnFailure restarts it, into CrashLoopBackOff" in s


def test_restart_policy_on_failure_completes_a_success(tmp_path):
    s = _diagnosis(tmp_path, policy="OnFailure", command='["echo", "done"]')
    assert "will exit 0 at once" in s
    assert "restartPolicy OnFailure does not restart it: it ends Completed (the pod Succeeded)" in s
    assert "CrashLoopBackOff" not in s


def test_restart_policy_never_ends_in_error(tmp_path):
    s = _diagnosis(tmp_path, policy="Never")
    assert "restartPolicy Never does not restart it: it ends Error (the pod Failed)" in s
    assert "CrashLoopBackOff" not in s


def test_restart_policy_never_completes_a_success(tmp_path):
    s = _diagnosis(tmp_path, policy="Never", command='["echo", "SUCCESS"]')
    assert "it ends Completed (the pod Succeeded)" in s


def test_pull_policy_always_pulls_before_every_restart(tmp_path):
    s = _diagnosis(tmp_path, pull="Always")
    assert "imagePullPolicy Always pulls the image again before every restart" in s


def test_pull_policy_if_not_present_reuses_the_image(tmp_path):
    s = _diagnosis(tmp_path, pull="IfNotPresent")
    assert "imagePullPolicy IfNotPresent pulls the image at most once and reuses it on every restart" in s


def test_pull_policy_defaults_to_always_for_latest(tmp_path):
    s = _diagnosis(tmp_path, image="busybox:latest")
    assert "imagePullPolicy Always pulls the image again before every restart" in s


def test_long_running_command_predicts_no_exit(tmp_path):
    s = _diagnosis(tmp_path, command='["sh", "-c", "while true; do sleep 1; done"]')
    assert "nothing in the spec predicts an exit, so it keeps running" in s and "CrashLoopBackOff" not in s


def _foo(policy: str | None) -> str:
    return MANIFEST.replace("name: demo", "name: foo").format(
        policy=f"  restartPolicy: {policy}\n" if policy else "", pull="", image="busybox",
        command='["sh", "-c", "sleep 30; exit 3"]')


def test_the_simulate_hint_names_the_file_and_the_pod(tmp_path):
    """The hint is a command to copy: the file as the user named it (quoted for the shell), and the pod."""
    f = tmp_path / "my pod.yaml"
    f.write_text(_foo(None))
    p = pod(explain_json(f), "foo")
    hint = f"kubectl podlife simulate '{f}' --pod foo"
    assert f"see `{hint}` for the predicted timeline" in p["diagnosis"]["summary"]
    assert any(hint in n for n in p["notes"])
    assert "FILE" not in p["diagnosis"]["summary"]


def test_two_manifests_of_one_name_are_two_incarnations_in_explain_and_simulate(tmp_path):
    """Issue 15 item 2: an edited manifest applied again (Always, then Never) is a second pod, in file order;
    the same manifest shown twice stays one pod."""
    f = tmp_path / "pod3.yaml"
    f.write_text(_foo(None) + "---\n" + _foo("Never"))
    doc = explain_json(f)
    assert [(p["name"], p["incarnation"]) for p in doc["pods"]] == [("foo", 1), ("foo", 2)]
    assert "restartPolicy Always restarts it, into CrashLoopBackOff" in pod(doc, "foo", 1)["diagnosis"]["summary"]
    assert "restartPolicy Never does not restart it: it ends Error" in pod(doc, "foo", 2)["diagnosis"]["summary"]
    r = run_cli("simulate", str(f), "--for", "3m", "-o", "json")
    assert r.returncode == 0, r.stderr.decode()
    always, never = json.loads(r.stdout)["pods"]
    assert (always["incarnation"], never["incarnation"]) == (1, 2)
    assert always["restarts"] >= 2 and always["final_status"] == "CrashLoopBackOff"
    assert never["restarts"] == 0 and never["final_status"] == "Error"
    text = run_cli("simulate", str(f), "--for", "3m").stdout.decode()
    assert "Pod foo: CrashLoopBackOff" in text and "Pod foo (#2): Error, 0 restarts" in text

    same = tmp_path / "shown-twice.yaml"
    same.write_text(_foo(None) + "---\n" + _foo(None))
    assert [(p["name"], p["incarnation"]) for p in explain_json(same)["pods"]] == [("foo", 1)]
    assert len(json.loads(run_cli("simulate", str(same), "--for", "1m", "-o", "json").stdout)["pods"]) == 1
