"""The lifecycle model on small, hand-written inputs: one rule or wording variant per test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kubectl_podlife.ingest import read_text
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.model import build_timeline, rules
from kubectl_podlife.model.facts import classify
from kubectl_podlife.observation import EVENT, Observation, PodKey


def explain(text: str):
    r = read_text(textwrap.dedent(text).strip("\n") + "\n", "t.txt")
    return build_timeline(anchor(r.observations))


def ev(reason: str, message: str, container: str | None = None) -> Observation:
    return Observation(kind=EVENT, pod=PodKey("p"), origin="t:1", raw=message, container=container,
                       data={"reason": reason, "message": message, "count": 1})


@pytest.mark.parametrize("reason,message,what,kill,container", [
    ("Killing", "Container web failed liveness probe, will be restarted", "killing", "liveness", "web"),
    ("Killing", "Container web failed liveness probe, will be killed and re-created", "killing", "liveness", "web"),
    ("Killing", 'Killing container with docker id a63873af72e2: pod "x_default(1)" container "web" is unhealthy, '
                "it will be killed and re-created.", "killing", "liveness", "web"),
    ("Killing", "Killing container with id docker://web:Container failed liveness probe.. Container will be killed "
                "and recreated.", "killing", "liveness", "web"),
    ("Killing", "Container web failed startup probe, will be restarted", "killing", "startup", "web"),
    ("Killing", "Stopping container web", "killing", "stop", "web"),
    ("Killing", "Killing 0b7743acd1a5f54aeccf", "killing", "unknown", None),
    ("Created", "Created container web", "created", None, "web"),
    ("Created", "Created container: web", "created", None, "web"),
    ("Started", "Container started", "started", None, None),
    ("BackOff", "Back-off restarting failed container", "back-off", None, None),
    ("BackOff", "Back-off restarting failed container web in pod x_default(1)", "back-off", None, "web"),
    ("BackOff", 'Back-off pulling image "nginx:bad"', "pull-backoff", None, None),
    ("Failed", 'Failed to pull image "nginx:bad": not found', "pull-failed", None, None),
    ("Failed", "Error: ImagePullBackOff", "pull-backoff", None, None),
    ("Failed", 'Error: configmap "app" not found (CreateContainerConfigError)', "config-error", None, None),
    ("FailedSync", 'Error syncing pod, skipping: failed to "StartContainer" for "reg" with CrashLoopBackOff: '
                   '"Back-off 2m40s restarting failed container=reg pod=x_default(1)"', "back-off", None, "reg"),
    ("FailedPostStartHook", "", "hook-failed", None, None),
    ("Unhealthy", "Liveness probe failed: ", "probe-failed", None, None),
    ("Unhealthy", "Readiness probe errored: rpc error", "probe-errored", None, None),
    ("Unhealthy", "Startup probe errored and resulted in unknown state: boom", "probe-errored", None, None),
])
def test_event_wordings_across_versions(reason, message, what, kill, container):
    f = classify(ev(reason, message))
    assert f.what == what
    assert f.kill_reason == kill
    assert f.container == container


def test_backoff_back_off_delay_from_failedsync():
    f = classify(ev("FailedSync", 'failed to "StartContainer" for "reg" with CrashLoopBackOff: "Back-off 2m40s '
                                  'restarting failed container=reg pod=x_default(1)"'))
    assert f.delay == 160


@pytest.mark.parametrize("message,handler", [
    ("HTTP probe failed with statuscode: 404", "httpGet"),
    ('Get "http://10.244.1.7:8080/healthz": dial tcp 10.244.1.7:8080: connect: connection refused', "httpGet"),
    ("dial tcp 10.244.0.5:8080: connect: connection refused", "tcpSocket"),
    ("", "exec"),
    ("cat: can't open '/tmp/healthy': No such file or directory", "exec"),
    ('service unhealthy (responded with "NOT_SERVING")', "grpc"),
    ("something else entirely", "unknown"),
])
def test_handler_from_message(message, handler):
    assert rules.handler_from_message(message)[0] == handler


def test_rules_constants_and_sequences():
    assert rules.backoff_delays(8) == [10, 20, 40, 80, 160, 300, 300, 300]
    assert rules.probe_settings({"periodSeconds": 0, "failureThreshold": 0}) == {
        "initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
        "failureThreshold": 3}
    # k8s-lifecycle.md 3.5: 30 s grace + onset 3 s + 3 failures at 3 s = 42 s at most.
    assert rules.liveness_cycle(3, 3, 3, 30, 1) == (39, 42)
    assert rules.grace_for_kill({}, {"livenessProbe": {"terminationGracePeriodSeconds": 5}}, "liveness") == (
        5, "the probe's terminationGracePeriodSeconds")
    assert rules.grace_for_kill({"terminationGracePeriodSeconds": 60}, {}, "liveness")[0] == 60
    assert rules.grace_for_kill({}, {}, None)[0] == 30
    beh = rules.command_behaviour({"image": "busybox", "command": ["/bin/sh", "-c",
                                                                   "touch /tmp/healthy; sleep 3; rm -f /tmp/healthy"
                                                                   "; sleep 3600"]})
    assert beh.removes == {"/tmp/healthy": 3} and beh.pid1_ignores_sigterm is True and beh.exits_after is None
    beh = rules.command_behaviour({"image": "busybox", "args": ["/bin/sh", "-c", "sleep 30; exit 3"]})
    assert (beh.exits_after, beh.exit_code) == (30, 3)
    assert rules.command_behaviour({"image": "busybox"}).exits_after == 0  # sh without a terminal exits at once
    assert rules.command_behaviour({"image": "nginx:1.27"}).pid1_ignores_sigterm is False


@pytest.mark.parametrize("statuses,inits,expected", [
    ([{"state": {"status": "waiting", "reason": "CrashLoopBackOff"}}], [], "CrashLoopBackOff"),
    ([{"state": {"status": "terminated", "reason": "OOMKilled", "exit_code": 137}}], [], "OOMKilled"),
    ([{"state": {"status": "terminated", "exit_code": 2}}], [], "ExitCode:2"),
    ([{"state": {"status": "waiting", "reason": "PodInitializing"}}],
     [{"state": {"status": "terminated", "exit_code": 0}}, {"state": {"status": "running"}}], "Init:1/2"),
    ([{"state": {"status": "waiting", "reason": "PodInitializing"}}],
     [{"state": {"status": "waiting", "reason": "CrashLoopBackOff"}}], "Init:CrashLoopBackOff"),
    ([{"state": {"status": "terminated", "reason": "Completed", "exit_code": 0}}, {"state": {"status": "running"}}],
     [], "NotReady"),
])
def test_kubectl_status_like_printpod(statuses, inits, expected):
    assert rules.pod_status("Running", inits, statuses) == expected


def test_terminating_only_while_the_phase_is_not_terminal():
    done = [{"state": {"status": "terminated", "reason": "Error", "exit_code": 1}}]
    assert rules.pod_status("Running", [], [{"state": {"status": "running"}}], terminating=True) == "Terminating"
    assert rules.pod_status("Failed", [], done, terminating=True) == "Error"


def test_oom_versus_liveness_versus_plain_137():
    oom = explain("""
        Name: a
        Namespace: default
        Containers:
          app:
            State: Running
              Started: Mon, 13 Nov 2023 03:50:57 +0100
            Last State: Terminated
              Reason: OOMKilled
              Exit Code: 137
              Started: Mon, 13 Nov 2023 03:48:52 +0100
              Finished: Mon, 13 Nov 2023 03:50:55 +0100
            Restart Count: 1
    """).pods[0]
    assert oom.diagnosis.cause == "oom-killed"
    plain = explain("""
        Name: b
        Namespace: default
        Containers:
          app:
            State: Running
              Started: Mon, 13 Nov 2023 03:50:57 +0100
            Last State: Terminated
              Reason: Error
              Exit Code: 137
              Started: Mon, 13 Nov 2023 03:48:52 +0100
              Finished: Mon, 13 Nov 2023 03:50:55 +0100
            Restart Count: 1
    """).pods[0]
    assert plain.diagnosis.cause == "error-exit" and "SIGKILL" in plain.diagnosis.summary
    probe = explain("""
        Name: c
        Namespace: default
        Containers:
          app:
            State: Running
              Started: Mon, 13 Nov 2023 03:49:40 +0100
            Last State: Terminated
              Reason: Error
              Exit Code: 137
              Started: Mon, 13 Nov 2023 03:48:52 +0100
              Finished: Mon, 13 Nov 2023 03:49:39 +0100
            Restart Count: 1
            Liveness: exec [cat /tmp/ok] delay=5s timeout=1s period=5s #success=1 #failure=3
    """).pods[0]
    # 47 s = probes failing from the start (5..10 s) + 2 more periods + a 30 s grace SIGTERM did not shorten.
    assert probe.diagnosis.cause == "liveness-probe"
    assert probe.diagnosis.confidence == "inferred"


def test_readiness_failures_never_restart():
    p = explain("""
        Events:
          Type     Reason     Age                From     Message
          ----     ------     ----               ----     -------
          Normal   Scheduled  5m                 default-scheduler  Successfully assigned default/db-0 to n1
          Normal   Started    5m                 kubelet  Started container db
          Warning  Unhealthy  10s (x20 over 4m)  kubelet  Readiness probe failed: HTTP probe failed with statuscode: 500
    """).pods[0]
    assert p.diagnosis.cause == "readiness-probe" and p.restarts == 0
    assert "never restart" in p.diagnosis.summary
    fail = next(t for t in p.transitions if t.kind == "probe-failed")
    assert fail.probe.handler == "httpGet" and fail.probe.failures_seen == 20


def test_image_pull_back_off_and_config_error():
    p = explain("""
        Events:
          Type     Reason     Age                From               Message
          ----     ------     ----               ----               -------
          Normal   Scheduled  40s                default-scheduler  Successfully assigned default/web to n1
          Normal   Pulling    12s (x3 over 39s)  kubelet            Pulling image "nginx:nope"
          Warning  Failed     11s (x3 over 38s)  kubelet            Failed to pull image "nginx:nope": rpc error: code = NotFound desc = manifest unknown
          Warning  Failed     11s (x3 over 38s)  kubelet            Error: ErrImagePull
          Normal   BackOff    1s (x4 over 37s)   kubelet            Back-off pulling image "nginx:nope"
          Warning  Failed     1s (x4 over 37s)   kubelet            Error: ImagePullBackOff
    """).pods[0]
    assert p.diagnosis.cause == "image-pull"
    fail = next(t for t in p.transitions if t.kind == "pull-failed")
    assert any("no such image or tag" in d for d in fail.detail)
    cfg = explain("""
        NAME   READY   STATUS                       RESTARTS   AGE
        api    0/1     CreateContainerConfigError   0          12s
    """).pods[0]
    assert cfg.diagnosis.cause == "config-error"


def test_post_start_hook_and_prestop():
    p = explain("""
        Events:
          FirstSeen  LastSeen  Count  From              SubObjectPath          Type      Reason               Message
          ---------  --------  -----  ----              -------------          --------  ------               -------
          1m         1m        1      {default-scheduler }                     Normal    Scheduled            Successfully assigned web-1 to n1
          38s        38s       1      {kubelet n1}      spec.containers{main}  Normal    Killing              Killing container with docker id 5c6a: PostStart handler: Error executing in Docker Container: 1
          38s        37s       2      {kubelet n1}                             Warning   FailedSync           Error syncing pod, skipping: failed to "StartContainer" for "main" with RunContainerError: "PostStart handler: Error executing in Docker Container: 1"
    """).pods[0]
    assert p.diagnosis.cause == "post-start-hook" and p.diagnosis.container == "main"


def test_deletion_grace_and_terminating():
    p = explain("""
        NAME    READY   STATUS        RESTARTS   AGE
        web-1   1/1     Running       0          5m
        web-1   1/1     Terminating   0          6m
    """).pods[0]
    assert p.diagnosis.cause == "deleted" and p.final_status == "Terminating"
    term = next(t for t in p.transitions if t.kind == "terminating")
    assert term.grace_period_seconds == 30
    assert any("default 30 s" in m for m in term.missing)


def test_restart_policy_on_failure_and_never_are_named():
    p = explain("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: job-1
        spec:
          restartPolicy: Never
          containers:
          - name: work
            image: busybox:1.36
            command: ["sh", "-c", "sleep 5; exit 1"]
        ---
        NAME    READY   STATUS    RESTARTS   AGE
        job-1   1/1     Running   0          1s
        job-1   0/1     Error     0          7s
    """).pods[0]
    assert p.diagnosis.cause == "error-exit"
    assert "restartPolicy Never" in p.diagnosis.summary
    t = next(t for t in p.transitions if t.kind == "terminated")
    assert t.expected.difference == 0  # started at 1 s + `sleep 5` -> exit at 6..7 s


def test_timeline_json_contract_shape():
    p = explain("""
        NAME    READY   STATUS    RESTARTS     AGE
        web-1   1/1     Running   0            5s
        web-1   1/1     Running   1 (0s ago)   47s
    """)
    doc = p.to_json()
    pod = doc["pods"][0]
    assert set(pod) >= {"namespace", "name", "restarts", "final_status", "diagnosis", "transitions"}
    assert pod["namespace"] == "default"
    assert set(pod["diagnosis"]) >= {"cause", "container", "probe", "summary"}
    t = pod["transitions"][-1]
    assert set(t) >= {"t", "t_range", "time", "container", "kind", "from", "to", "restart_count", "cause", "probe",
                      "grace_period_seconds", "backoff_seconds", "expected", "confidence", "summary", "detail",
                      "evidence"}
    assert t["kind"] == "restart" and t["t"] == 47.0 and t["t_range"] == [46.0, 48.0]
    assert t["evidence"] == [{"origin": "t.txt:3", "text": "web-1   1/1     Running   1 (0s ago)   47s"}]


def test_phase_and_conditions_follow_kubectl_rows():
    p = explain("""
        NAME     READY   STATUS     RESTARTS   AGE
        app-1    0/1     Init:0/1   0          1s
        app-1    0/1     PodInitializing   0   20s
        app-1    1/1     Running    0          22s
    """).pods[0]
    states = [(t.view.status, t.view.phase, dict(t.view.conditions)["Initialized"], dict(t.view.conditions)["Ready"])
              for t in p.transitions]
    assert states[0] == ("Init:0/1", "Pending", "False", "False")
    assert states[-1] == ("Running", "Running", "True", "True")


def test_back_off_resets_after_ten_minutes_of_running():
    p = explain("""
        NAME    READY   STATUS    RESTARTS      AGE
        web-1   1/1     Running   0             5s
        web-1   0/1     Error     0             30m
        web-1   1/1     Running   1 (1s ago)    30m
        web-1   0/1     Error     1 (0s ago)    45m
        web-1   1/1     Running   2 (0s ago)    45m
    """).pods[0]
    r2 = [t for t in p.transitions if t.kind == "restart"][-1]
    assert r2.backoff_seconds is None
    assert any("Back-off reset" in d for d in r2.detail)


def test_kubectl_events_top_level_command_layout():
    p = explain("""
        $ kubectl events --for pod/web-1
        LAST SEEN          TYPE      REASON      OBJECT      MESSAGE
        30s                Normal    Scheduled   Pod/web-1   Successfully assigned default/web-1 to n1
        5s (x3 over 25s)   Warning   Unhealthy   Pod/web-1   Liveness probe failed: HTTP probe failed with statuscode: 503
        5s                 Normal    Killing     Pod/web-1   Container web failed liveness probe, will be restarted
    """).pods[0]
    assert p.name == "web-1"
    fail = next(t for t in p.transitions if t.kind == "probe-failed")
    assert fail.probe.handler == "httpGet" and fail.probe.failures_seen == 3
    kill = next(t for t in p.transitions if t.kind == "killing")
    assert kill.cause == "liveness-probe" and kill.t == 25.0


INIT_CRASH = (Path(__file__).parent / "data" / "init-crashloop.txt").read_text()


def test_failing_init_container_holds_the_pod():
    p = explain(INIT_CRASH).pods[0]
    assert p.diagnosis.cause == "init-container" and p.diagnosis.container == "migrate"
    assert "exit code 1" in p.diagnosis.summary and p.final_status == "Init:CrashLoopBackOff"
    assert p.restarts == 4
    # The row's RESTARTS and back-off are the init container's, not the app container's.
    assert {t.container for t in p.transitions if t.kind in ("restart", "back-off")} == {"migrate"}
    assert len([t for t in p.transitions if t.kind == "back-off"]) == 1
    restart = next(t for t in p.transitions if t.kind == "restart")
    assert restart.t == 145.0 and restart.confidence == "inferred"  # restart 4 started the instance shown


def test_eviction_is_the_diagnosis_and_describe_is_anchored_on_the_get_before_it():
    p = explain((Path(__file__).parent / "data" / "evicted.txt").read_text()).pods[0]
    assert p.diagnosis.cause == "evicted" and "low on resource: memory" in p.diagnosis.summary
    assert p.final_status == "Evicted"
    kill = next(t for t in p.transitions if t.kind == "killing")
    assert kill.cause == "evicted"
    # Events 12 minutes old on a 2-day-old pod: placed near 2 days, not at the pod's start.
    assert kill.t > 47 * 3600
    unknown = next(t for t in p.transitions if t.kind == "terminated")
    assert "ContainerStatusUnknown" in unknown.summary


def test_missing_configmap_is_a_config_error_naming_it():
    p = explain((Path(__file__).parent / "data" / "config-error.txt").read_text()).pods[0]
    assert p.diagnosis.cause == "config-error" and p.final_status == "CreateContainerConfigError"
    assert 'configmap "api-config" not found' in p.diagnosis.summary


_PROBED = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: registry.example/app:v1
    ports:
    - name: http
      containerPort: 8080
{probes}
$ kubectl get pods -w
NAME   READY   STATUS    RESTARTS   AGE
web    0/1     Running   0          20s
web    1/1     Running   0          40s
web    0/1     Running   1          4m15s
web    1/1     Running   1          4m30s
"""

_LIVENESS = """\
    livenessProbe:
      httpGet:
        path: /healthz
        port: http
      periodSeconds: 5
"""

_STARTUP = """\
    startupProbe:
      httpGet:
        path: /started
        port: http
      periodSeconds: 10
      failureThreshold: 30
"""


def _restart_of(text: str):
    p = next(p for p in explain(text).pods if p.name == "web")
    return p, next(t for t in p.transitions if t.kind == "restart")


def test_only_restarting_probe_inference_needs_exactly_one_restarting_probe():
    """Issue 15: with liveness alone, a restart the input does not explain is put on it as inferred; with
    liveness and startup both able to restart the container, the input cannot say which, so neither is named."""
    one, r1 = _restart_of(_PROBED.format(probes=_LIVENESS.rstrip("\n")))
    assert r1.cause == "liveness-probe" and r1.confidence == "inferred" and "most likely" in r1.summary
    two, r2 = _restart_of(_PROBED.format(probes=(_LIVENESS + _STARTUP).rstrip("\n")))
    assert r2.cause not in ("liveness-probe", "startup-probe")
    assert "most likely" not in r2.summary and "the only probe" not in r2.summary
    assert "the input does not show why" in r2.summary
    assert "most likely" not in two.diagnosis.summary and two.diagnosis.cause not in ("liveness-probe", "startup-probe")
