"""Kubernetes API objects (as kubectl -o json / -o yaml prints them, and as the watch API sends them)
-> observations."""

from __future__ import annotations

import copy
import json

import pytest

from kubectl_podlife.ingest.objectfiles import decode_json_stream, decode_yaml_objects
from kubectl_podlife.ingest.objects import deleted_mark, event_observation, pod_observations
from kubectl_podlife.observation import (CLOCK_ABS, CLOCK_NONE, CONTAINER, EVENT, MARK, POD, SPEC, Observation,
                                         PodKey)

UID = "5b0e7c7e-2f0c-4c1e-9a55-6f0f1f3a9c11"

# `kubectl get pod liveness-exec-pod -o json` after the 2nd liveness kill: running again, lastState Error 137.
CRASHLOOP_POD = json.loads(r"""
{
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n"
        },
        "creationTimestamp": "2023-03-19T09:45:00Z",
        "name": "liveness-exec-pod",
        "namespace": "default",
        "resourceVersion": "482113",
        "uid": "5b0e7c7e-2f0c-4c1e-9a55-6f0f1f3a9c11"
    },
    "spec": {
        "containers": [
            {
                "command": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 3; rm -rf /tmp/healthy;sleep 3600"],
                "image": "busybox",
                "imagePullPolicy": "IfNotPresent",
                "livenessProbe": {
                    "exec": {"command": ["test", "-e", "/tmp/healthy"]},
                    "failureThreshold": 3,
                    "initialDelaySeconds": 1,
                    "periodSeconds": 3,
                    "successThreshold": 1,
                    "timeoutSeconds": 1
                },
                "name": "liveness-exec-container",
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File"
            }
        ],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": true,
        "nodeName": "node1",
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30
    },
    "status": {
        "conditions": [
            {"lastProbeTime": null, "lastTransitionTime": "2023-03-19T09:45:01Z", "status": "True",
             "type": "PodReadyToStartContainers"},
            {"lastProbeTime": null, "lastTransitionTime": "2023-03-19T09:45:00Z", "status": "True",
             "type": "Initialized"},
            {"lastProbeTime": null, "lastTransitionTime": "2023-03-19T09:45:01Z", "status": "True",
             "type": "Ready"},
            {"lastProbeTime": null, "lastTransitionTime": "2023-03-19T09:45:01Z", "status": "True",
             "type": "ContainersReady"},
            {"lastProbeTime": null, "lastTransitionTime": "2023-03-19T09:45:00Z", "status": "True",
             "type": "PodScheduled"}
        ],
        "containerStatuses": [
            {
                "containerID": "containerd://1f2e3d4c5b6a",
                "image": "docker.io/library/busybox:latest",
                "imageID": "docker.io/library/busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79",
                "lastState": {
                    "terminated": {
                        "containerID": "containerd://0a9b8c7d6e5f",
                        "exitCode": 137,
                        "finishedAt": "2023-03-19T09:46:25Z",
                        "reason": "Error",
                        "startedAt": "2023-03-19T09:45:43Z"
                    }
                },
                "name": "liveness-exec-container",
                "ready": true,
                "restartCount": 2,
                "started": true,
                "state": {"running": {"startedAt": "2023-03-19T09:46:25Z"}}
            }
        ],
        "hostIP": "192.168.10.101",
        "phase": "Running",
        "podIP": "10.244.3.90",
        "podIPs": [{"ip": "10.244.3.90"}],
        "qosClass": "BestEffort",
        "startTime": "2023-03-19T09:45:00Z"
    }
}
""")


def oom_pod() -> dict:
    """A memory-hog pod in CrashLoopBackOff after an OOM kill (waiting state, lastState OOMKilled)."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "memory-demo-2", "namespace": "mem-example", "uid": "0c4e2d1a-oom",
                     "resourceVersion": "91234", "creationTimestamp": "2024-05-02T10:00:00Z"},
        "spec": {"containers": [{"name": "memory-demo-2-ctr", "image": "polinux/stress",
                                 "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
                                 "resources": {"limits": {"memory": "100Mi"}, "requests": {"memory": "50Mi"}}}],
                 "nodeName": "kind-worker", "restartPolicy": "Always", "terminationGracePeriodSeconds": 30},
        "status": {
            "phase": "Running", "qosClass": "Burstable", "podIP": "10.244.1.7", "startTime": "2024-05-02T10:00:00Z",
            "conditions": [
                {"type": "Initialized", "status": "True", "lastTransitionTime": "2024-05-02T10:00:00Z"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                 "message": "containers with unready status: [memory-demo-2-ctr]",
                 "lastTransitionTime": "2024-05-02T10:00:41Z"},
                {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady",
                 "message": "containers with unready status: [memory-demo-2-ctr]",
                 "lastTransitionTime": "2024-05-02T10:00:41Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-05-02T10:00:00Z"}],
            "containerStatuses": [{
                "name": "memory-demo-2-ctr", "ready": False, "started": False, "restartCount": 3,
                "image": "docker.io/polinux/stress:latest", "imageID": "docker.io/polinux/stress@sha256:b615",
                "containerID": "containerd://9f9f",
                "state": {"waiting": {"reason": "CrashLoopBackOff",
                                      "message": "back-off 40s restarting failed container=memory-demo-2-ctr "
                                                 "pod=memory-demo-2_mem-example(0c4e2d1a-oom)"}},
                "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                             "startedAt": "2024-05-02T10:00:39Z",
                                             "finishedAt": "2024-05-02T10:00:41Z",
                                             "containerID": "containerd://9f9f"}}}]}}


def init_pod() -> dict:
    """`myapp-pod` from the init-containers docs, waiting on its first init container, plus a sidecar."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "myapp-pod", "namespace": "default", "uid": "init-uid-1", "resourceVersion": "700",
                     "creationTimestamp": "2024-01-10T08:00:00Z", "labels": {"app.kubernetes.io/name": "MyApp"}},
        "spec": {
            "initContainers": [
                {"name": "log-shipper", "image": "alpine:latest", "restartPolicy": "Always",
                 "command": ["sh", "-c", "tail -F /opt/logs.txt"]},
                {"name": "init-myservice", "image": "busybox:1.28",
                 "command": ["sh", "-c", "until nslookup myservice; do echo waiting; sleep 2; done"]}],
            "containers": [{"name": "myapp-container", "image": "busybox:1.28",
                            "command": ["sh", "-c", "echo The app is running! && sleep 3600"]}],
            "nodeName": "node1"},
        "status": {
            "phase": "Pending", "startTime": "2024-01-10T08:00:00Z",
            "conditions": [
                {"type": "Initialized", "status": "False", "reason": "ContainersNotInitialized",
                 "message": "containers with incomplete status: [init-myservice]",
                 "lastTransitionTime": "2024-01-10T08:00:00Z"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                 "message": "containers with unready status: [myapp-container]",
                 "lastTransitionTime": "2024-01-10T08:00:00Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-01-10T08:00:00Z"}],
            "initContainerStatuses": [
                {"name": "log-shipper", "ready": True, "started": True, "restartCount": 0, "image": "alpine:latest",
                 "imageID": "", "state": {"running": {"startedAt": "2024-01-10T08:00:03Z"}}},
                {"name": "init-myservice", "ready": False, "started": True, "restartCount": 0,
                 "image": "busybox:1.28", "imageID": "docker.io/library/busybox@sha256:141c",
                 "state": {"running": {"startedAt": "2024-01-10T08:00:05Z"}}}],
            "containerStatuses": [
                {"name": "myapp-container", "ready": False, "started": False, "restartCount": 0,
                 "image": "busybox:1.28", "imageID": "", "state": {"waiting": {"reason": "PodInitializing"}}}]}}


# --- pod_observations -------------------------------------------------------------------------

def test_crashlooping_pod_becomes_spec_pod_and_container_observations():
    obs = pod_observations(CRASHLOOP_POD, "api:pods/rv=482113", seq_start=10, arrival="2023-03-19T09:46:26.5Z")
    assert [o.kind for o in obs] == [SPEC, POD, CONTAINER]
    assert [o.seq for o in obs] == [10, 11, 12]
    key = PodKey("liveness-exec-pod", "default", UID)
    assert all(o.pod == key for o in obs)
    assert all(o.origin == "api:pods/rv=482113" for o in obs)
    assert all(o.data["arrival"] == "2023-03-19T09:46:26.5Z" for o in obs)

    spec = obs[0]
    assert spec.data["source"] == "api" and spec.data["object_kind"] == "Pod"
    assert spec.data["object_name"] == "liveness-exec-pod"
    assert spec.data["spec"]["containers"][0]["livenessProbe"]["periodSeconds"] == 3
    assert spec.clock == CLOCK_NONE

    pod = obs[1]
    d = pod.data
    assert d["phase"] == "Running" and d["node"] == "node1" and d["ip"] == "10.244.3.90"
    assert d["qos"] == "BestEffort" and d["creation_time"] == "2023-03-19T09:45:00Z"
    assert d["start_time"] == "2023-03-19T09:45:00Z" and d["termination_grace_seconds"] == 30
    assert d["terminating"] is False and "deletion_time" not in d
    assert d["conditions"]["Ready"] == {"status": "True", "time": "2023-03-19T09:45:01Z"}
    assert set(d["conditions"]) == {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                    "PodScheduled"}
    # newest condition transition
    assert pod.time == "2023-03-19T09:45:01Z" and pod.clock == CLOCK_ABS

    c = obs[2]
    assert c.container == "liveness-exec-container"
    assert c.data["init"] is False and c.data["sidecar"] is False
    assert c.data["state"] == {"status": "running", "started_at": "2023-03-19T09:46:25Z"}
    assert c.data["last_state"] == {"status": "terminated", "reason": "Error", "exit_code": 137,
                                    "started_at": "2023-03-19T09:45:43Z", "finished_at": "2023-03-19T09:46:25Z"}
    assert c.data["restart_count"] == 2 and c.data["ready"] is True and c.data["started"] is True
    assert c.data["image"] == "docker.io/library/busybox:latest"
    assert c.data["image_id"].startswith("docker.io/library/busybox@sha256:")
    assert c.data["container_id"] == "containerd://1f2e3d4c5b6a"
    assert c.time == "2023-03-19T09:46:25Z" and c.clock == CLOCK_ABS


def test_raw_is_one_compact_json_line_not_the_object():
    for o in pod_observations(CRASHLOOP_POD, "x:1"):
        assert "\n" not in o.raw
        summary = json.loads(o.raw)
        assert isinstance(summary, dict)
        assert len(o.raw) < 400
    c = pod_observations(CRASHLOOP_POD, "x:1")[2]
    assert json.loads(c.raw)["lastState"] == "terminated Error 137"


def test_observations_are_json_serializable_and_round_trip():
    for o in pod_observations(CRASHLOOP_POD, "x:1", arrival="2023-03-19T09:46:26Z"):
        again = Observation.from_json(json.loads(json.dumps(o.to_json())))
        assert again == o


def test_oomkilled_waiting_in_backoff():
    obs = pod_observations(oom_pod(), "f.json:1")
    c = [o for o in obs if o.kind == CONTAINER][0]
    assert c.data["state"]["status"] == "waiting" and c.data["state"]["reason"] == "CrashLoopBackOff"
    assert c.data["state"]["message"].startswith("back-off 40s restarting failed container=memory-demo-2-ctr")
    assert c.data["last_state"]["reason"] == "OOMKilled" and c.data["last_state"]["exit_code"] == 137
    assert c.data["ready"] is False and c.data["restart_count"] == 3
    # no running start: the newest fact is the OOM kill's finishedAt
    assert c.time == "2024-05-02T10:00:41Z"
    pod = [o for o in obs if o.kind == POD][0]
    assert pod.data["conditions"]["Ready"]["reason"] == "ContainersNotReady"
    assert pod.data["conditions"]["Ready"]["message"] == "containers with unready status: [memory-demo-2-ctr]"
    assert pod.data["qos"] == "Burstable"


def test_init_containers_and_sidecar():
    obs = pod_observations(init_pod(), "f.json:1")
    cs = {o.container: o for o in obs if o.kind == CONTAINER}
    assert list(cs) == ["log-shipper", "init-myservice", "myapp-container"]
    assert cs["log-shipper"].data["init"] is True and cs["log-shipper"].data["sidecar"] is True
    assert cs["init-myservice"].data["init"] is True and cs["init-myservice"].data["sidecar"] is False
    assert cs["myapp-container"].data["init"] is False
    assert "image_id" not in cs["log-shipper"].data  # empty imageID is "not shown"
    assert cs["myapp-container"].data["state"] == {"status": "waiting", "reason": "PodInitializing"}
    # no timestamp on a waiting container: the pod's newest fact stands in
    assert cs["myapp-container"].time == "2024-01-10T08:00:00Z"
    assert cs["init-myservice"].time == "2024-01-10T08:00:05Z"
    pod = [o for o in obs if o.kind == POD][0]
    assert pod.data["phase"] == "Pending"
    assert pod.data["conditions"]["Initialized"]["message"] == "containers with incomplete status: [init-myservice]"


def test_ephemeral_container_and_terminating_pod():
    pod = copy.deepcopy(CRASHLOOP_POD)
    pod["metadata"]["deletionTimestamp"] = "2023-03-19T09:47:30Z"
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    pod["status"]["ephemeralContainerStatuses"] = [{
        "name": "debugger-x7k2p", "ready": False, "restartCount": 0, "image": "busybox",
        "imageID": "", "state": {"running": {"startedAt": "2023-03-19T09:46:50Z"}}}]
    obs = pod_observations(pod, "x:1", include_spec=False)
    assert [o.kind for o in obs] == [POD, CONTAINER, CONTAINER]
    p = obs[0]
    assert p.data["terminating"] is True and p.data["deletion_time"] == "2023-03-19T09:47:30Z"
    assert p.data["deletion_grace_seconds"] == 30
    # the delete was accepted 30 s before the deadline
    assert p.time == "2023-03-19T09:47:00Z"
    eph = obs[2]
    assert eph.container == "debugger-x7k2p" and eph.data["init"] is False and eph.data.get("ephemeral") is True


def test_pod_without_status():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare", "namespace": "ns1", "uid": "u",
                                                           "creationTimestamp": "2024-01-01T00:00:00Z"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    obs = pod_observations(pod, "x:1")
    assert [o.kind for o in obs] == [SPEC, POD]
    assert obs[1].time == "2024-01-01T00:00:00Z" and obs[1].data["conditions"] == {}


def test_deleted_mark():
    m = deleted_mark(CRASHLOOP_POD, "api:pods/rv=9", seq=4, arrival="2023-03-19T09:48:00Z")
    assert m.kind == MARK and m.data["what"] == "deleted" and m.time == "2023-03-19T09:48:00Z"
    assert m.pod == PodKey("liveness-exec-pod", "default", UID)
    assert m.data["arrival"] == "2023-03-19T09:48:00Z"


def test_deleted_mark_keeps_a_skewed_arrival_inside_the_deletion_window():
    pod = copy.deepcopy(CRASHLOOP_POD)
    pod["metadata"].update(deletionTimestamp="2023-03-19T09:48:30Z", deletionGracePeriodSeconds=30)
    # the delete was requested at 09:48:00; the object was gone by 09:48:30 at the latest
    assert deleted_mark(pod, "x", arrival="2023-03-19T09:48:12Z").time == "2023-03-19T09:48:12Z"
    assert deleted_mark(pod, "x", arrival="2023-03-19T09:40:00Z").time == "2023-03-19T09:48:00Z"  # clock behind
    assert deleted_mark(pod, "x", arrival="2023-03-19T10:00:00Z").time == "2023-03-19T09:48:30Z"  # clock ahead
    assert deleted_mark(pod, "x").time == "2023-03-19T09:48:30Z"  # a saved stream: the deadline


# --- events ----------------------------------------------------------------------------------

UNHEALTHY = {
    "apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "liveness-exec-pod.174dd2b1c3e0e2a1", "namespace": "default",
                 "resourceVersion": "482150", "uid": "ev-uid-1", "creationTimestamp": "2023-03-19T09:45:07Z"},
    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "liveness-exec-pod", "namespace": "default",
                       "uid": UID, "resourceVersion": "482013",
                       "fieldPath": "spec.containers{liveness-exec-container}"},
    "reason": "Unhealthy",
    "message": "Liveness probe failed: ",
    "source": {"component": "kubelet", "host": "node1"},
    "firstTimestamp": "2023-03-19T09:45:07Z", "lastTimestamp": "2023-03-19T09:46:37Z", "count": 9,
    "type": "Warning", "eventTime": None, "reportingComponent": "kubelet", "reportingInstance": "node1"}


def test_core_v1_event():
    o = event_observation(UNHEALTHY, "api:events/rv=482150", seq=3)
    assert o is not None and o.kind == EVENT and o.seq == 3
    assert o.pod == PodKey("liveness-exec-pod", "default", UID)
    assert o.container == "liveness-exec-container"
    assert o.time == "2023-03-19T09:46:37Z" and o.clock == CLOCK_ABS
    assert o.data == {"type": "Warning", "reason": "Unhealthy", "message": "Liveness probe failed: ",
                      "source": "kubelet, node1", "count": 9, "first_time": "2023-03-19T09:45:07Z",
                      "last_time": "2023-03-19T09:46:37Z", "object": "pod/liveness-exec-pod",
                      "field_path": "spec.containers{liveness-exec-container}"}
    assert "\n" not in o.raw and json.loads(o.raw)["count"] == 9


def test_scheduler_event_in_core_v1_shape_has_only_event_time():
    ev = {"apiVersion": "v1", "kind": "Event",
          "metadata": {"name": "liveness-exec-pod.174dd2b0", "namespace": "default", "resourceVersion": "482001"},
          "involvedObject": {"kind": "Pod", "name": "liveness-exec-pod", "namespace": "default", "uid": UID},
          "reason": "Scheduled", "message": "Successfully assigned default/liveness-exec-pod to node1",
          "source": {}, "firstTimestamp": None, "lastTimestamp": None, "count": 0, "type": "Normal",
          "eventTime": "2023-03-19T09:45:00.123456Z", "reportingComponent": "default-scheduler",
          "reportingInstance": "default-scheduler-master1", "action": "Binding"}
    o = event_observation(ev, "x:1")
    assert o.data["source"] == "default-scheduler" and o.data["count"] == 1
    assert o.time == "2023-03-19T09:45:00.123456Z"
    assert o.data["first_time"] == o.data["last_time"] == "2023-03-19T09:45:00.123456Z"
    assert o.container is None and "field_path" not in o.data


def test_events_k8s_io_series_event():
    ev = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
          "metadata": {"name": "readiness-httpget-demo.17a0", "namespace": "default", "resourceVersion": "77"},
          "eventTime": "2024-03-01T12:00:18.000000Z",
          "series": {"count": 3, "lastObservedTime": "2024-03-01T12:00:28.512000Z"},
          "reportingController": "kubelet", "reportingInstance": "node1", "action": "Probe",
          "reason": "Unhealthy",
          "regarding": {"kind": "Pod", "namespace": "default", "name": "readiness-httpget-demo", "uid": "rd-uid",
                        "fieldPath": "spec.containers{demo}"},
          "note": "Readiness probe failed: Get \"http://10.244.3.81:80/readyz\": context deadline exceeded "
                  "(Client.Timeout exceeded while awaiting headers)",
          "type": "Warning", "deprecatedCount": 0}
    o = event_observation(ev, "x:1")
    assert o.container == "demo" and o.data["count"] == 3
    assert o.data["source"] == "kubelet"
    assert o.data["message"].startswith("Readiness probe failed: Get")
    assert o.data["first_time"] == "2024-03-01T12:00:18Z"
    assert o.data["last_time"] == "2024-03-01T12:00:28.512000Z" == o.time
    assert o.pod == PodKey("readiness-httpget-demo", "default", "rd-uid")


def test_events_k8s_io_with_deprecated_fields():
    ev = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "x", "namespace": "ns"},
          "regarding": {"kind": "Pod", "name": "p", "namespace": "ns", "fieldPath": "spec.initContainers{init-db}"},
          "reason": "BackOff", "note": "Back-off restarting failed container init-db in pod p_ns(u)",
          "type": "Warning", "deprecatedSource": {"component": "kubelet", "host": "node2"},
          "deprecatedFirstTimestamp": "2024-01-01T00:00:10Z", "deprecatedLastTimestamp": "2024-01-01T00:02:10Z",
          "deprecatedCount": 7, "eventTime": None}
    o = event_observation(ev, "x:1")
    assert o.container == "init-db" and o.data["count"] == 7 and o.data["source"] == "kubelet, node2"
    assert o.data["first_time"] == "2024-01-01T00:00:10Z" and o.time == "2024-01-01T00:02:10Z"


def test_events_about_other_kinds_are_left_out():
    ev = copy.deepcopy(UNHEALTHY)
    ev["involvedObject"] = {"kind": "ReplicaSet", "name": "web-5d9c", "namespace": "default"}
    assert event_observation(ev, "x:1") is None
    node_ev = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "regarding": {"kind": "Node", "name": "node1"},
               "reason": "NodeReady", "note": "Node node1 status is now: NodeReady", "type": "Normal"}
    assert event_observation(node_ev, "x:1") is None


# --- JSON streams ----------------------------------------------------------------------------

def _versions() -> list[dict]:
    """Three MODIFIED versions of the liveness pod, as the watch API sends them."""
    v1 = copy.deepcopy(CRASHLOOP_POD)
    v2 = copy.deepcopy(CRASHLOOP_POD)
    v2["metadata"]["resourceVersion"] = "482200"
    cs = v2["status"]["containerStatuses"][0]
    cs["restartCount"] = 3
    cs["lastState"]["terminated"].update(startedAt="2023-03-19T09:46:25Z", finishedAt="2023-03-19T09:47:07Z")
    cs["state"] = {"running": {"startedAt": "2023-03-19T09:47:07Z"}}
    v3 = copy.deepcopy(v2)
    v3["metadata"]["resourceVersion"] = "482290"
    cs = v3["status"]["containerStatuses"][0]
    cs.update(restartCount=5, ready=False, started=False)
    cs["lastState"]["terminated"].update(startedAt="2023-03-19T09:48:31Z", finishedAt="2023-03-19T09:49:13Z")
    cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                               "message": "back-off 1m20s restarting failed container=liveness-exec-container "
                                          f"pod=liveness-exec-pod_default({UID})"}}
    for c in v3["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c.update(status="False", reason="ContainersNotReady", lastTransitionTime="2023-03-19T09:49:13Z",
                     message="containers with unready status: [liveness-exec-container]")
    return [v1, v2, v3]


def test_watch_stream_with_three_modified_versions():
    text = "".join(json.dumps({"type": "MODIFIED", "object": v}, indent=4) + "\n" for v in _versions())
    obs, warnings = decode_json_stream(text, "watch.json")
    assert warnings == []
    assert [o.kind for o in obs] == [SPEC, POD, CONTAINER, POD, CONTAINER, POD, CONTAINER]  # spec only once
    lines = sorted({int(o.origin.split(":")[1]) for o in obs})
    starts = [1] + [i + 1 for i, ln in enumerate(text.splitlines()) if ln == "{"][1:]
    assert lines == starts and len(lines) == 3
    assert [o.seq for o in obs] == list(range(7))
    restarts = [o.data["restart_count"] for o in obs if o.kind == CONTAINER]
    assert restarts == [2, 3, 5]
    last = [o for o in obs if o.kind == CONTAINER][-1]
    assert last.data["state"]["reason"] == "CrashLoopBackOff" and last.time == "2023-03-19T09:49:13Z"
    assert [o for o in obs if o.kind == POD][-1].time == "2023-03-19T09:49:13Z"


def test_get_w_o_json_concatenated_objects_without_envelopes():
    # `kubectl get pod x -w -o json` prints each version as a bare, indented object
    text = "".join(json.dumps(v, indent=4) + "\n" for v in _versions())
    obs, warnings = decode_json_stream(text, "w.json")
    assert warnings == []
    assert sum(o.kind == POD for o in obs) == 3 and sum(o.kind == SPEC for o in obs) == 1


def test_spec_change_adds_a_second_spec_observation():
    a, b, c = _versions()
    c["spec"]["containers"][0]["image"] = "busybox:1.36"  # spec changed (e.g. kubectl set image)
    text = "\n".join(json.dumps(x) for x in (a, b, c))
    obs, _ = decode_json_stream(text, "w.json")
    specs = [o for o in obs if o.kind == SPEC]
    assert len(specs) == 2 and specs[1].origin == "w.json:3"


def test_deleted_watch_event_adds_a_mark():
    pod = copy.deepcopy(CRASHLOOP_POD)
    pod["metadata"].update(deletionTimestamp="2023-03-19T09:50:30Z", deletionGracePeriodSeconds=0,
                           resourceVersion="482400")
    text = json.dumps({"type": "ADDED", "object": CRASHLOOP_POD}) + "\n" + json.dumps({"type": "DELETED", "object": pod})
    obs, warnings = decode_json_stream(text, "ev.json")
    assert warnings == []
    assert [o.kind for o in obs] == [SPEC, POD, CONTAINER, POD, CONTAINER, MARK]
    mark = obs[-1]
    assert mark.data == {"what": "deleted"} and mark.origin == "ev.json:2"
    assert mark.time == "2023-03-19T09:50:30Z"


def test_list_and_event_list():
    pods = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": [CRASHLOOP_POD, oom_pod(), init_pod()]}
    events = {"apiVersion": "v1", "kind": "EventList", "metadata": {"resourceVersion": "482300"},
              "items": [UNHEALTHY, {**UNHEALTHY, "involvedObject": {"kind": "Node", "name": "node1"}}]}
    text = json.dumps(pods, indent=2) + "\n" + json.dumps(events, indent=2) + "\n"
    obs, warnings = decode_json_stream(text, "all.json")
    assert warnings == []
    assert {o.pod.name for o in obs if o.kind == POD} == {"liveness-exec-pod", "memory-demo-2", "myapp-pod"}
    evs = [o for o in obs if o.kind == EVENT]
    assert len(evs) == 1 and evs[0].origin.startswith("all.json:")
    assert int(evs[0].origin.split(":")[1]) == text[:text.index("\"EventList\"")].count("\n") - 1  # the `{` line


def test_podlife_jsonl_export_round_trips():
    original = pod_observations(CRASHLOOP_POD, "api:pods/rv=482113") + [event_observation(UNHEALTHY, "api:e/rv=1")]
    header = {"podlife": "session", "version": 1, "kind": "live"}
    text = json.dumps(header) + "\n" + "\n".join(json.dumps(o.to_json()) for o in original) + "\n"
    obs, warnings = decode_json_stream(text, "export.jsonl")
    assert warnings == [] and obs == original


def test_truncated_stream_keeps_what_was_read():
    versions = _versions()
    text = "".join(json.dumps({"type": "MODIFIED", "object": v}, indent=2) + "\n" for v in versions)
    cut = text[: text.rindex('"containerStatuses"')]  # the scroll-back ends inside the 3rd object
    obs, warnings = decode_json_stream(cut, "cut.json")
    assert sum(o.kind == POD for o in obs) == 2
    assert len(warnings) == 1
    line, message = warnings[0]
    assert line == cut.count("\n", 0, cut.rindex('{\n  "type"')) + 1
    assert message.startswith("cannot read JSON object:") and "truncated" in message


def test_invalid_json_in_the_middle_stops_with_a_warning():
    text = json.dumps(CRASHLOOP_POD) + "\nNAME   READY   STATUS\n" + json.dumps(oom_pod())
    obs, warnings = decode_json_stream(text, "mixed.txt")
    assert sum(o.kind == POD for o in obs) == 1
    assert warnings and warnings[0][0] == 2 and warnings[0][1].startswith("cannot read JSON object: ")


def test_other_kinds_are_skipped_with_one_warning_each():
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {}}
    text = json.dumps(dep) + "\n" + json.dumps(dep) + "\n" + json.dumps(CRASHLOOP_POD)
    obs, warnings = decode_json_stream(text, "d.json")
    assert len(warnings) == 1 and "Deployment" in warnings[0][1]
    assert any(o.kind == POD for o in obs)


def test_empty_text():
    assert decode_json_stream("", "e.json") == ([], [])
    assert decode_json_stream("\n  \n", "e.json") == ([], [])


def test_bookmark_and_error_watch_events_are_not_observations():
    text = "\n".join([
        json.dumps({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1",
                                                   "metadata": {"resourceVersion": "482500"}}}),
        json.dumps({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                "message": "too old resource version: 1 (482000)",
                                                "reason": "Expired", "code": 410}}),
    ])
    assert decode_json_stream(text, "w.json") == ([], [])


# --- YAML ------------------------------------------------------------------------------------

POD_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: "2023-03-19T09:45:00Z"
  name: readiness-httpget-demo
  namespace: default
  resourceVersion: "5501"
  uid: rd-uid
spec:
  containers:
  - image: 192.168.10.33:80/k8s/pod_test:v0.1
    imagePullPolicy: IfNotPresent
    name: demo
    readinessProbe:
      failureThreshold: 3
      httpGet:
        path: /readyz
        port: 80
        scheme: HTTP
      initialDelaySeconds: 15
      periodSeconds: 5
      successThreshold: 1
      timeoutSeconds: 2
  nodeName: node1
  restartPolicy: Always
status:
  conditions:
  - lastProbeTime: null
    lastTransitionTime: "2023-03-19T09:45:31Z"
    status: "True"
    type: Ready
  containerStatuses:
  - containerID: containerd://aa
    image: 192.168.10.33:80/k8s/pod_test:v0.1
    imageID: 192.168.10.33:80/k8s/pod_test@sha256:12
    lastState: {}
    name: demo
    ready: true
    restartCount: 0
    started: true
    state:
      running:
        startedAt: "2023-03-19T09:45:01Z"
  phase: Running
  podIP: 10.244.3.81
  qosClass: BestEffort
  startTime: "2023-03-19T09:45:00Z"
"""


def test_yaml_single_document():
    obs, warnings = decode_yaml_objects(POD_YAML, "pod.yaml")
    assert warnings == []
    assert [o.kind for o in obs] == [SPEC, POD, CONTAINER]
    assert all(o.origin == "pod.yaml:1" for o in obs)
    assert obs[1].time == "2023-03-19T09:45:31Z" and obs[2].data["ready"] is True
    assert "last_state" not in obs[2].data  # `lastState: {}` is no state at all


def test_yaml_multi_document_unquoted_timestamps_and_list():
    unquoted = POD_YAML.replace('"2023-03-19T09:45:31Z"', "2023-03-19T09:45:31Z")
    second = unquoted.replace("resourceVersion: \"5501\"", "resourceVersion: \"5600\"")
    text = "---\n" + unquoted + "---\n" + second
    obs, warnings = decode_yaml_objects(text, "pods.yaml")
    assert warnings == []
    pods = [o for o in obs if o.kind == POD]
    assert len(pods) == 2 and pods[0].time == "2023-03-19T09:45:31Z"
    assert pods[1].origin == f"pods.yaml:{unquoted.count(chr(10)) + 3}"

    listed = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        "- " + "\n  ".join(doc.rstrip("\n").split("\n")) + "\n" for doc in (POD_YAML, second))
    obs, warnings = decode_yaml_objects(listed, "list.yaml")
    assert warnings == []
    assert [o.origin for o in obs if o.kind == POD] == ["list.yaml:4", f"list.yaml:{4 + POD_YAML.count(chr(10))}"]


def test_yaml_broken_document_keeps_earlier_ones():
    text = POD_YAML + "---\nkind: Pod\nmetadata: {name: [unclosed\n"
    obs, warnings = decode_yaml_objects(text, "bad.yaml")
    assert sum(o.kind == POD for o in obs) == 1
    assert len(warnings) == 1 and warnings[0][1].startswith("cannot read YAML document")


@pytest.mark.parametrize("name", ["kubectl_podlife.ingest.objects"])
def test_objects_module_imports_no_kubernetes(name):
    import subprocess
    import sys
    code = f"import sys, {name}; bad = [m for m in ('kubernetes', 'textual') if m in sys.modules]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_bare_pod_conditions_need_the_pod_the_command_named():
    from kubectl_podlife.observation import PodKey

    cond = ('{"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI", '
            '"message": "Eviction API: evicting", "lastTransitionTime": "2025-01-02T03:04:05Z"}')
    obs, warnings = decode_json_stream(cond, "c.json", PodKey(name="web-0", namespace="shop"))
    assert [(o.kind, o.pod.name) for o in obs] == [("pod", "web-0")]
    assert obs[0].data["conditions"]["DisruptionTarget"]["reason"] == "EvictionByEvictionAPI"
    # `jq .status.conditions` prints the list
    obs, _ = decode_json_stream("[" + cond + ', {"type": "Ready", "status": "False"}]', "c.json", PodKey(name="w"))
    assert set(obs[0].data["conditions"]) == {"DisruptionTarget", "Ready"}
    # no pod named: skipped with a line that says why, never attached to a guess
    obs, warnings = decode_json_stream(cond, "c.json")
    assert obs == [] and "does not name the pod" in warnings[0][1]
