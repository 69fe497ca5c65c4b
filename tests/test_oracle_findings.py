"""A deletion with a grace period other than the spec's 30 s, read from every place the input shows it,
and the other defects the kubectl oracle found (readiness in JSON streams, a Pending object, pulls of
several containers). These run without kubectl; tests/oracle checks the same against real kubectl."""

from __future__ import annotations

import copy
import json
import textwrap

from podlife_testkit import explain_json, pod

CREATED = "2026-11-20T10:00:00Z"


def _at(s: float) -> str:
    return f"2026-11-20T10:{int(s) // 60:02d}:{int(s) % 60:02d}Z"


def _checkout(ready: bool = True) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "checkout", "namespace": "shop", "uid": "6e5d4c3b-0000-4000-8000-000000000001",
                         "resourceVersion": "1", "creationTimestamp": CREATED},
            "spec": {"terminationGracePeriodSeconds": 30, "nodeName": "node1",
                     "containers": [{"name": "app", "image": "shop/checkout:2.4.1"}]},
            "status": {"phase": "Running", "startTime": _at(0),
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                       "lastTransitionTime": _at(1)}],
                       "containerStatuses": [{"name": "app", "image": "shop/checkout:2.4.1", "ready": ready,
                                              "restartCount": 0, "state": {"running": {"startedAt": _at(1)}}}]}}


def _stream(tmp_path, objs: list[dict]):
    for i, o in enumerate(objs):
        o["metadata"]["resourceVersion"] = str(i + 1)
    path = tmp_path / "watch.json"
    path.write_text("\n".join(json.dumps(o, indent=4) for o in objs) + "\n")
    return pod(explain_json(path), objs[0]["metadata"]["name"])


def _deleted_with_45s() -> list[dict]:
    running = _checkout()
    deleting = copy.deepcopy(running)
    deleting["metadata"].update(deletionTimestamp=_at(85), deletionGracePeriodSeconds=45)
    killed = copy.deepcopy(deleting)
    killed["status"]["phase"] = "Failed"
    killed["status"]["containerStatuses"][0].update(ready=False, state={"terminated": {
        "exitCode": 137, "reason": "Error", "startedAt": _at(1), "finishedAt": _at(85)}})
    gone = copy.deepcopy(killed)  # the kubelet's final delete: grace 0, deletionTimestamp back at the request
    gone["metadata"].update(deletionTimestamp=_at(40), deletionGracePeriodSeconds=0)
    return [running, deleting, killed, gone]


def test_a_45s_grace_period_and_the_sigkill_at_its_end_are_the_deletion(tmp_path):
    p = _stream(tmp_path, _deleted_with_45s())
    assert p["diagnosis"]["cause"] == "deleted"
    assert "45 s grace period" in p["diagnosis"]["summary"] and "exit 137 = SIGKILL" in p["diagnosis"]["summary"]
    assert p["final_status"] == "Error"  # printPod: a Failed pod being deleted shows its container's reason
    term = next(t for t in p["transitions"] if t["kind"] == "terminating")
    assert term["t"] == 40 and term["grace_period_seconds"] == 45
    exit_ = next(t for t in p["transitions"] if t["kind"] == "terminated")
    assert exit_["t"] == 85 and exit_["cause"] == "deleted"
    assert not any(t["cause"] == "error-exit" for t in p["transitions"])


def test_the_grace_period_from_the_rows_timing(tmp_path):
    path = tmp_path / "rows.txt"
    path.write_text(textwrap.dedent("""\
        NAME       READY   STATUS        RESTARTS   AGE
        checkout   1/1     Running       0          1s
        checkout   1/1     Terminating   0          40s
        checkout   0/1     Error         0          85s
        """))
    p = pod(explain_json(path), "checkout")
    assert p["diagnosis"]["cause"] == "deleted", p["diagnosis"]
    graces = {t["grace_period_seconds"] for t in p["transitions"] if t["cause"] == "deleted"}
    assert graces == {45}
    assert "SIGKILL" in p["diagnosis"]["summary"]


def test_a_pod_failed_before_its_deletion_keeps_its_failure(tmp_path):
    path = tmp_path / "rows.txt"
    path.write_text(textwrap.dedent("""\
        NAME    READY   STATUS        RESTARTS   AGE
        job-1   0/1     Running       0          1s
        job-1   0/1     Error         0          2s
        job-1   0/1     Terminating   0          15s
        """))
    assert pod(explain_json(path), "job-1")["diagnosis"]["cause"] == "error-exit"


def test_a_stopping_container_event_alone_means_terminating(tmp_path):
    path = tmp_path / "events.txt"
    path.write_text(textwrap.dedent("""\
        LAST SEEN   TYPE     REASON    OBJECT         MESSAGE
        40s         Normal   Started   pod/checkout   Started container app
        1s          Normal   Killing   pod/checkout   Stopping container app
        """))
    p = pod(explain_json(path), "checkout")
    assert p["final_status"] == "Terminating" and p["diagnosis"]["cause"] == "deleted"


def test_readiness_flips_in_a_json_watch_stream(tmp_path):
    objs = []
    for t, ready in ((1, False), (31, True), (61, False), (76, True)):
        o = _checkout(ready)
        o["status"]["conditions"][0]["lastTransitionTime"] = _at(t)
        o["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": 80}}
        objs.append(o)
    p = _stream(tmp_path, objs)
    flips = [(t["kind"], t["t"]) for t in p["transitions"] if t["kind"] in ("ready", "not-ready")]
    assert flips == [("ready", 31), ("not-ready", 61), ("ready", 76)]


def test_an_unschedulable_pod_object_is_not_a_false_all_clear(tmp_path):
    msg = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    o = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "trainer-0", "namespace": "ml", "uid": "8a7f6e5d-0000-4000-8000-000000000001",
                      "creationTimestamp": CREATED},
         "spec": {"containers": [{"name": "trainer", "image": "ml/trainer:0.9",
                                  "resources": {"requests": {"memory": "48Gi"}}}]},
         "status": {"phase": "Pending", "qosClass": "Burstable", "conditions": [
             {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": msg,
              "lastTransitionTime": CREATED}]}}
    p = _stream(tmp_path, [o])
    assert p["final_status"] == "Pending" and p["diagnosis"]["cause"] == "unschedulable"
    assert "Insufficient memory" in p["diagnosis"]["summary"] or "lack memory" in p["diagnosis"]["summary"]


def test_a_configmap_volume_name_in_describe_is_not_a_pod(tmp_path):
    path = tmp_path / "describe.txt"
    path.write_text(textwrap.dedent("""\
        Name:             web-6b8c7d9f5-zt7wq
        Namespace:        default
        Node:             node1/192.168.10.101
        Start Time:       Thu, 03 Dec 2026 16:41:21 +0000
        Status:           Pending
        Containers:
          web:
            Image:          nginx:1.25
            State:          Waiting
              Reason:       ContainerCreating
            Ready:          False
            Restart Count:  0
        Volumes:
          config:
            Type:      ConfigMap (a volume populated by a ConfigMap)
            Name:      web-settings
            Optional:  false
        QoS Class:     BestEffort
        Events:
          Type     Reason       Age               From     Message
          ----     ------       ----              ----     -------
          Warning  FailedMount  3s (x8 over 2m)   kubelet  MountVolume.SetUp failed for volume "config" : configmap "web-settings" not found
        """))
    doc = explain_json(path)
    assert [p["name"] for p in doc["pods"]] == ["web-6b8c7d9f5-zt7wq"]
    assert doc["pods"][0]["diagnosis"]["cause"] == "volume"


def test_pulls_belong_to_the_container_whose_image_they_name(tmp_path):
    path = tmp_path / "describe.txt"
    path.write_text(textwrap.dedent("""\
        Name:             cart
        Namespace:        shop
        Node:             node1/192.168.10.101
        Start Time:       Thu, 03 Dec 2026 16:41:21 +0000
        Status:           Pending
        Init Containers:
          fetch-config:
            Image:          busybox:1.36
            State:          Terminated
              Reason:       Completed
              Exit Code:    0
            Ready:          True
            Restart Count:  0
        Containers:
          cart:
            Image:          registry.example.com/shop/cart:9.9.9
            State:          Waiting
              Reason:       ImagePullBackOff
            Ready:          False
            Restart Count:  0
        Events:
          Type     Reason   Age               From     Message
          ----     ------   ----              ----     -------
          Normal   Pulling  40s               kubelet  Pulling image "busybox:1.36"
          Normal   Pulled   39s               kubelet  Successfully pulled image "busybox:1.36" in 1.4s
          Normal   Pulling  3s (x3 over 37s)  kubelet  Pulling image "registry.example.com/shop/cart:9.9.9"
          Warning  Failed   2s (x3 over 36s)  kubelet  Failed to pull image "registry.example.com/shop/cart:9.9.9": not found
          Warning  Failed   2s (x3 over 36s)  kubelet  Error: ErrImagePull
        """))
    p = pod(explain_json(path), "cart")
    assert p["diagnosis"]["cause"] == "image-pull" and p["diagnosis"]["container"] == "cart"
    owners = {(t["kind"], t["container"]) for t in p["transitions"] if t["kind"] in ("pulling", "pulled", "pull-failed")}
    assert ("pulled", "fetch-config") in owners and ("pull-failed", "cart") in owners
    assert ("pulling", "cart") in owners and ("pulling", "fetch-config") in owners


def test_the_exits_of_a_probe_kill_loop_are_the_kills_not_errors(tmp_path):
    """A `get -w -o json` stream holds no Killing events: each exit 137 before a liveness restart is still
    the kill's SIGKILL, not an application error (seed 001's story, from the live tests' script)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent / "live"))
    import live_scenarios

    objs = [o for r, _, o in live_scenarios.liveness_exec(until_backoff_restart=False) if r == "pods"]
    path = tmp_path / "watch.json"
    path.write_text("\n".join(json.dumps(o, indent=4) for o in objs) + "\n")
    p = pod(explain_json(path), "liveness-exec-pod")
    exits = [t for t in p["transitions"] if t["kind"] == "terminated"]
    assert len(exits) == 6 and {t["cause"] for t in exits} == {"liveness-probe"}
    assert "SIGKILL" in exits[0]["summary"]


def test_a_pre_1_31_server_prints_terminating_to_the_end(tmp_path):
    """Before 1.31 printPod shows Terminating even once the kubelet set Failed: READY falling to 0 is the stop."""
    path = tmp_path / "rows.txt"
    path.write_text(textwrap.dedent("""\
        NAME       READY   STATUS        RESTARTS   AGE
        checkout   1/1     Running       0          1s
        checkout   1/1     Terminating   0          40s
        checkout   0/1     Terminating   0          85s
        checkout   0/1     Terminating   0          85s
        """))
    p = pod(explain_json(path), "checkout")
    assert p["final_status"] == "Terminating" and p["diagnosis"]["cause"] == "deleted"
    assert "past its grace period" not in p["diagnosis"]["summary"]
    stop = next(t for t in p["transitions"] if t["kind"] == "not-ready")
    assert stop["cause"] == "deleted" and stop["grace_period_seconds"] == 45


def test_a_describe_current_state_comes_after_its_last_state(tmp_path):
    """describe's "now" is estimated from its ages; the current Waiting state is still after Last State's
    Finished, so the pod ends in CrashLoopBackOff, not in the exit before it."""
    path = tmp_path / "describe.txt"
    path.write_text(textwrap.dedent("""\
        Name:             myapp-pod
        Namespace:        default
        Node:             node1/192.168.10.101
        Start Time:       Thu, 03 Dec 2026 17:13:28 +0000
        Status:           Pending
        Init Containers:
          init-myservice:
            Image:          busybox:1.28
            State:          Waiting
              Reason:       CrashLoopBackOff
            Last State:     Terminated
              Reason:       Error
              Exit Code:    1
              Started:      Thu, 03 Dec 2026 17:14:02 +0000
              Finished:     Thu, 03 Dec 2026 17:14:03 +0000
            Ready:          False
            Restart Count:  3
        Containers:
          myapp-container:
            Image:          busybox:1.28
            State:          Waiting
              Reason:       PodInitializing
            Ready:          False
            Restart Count:  0
        Events:
          Type     Reason     Age                From               Message
          ----     ------     ----               ----               -------
          Normal   Scheduled  35s                default-scheduler  Successfully assigned default/myapp-pod to node1
          Warning  BackOff    1s (x3 over 23s)   kubelet            Back-off restarting failed container init-myservice in pod myapp-pod_default(4c3b2a1d)
        """))
    p = pod(explain_json(path), "myapp-pod")
    assert p["final_status"] == "Init:CrashLoopBackOff"


def test_an_active_deadline_stop_is_the_deadline_not_an_error_or_a_deletion(tmp_path):
    running = _checkout()
    running["spec"]["activeDeadlineSeconds"] = 30
    failed = copy.deepcopy(running)
    failed["status"].update(phase="Failed", reason="DeadlineExceeded",
                            message="Pod was active on the node longer than the specified deadline")
    failed["status"]["conditions"][0].update(status="False", lastTransitionTime=_at(30))
    failed["status"]["containerStatuses"][0]["ready"] = False
    stopped = copy.deepcopy(failed)
    stopped["status"]["containerStatuses"][0]["state"] = {"terminated": {
        "exitCode": 143, "reason": "Error", "startedAt": _at(1), "finishedAt": _at(31)}}
    p = _stream(tmp_path, [running, failed, stopped])
    assert p["diagnosis"]["cause"] == "deadline-exceeded"
    assert p["final_status"] == "Error"  # printPod: the container's exit reason after status.reason
    assert {t["cause"] for t in p["transitions"] if t["kind"] == "terminated"} == {"deadline-exceeded"}


def test_two_rows_a_second_apart_are_two_status_changes(tmp_path):
    path = tmp_path / "rows.txt"
    path.write_text(textwrap.dedent("""\
        NAME    READY   STATUS             RESTARTS   AGE
        batch   1/1     Running            0          1s
        batch   0/1     DeadlineExceeded   0          30s
        batch   0/1     Error              0          31s
        """))
    p = pod(explain_json(path), "batch")
    assert p["final_status"] == "Error" and p["diagnosis"]["cause"] == "deadline-exceeded"


def test_config_error_events_alone_are_not_restarts(tmp_path):
    path = tmp_path / "events.txt"
    path.write_text(textwrap.dedent("""\
        LAST SEEN          TYPE      REASON    OBJECT        MESSAGE
        1s (x6 over 62s)   Normal    Pulled    Pod/api-1     Container image "shop/api:3.1.0" already present on machine
        1s (x6 over 62s)   Warning   Failed    Pod/api-1     Error: configmap "api-env" not found
        """))
    p = pod(explain_json(path), "api-1")
    assert p["diagnosis"]["cause"] == "config-error" and p["restarts"] == 0
    assert p["final_status"] == "CreateContainerConfigError"


def test_a_start_error_instance_is_restarted_when_it_was_attempted(tmp_path):
    """StartError instances report Started at the epoch: each restart is the attempt at its finishedAt, and
    the back-off it waited is measured from the exit before it."""
    err = 'failed to create containerd task: exec: "/app/start.sh": no such file or directory: unknown'
    objs, last = [], None
    for n, t in enumerate((1, 2, 12, 32)):
        o = _checkout(False)
        term = {"terminated": {"exitCode": 128, "reason": "StartError", "message": err,
                               "startedAt": "1970-01-01T00:00:00Z", "finishedAt": _at(t)}}
        o["status"]["containerStatuses"][0].update(state=term, lastState=last or {}, restartCount=n)
        objs.append(o)
        if n:
            w = copy.deepcopy(o)
            w["status"]["containerStatuses"][0].update(
                state={"waiting": {"reason": "CrashLoopBackOff", "message": f"back-off {10 * 2 ** (n - 1)}s"}},
                lastState=term)
            objs.append(w)
        last = term
    p = _stream(tmp_path, objs)
    assert p["final_status"] == "CrashLoopBackOff" and p["diagnosis"]["cause"] == "cannot-run"
    restarts = [(t["restart_count"], t["t"]) for t in p["transitions"] if t["kind"] == "restart"]
    assert restarts == [(1, 2), (2, 12), (3, 32)]
    alarms = [t for t in p["transitions"] if (t["expected"] or {}).get("difference")]
    assert not alarms, [(t["t"], t["expected"]) for t in alarms]


def test_the_kubelets_own_stop_is_not_a_deletion(tmp_path):
    """An eviction's (or a deadline's) `Killing ... Stopping container` is the kubelet failing the pod."""
    path = tmp_path / "describe.txt"
    path.write_text(textwrap.dedent("""\
        Name:             cache
        Namespace:        shop
        Node:             node1/192.168.10.101
        Start Time:       Thu, 03 Dec 2026 16:41:21 +0000
        Status:           Failed
        Reason:           Evicted
        Message:          The node was low on resource: memory. Threshold quantity: 100Mi, available: 91284Ki.
        Containers:
          cache:
            Image:          shop/cache:5.0
            State:          Terminated
              Reason:       Error
              Exit Code:    137
              Started:      Thu, 03 Dec 2026 16:41:22 +0000
              Finished:     Thu, 03 Dec 2026 16:42:22 +0000
            Ready:          False
            Restart Count:  0
        Events:
          Type     Reason   Age   From     Message
          ----     ------   ----  ----     -------
          Warning  Evicted  10s   kubelet  The node was low on resource: memory. Threshold quantity: 100Mi, available: 91284Ki.
          Normal   Killing  10s   kubelet  Stopping container cache
        """))
    p = pod(explain_json(path), "cache")
    assert p["diagnosis"]["cause"] == "evicted"
    assert not any(t["cause"] == "deleted" for t in p["transitions"])


def test_an_object_deleted_by_the_taint_eviction_controller_is_node_lost(tmp_path):
    """No events: the object's DisruptionTarget DeletionByTaintManager says who deleted it, and why."""
    o = _checkout()
    o["status"]["conditions"] += [{"type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
                                   "message": "Taint manager: deleting due to NoExecute taint",
                                   "lastTransitionTime": _at(410)}]
    o["metadata"].update(deletionTimestamp=_at(440), deletionGracePeriodSeconds=30)
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(o))
    p = pod(explain_json(path), "checkout")
    assert p["final_status"] == "Terminating" and p["diagnosis"]["cause"] == "node-lost"
    assert "taint-eviction controller" in p["diagnosis"]["summary"]


def test_taint_eviction_events_alone_mean_terminating(tmp_path):
    path = tmp_path / "events.txt"
    path.write_text(textwrap.dedent("""\
        LAST SEEN   TYPE      REASON                 OBJECT         MESSAGE
        7m          Normal    Started                Pod/db-1       Started container db
        5m10s       Warning   NodeNotReady           Pod/db-1       Node is not ready
        10s         Normal    TaintManagerEviction   Pod/db-1       Marking for deletion Pod shop/db-1
        """))
    p = pod(explain_json(path), "db-1")
    assert p["final_status"] == "Terminating" and p["diagnosis"]["cause"] == "node-lost"


def test_post_start_hook_error_rows_are_the_hooks_restarts(tmp_path):
    """STATUS PostStartHookError is the kubelet's waiting reason after a failed PostStart hook killed it."""
    path = tmp_path / "rows.txt"
    path.write_text(textwrap.dedent("""\
        NAME   READY   STATUS               RESTARTS     AGE
        web    0/1     ContainerCreating    0            0s
        web    0/1     PostStartHookError   0            2s
        web    0/1     PostStartHookError   1 (0s ago)   3s
        web    0/1     CrashLoopBackOff     1 (1s ago)   4s
        """))
    p = pod(explain_json(path), "web")
    assert p["final_status"] == "CrashLoopBackOff" and p["diagnosis"]["cause"] == "post-start-hook"


def test_a_zero_grace_delete_of_a_running_pod_is_a_forced_deletion(tmp_path):
    """`--grace-period=0 --force`: the DELETED object still Running with deletionGracePeriodSeconds 0 is the
    request itself, not the kubelet's confirmation after a graceful stop (that one follows a finished pod)."""
    running = _checkout()
    gone = copy.deepcopy(running)
    gone["metadata"].update(deletionTimestamp=_at(40), deletionGracePeriodSeconds=0)
    p = _stream(tmp_path, [running, gone])
    assert p["diagnosis"]["cause"] == "deleted" and "Force-deleted" in p["diagnosis"]["summary"]
    assert [t["grace_period_seconds"] for t in p["transitions"] if t["kind"] == "terminating"] == [0]
