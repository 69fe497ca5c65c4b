"""Scripted clusters for the live tests, from the seeds' stories.

`liveness_exec()`: seed 001's `liveness-exec-pod` (busybox, `touch /tmp/healthy; sleep 3; rm ...;
sleep 3600`, exec liveness probe initialDelaySeconds 1, periodSeconds 3). Every run: the file goes
at +3 s, failures at +6/+9/+12 s, Killing at +12 s, SIGTERM ignored by sh, SIGKILL after the 30 s
grace -> exit 137 at +42 s. Restarts at 43, 85, 127, 169, 211 s; the 6th exit at 253 s (4m13s)
meets an 80 s back-off -> CrashLoopBackOff; the back-off-delayed start at 333 s (k8s-lifecycle.md
section 3.5). The kubelet's legacy recorder PATCHes one Event per (reason, message): counts grow.

`readiness_httpget()`: seed 001's `readiness-httpget-demo` (flask app whose first /readyz sleeps
15 s; readinessProbe initialDelaySeconds 15, timeoutSeconds 2, periodSeconds 5): probes at 16, 21,
26 s time out (Unhealthy x3), the one at 31 s succeeds -> Ready at 31 s; later it is deleted
(`kubectl delete pod`: Killing "Stopping container", flask as PID 1 ignores SIGTERM, killed at the
30 s deadline, phase Failed, then DELETED).

Each step is (resource, watch type, object); the fake API server assigns resourceVersions.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

Step = tuple[str, str, dict]


def ts(base: datetime, seconds: float) -> str:
    t = base + timedelta(seconds=seconds)
    if t.microsecond:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class PodScript:
    """Builds successive versions of one pod and the kubelet's Events about it."""

    def __init__(self, name: str, namespace: str, uid: str, created: datetime, spec: dict,
                 labels: dict[str, str] | None = None, node: str = "node1", ip: str = "10.244.3.90"):
        self.name, self.namespace, self.uid, self.created = name, namespace, uid, created
        self.node, self.ip = node, ip
        self.steps: list[Step] = []
        self.pod: dict[str, Any] = {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "uid": uid,
                         "creationTimestamp": ts(created, 0), "labels": labels or {}},
            "spec": copy.deepcopy(spec),
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}
        self.pod["spec"].setdefault("restartPolicy", "Always")
        self.pod["spec"].setdefault("terminationGracePeriodSeconds", 30)
        self.pod["spec"].setdefault("dnsPolicy", "ClusterFirst")
        self.pod["spec"].setdefault("schedulerName", "default-scheduler")
        self._events: dict[tuple[str, str, str], dict] = {}
        self._ev_seq = 0

    def at(self, s: float) -> str:
        return ts(self.created, s)

    # --- pod versions ---
    def emit(self, type_: str = "MODIFIED") -> None:
        self.steps.append(("pods", type_, copy.deepcopy(self.pod)))

    def cond(self, type_: str, status: str, s: float, reason: str | None = None, message: str | None = None) -> None:
        conds = self.pod["status"].setdefault("conditions", [])
        for c in conds:
            if c["type"] == type_:
                if c["status"] != status:
                    c.update(status=status, lastTransitionTime=self.at(s))
                c.pop("reason", None)
                c.pop("message", None)
                break
        else:
            c = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": self.at(s)}
            conds.append(c)
        if reason:
            c["reason"] = reason
        if message:
            c["message"] = message

    def container(self, name: str, **fields: Any) -> dict:
        statuses = self.pod["status"].setdefault("containerStatuses", [])
        for cs in statuses:
            if cs["name"] == name:
                break
        else:
            image = next(c["image"] for c in self.pod["spec"]["containers"] if c["name"] == name)
            cs = {"name": name, "image": image, "imageID": "", "ready": False, "restartCount": 0, "started": False,
                  "state": {}, "lastState": {}}
            statuses.append(cs)
        cs.update(fields)
        return cs

    # --- events (legacy recorder: identical repeats PATCH count + lastTimestamp) ---
    def event(self, s: float, type_: str, reason: str, message: str, container: str | None = None,
              component: str = "kubelet") -> None:
        key = (reason, message, container or "")
        ev = self._events.get(key)
        if ev is None:
            self._ev_seq += 1
            ev = {"apiVersion": "v1", "kind": "Event",
                  "metadata": {"name": f"{self.name}.17{self._ev_seq:02d}e0c1d2f3a4b5", "namespace": self.namespace,
                               "uid": f"{self.uid[:8]}-ev-{self._ev_seq:04d}", "creationTimestamp": self.at(s)},
                  "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": self.name,
                                     "namespace": self.namespace, "uid": self.uid},
                  "reason": reason, "message": message, "type": type_,
                  "firstTimestamp": self.at(s), "lastTimestamp": self.at(s), "count": 1,
                  "eventTime": None, "reportingComponent": component, "reportingInstance": self.node,
                  "source": {"component": component, "host": self.node}}
            if container:
                ev["involvedObject"]["fieldPath"] = f"spec.containers{{{container}}}"
            self._events[key] = ev
            self.steps.append(("events", "ADDED", copy.deepcopy(ev)))
        else:
            ev["count"] += 1
            ev["lastTimestamp"] = self.at(s)
            self.steps.append(("events", "MODIFIED", copy.deepcopy(ev)))

    def scheduled(self, s: float) -> None:
        """The scheduler's event (events.k8s.io recorder: eventTime only, count 0 in core/v1 shape)."""
        self._ev_seq += 1
        ev = {"apiVersion": "v1", "kind": "Event",
              "metadata": {"name": f"{self.name}.17{self._ev_seq:02d}d0a0b0c0d0e0", "namespace": self.namespace,
                           "uid": f"{self.uid[:8]}-ev-{self._ev_seq:04d}", "creationTimestamp": self.at(s)},
              "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": self.name, "namespace": self.namespace,
                                 "uid": self.uid},
              "reason": "Scheduled", "message": f"Successfully assigned {self.namespace}/{self.name} to {self.node}",
              "type": "Normal", "firstTimestamp": None, "lastTimestamp": None, "count": 0, "source": {},
              "eventTime": ts(self.created, s + 0.012345), "action": "Binding",
              "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-master1"}
        self.steps.append(("events", "ADDED", ev))

    # --- common beginnings ---
    def create_and_start(self, container: str, image_msg: str, started: float = 1.0, ready: bool = True) -> None:
        self.emit("ADDED")
        self.scheduled(0)
        self.pod["spec"]["nodeName"] = self.node
        self.cond("PodScheduled", "True", 0)
        self.emit()
        self.pod["status"].update(hostIP="192.168.10.101", hostIPs=[{"ip": "192.168.10.101"}],
                                  startTime=self.at(0))
        self.cond("PodReadyToStartContainers", "False", 0)
        self.cond("Initialized", "True", 0)
        self.cond("Ready", "False", 0, "ContainersNotReady", f"containers with unready status: [{container}]")
        self.cond("ContainersReady", "False", 0, "ContainersNotReady",
                  f"containers with unready status: [{container}]")
        self.container(container, state={"waiting": {"reason": "ContainerCreating"}})
        self._reorder_conditions()
        self.emit()
        self.event(started, "Normal", "Pulled", image_msg, container)
        self.event(started, "Normal", "Created", f"Created container {container}", container)
        self.event(started, "Normal", "Started", f"Started container {container}", container)
        self.pod["status"].update(phase="Running", podIP=self.ip, podIPs=[{"ip": self.ip}])
        self.cond("PodReadyToStartContainers", "True", started)
        self.container(container, state={"running": {"startedAt": self.at(started)}}, started=True, ready=ready,
                       containerID=f"containerd://{self.uid[:8]}00", imageID=self.image_id(container))
        if ready:
            self.cond("Ready", "True", started)
            self.cond("ContainersReady", "True", started)
        self._reorder_conditions()
        self.emit()

    def image_id(self, container: str) -> str:
        image = next(c["image"] for c in self.pod["spec"]["containers"] if c["name"] == container)
        return f"{image.split(':')[0]}@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79"

    def _reorder_conditions(self) -> None:
        order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        self.pod["status"]["conditions"].sort(key=lambda c: order.index(c["type"]) if c["type"] in order else 99)


LIVENESS_SPEC = {
    "containers": [{
        "name": "liveness-exec-container", "image": "busybox", "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 3; rm -rf /tmp/healthy;sleep 3600"],
        "livenessProbe": {"exec": {"command": ["test", "-e", "/tmp/healthy"]}, "initialDelaySeconds": 1,
                          "periodSeconds": 3, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
        "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]}

READINESS_SPEC = {
    "containers": [{
        "name": "demo", "image": "192.168.10.33:80/k8s/pod_test:v0.1", "imagePullPolicy": "IfNotPresent",
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 80, "scheme": "HTTP"}, "initialDelaySeconds": 15,
                           "timeoutSeconds": 2, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3},
        "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]}

T0 = datetime(2023, 3, 19, 9, 45, 0, tzinfo=timezone.utc)
LIVENESS_UID = "5b0e7c7e-2f0c-4c1e-9a55-6f0f1f3a9c11"
READINESS_UID = "9d3c1a52-7e4b-4f0a-8c2d-1b6e5f4a3c20"
CYCLE = 42  # 30 s grace + 4 probe periods of 3 s


def liveness_exec(namespace: str = "default", created: datetime = T0, until_backoff_restart: bool = True) -> list[Step]:
    c = "liveness-exec-container"
    p = PodScript("liveness-exec-pod", namespace, LIVENESS_UID, created, LIVENESS_SPEC,
                  labels={"app": "liveness"}, ip="10.244.3.90")
    p.create_and_start(c, 'Container image "busybox" already present on machine', started=1)
    start = 1.0
    for run in range(6):
        for k in (6, 9, 12):
            p.event(start + k, "Warning", "Unhealthy", "Liveness probe failed: ", c)
        p.event(start + 12, "Normal", "Killing", f"Container {c} failed liveness probe, will be restarted", c)
        end = start + CYCLE
        last = {"terminated": {"exitCode": 137, "reason": "Error", "startedAt": p.at(start), "finishedAt": p.at(end),
                               "containerID": f"containerd://{LIVENESS_UID[:8]}{run:02d}"}}
        if run < 5:  # restarted at once (no back-off yet, or the delay already passed)
            p.event(end, "Normal", "Pulled", 'Container image "busybox" already present on machine', c)
            p.event(end, "Normal", "Created", f"Created container {c}", c)
            p.event(end, "Normal", "Started", f"Started container {c}", c)
            p.container(c, state={"running": {"startedAt": p.at(end)}}, lastState=last, restartCount=run + 1,
                        ready=True, started=True, containerID=f"containerd://{LIVENESS_UID[:8]}{run + 1:02d}")
            p.emit()
            start = end
        else:  # 6th exit at 253 s: 42 s since the last exit < 80 s back-off
            p.container(c, state={"waiting": {"reason": "CrashLoopBackOff",
                                              "message": f"back-off 1m20s restarting failed container={c} "
                                                         f"pod=liveness-exec-pod_{namespace}({LIVENESS_UID})"}},
                        lastState=last, restartCount=5, ready=False, started=False)
            p.cond("Ready", "False", end, "ContainersNotReady", f"containers with unready status: [{c}]")
            p.cond("ContainersReady", "False", end, "ContainersNotReady", f"containers with unready status: [{c}]")
            p.emit()
            backoff_msg = f"Back-off restarting failed container {c} in pod liveness-exec-pod_{namespace}({LIVENESS_UID})"
            for s in (end, end + 13, end + 26, end + 39, end + 52, end + 65, end + 78):
                p.event(s, "Warning", "BackOff", backoff_msg, c)
            if until_backoff_restart:
                restart = end + 80
                p.event(restart, "Normal", "Pulled", 'Container image "busybox" already present on machine', c)
                p.event(restart, "Normal", "Created", f"Created container {c}", c)
                p.event(restart, "Normal", "Started", f"Started container {c}", c)
                p.container(c, state={"running": {"startedAt": p.at(restart)}}, restartCount=6, ready=True,
                            started=True, containerID=f"containerd://{LIVENESS_UID[:8]}06")
                p.cond("Ready", "True", restart)
                p.cond("ContainersReady", "True", restart)
                p.emit()
    return p.steps


def readiness_httpget(namespace: str = "default", created: datetime = T0 + timedelta(seconds=20),
                      delete_at: float | None = 60) -> list[Step]:
    c = "demo"
    p = PodScript("readiness-httpget-demo", namespace, READINESS_UID, created, READINESS_SPEC,
                  labels={"app": "readiness"}, ip="10.244.3.81")
    p.create_and_start(c, 'Container image "192.168.10.33:80/k8s/pod_test:v0.1" already present on machine',
                       started=1, ready=False)
    msg = ('Readiness probe failed: Get "http://10.244.3.81:80/readyz": context deadline exceeded '
           "(Client.Timeout exceeded while awaiting headers)")
    for s in (18, 23, 28):  # probes at 16, 21, 26 s time out after 2 s
        p.event(s, "Warning", "Unhealthy", msg, c)
    p.container(c, ready=True)
    p.cond("Ready", "True", 31)
    p.cond("ContainersReady", "True", 31)
    p.emit()
    if delete_at is not None:
        grace = 30
        p.pod["metadata"]["deletionTimestamp"] = p.at(delete_at + grace)
        p.pod["metadata"]["deletionGracePeriodSeconds"] = grace
        p.emit()
        p.event(delete_at, "Normal", "Killing", f"Stopping container {c}", c)
        end = delete_at + grace
        p.container(c, ready=False, started=False,
                    state={"terminated": {"exitCode": 137, "reason": "Error", "startedAt": p.at(1),
                                          "finishedAt": p.at(end), "containerID": f"containerd://{READINESS_UID[:8]}00"}})
        p.pod["status"]["phase"] = "Failed"
        p.cond("Ready", "False", end, "PodFailed")
        p.cond("ContainersReady", "False", end, "PodFailed")
        p.cond("PodReadyToStartContainers", "False", end)
        p.emit()
        p.pod["metadata"]["deletionGracePeriodSeconds"] = 0
        p.pod["metadata"]["deletionTimestamp"] = p.at(end)
        p.emit("DELETED")
    return p.steps


def background(namespace: str = "default") -> list[Step]:
    """What is already there when capture starts: an old running pod, and events about other kinds."""
    created = T0 - timedelta(days=3)
    p = PodScript("nginx-7c5b8d65b4-x2kq9", namespace, "1c1d7f0e-aaaa-4bbb-8ccc-0123456789ab", created,
                  {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}, labels={"app": "nginx"}, ip="10.244.3.12")
    p.create_and_start("nginx", 'Container image "nginx:1.25" already present on machine', started=2)
    steps = p.steps
    rs_event = {"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": "nginx-7c5b8d65b4.17a1", "namespace": namespace, "uid": "rs-ev-1"},
                "involvedObject": {"kind": "ReplicaSet", "name": "nginx-7c5b8d65b4", "namespace": namespace},
                "reason": "SuccessfulCreate", "message": "Created pod: nginx-7c5b8d65b4-x2kq9", "type": "Normal",
                "source": {"component": "replicaset-controller"}, "count": 1,
                "firstTimestamp": ts(created, 0), "lastTimestamp": ts(created, 0)}
    steps.append(("events", "ADDED", rs_event))
    other = PodScript("coredns-5dd5756b68-7xk2m", "kube-system", "2e2e2e2e-bbbb-4ccc-8ddd-0123456789ab", created,
                      {"containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1"}]},
                      labels={"k8s-app": "kube-dns"}, ip="10.244.0.2")
    other.create_and_start("coredns", 'Container image "registry.k8s.io/coredns/coredns:v1.11.1" already present '
                           "on machine", started=3)
    return steps + other.steps


def story() -> list[Step]:
    """The two seed pods, interleaved by server time like a real cluster would write them."""
    return merge_by_time(liveness_exec(), readiness_httpget())


def _step_time(step: Step) -> str:
    resource, _, obj = step
    if resource == "events":
        return obj.get("lastTimestamp") or obj.get("eventTime") or ""
    from kubectl_podlife.ingest.objects import pod_time
    return pod_time(obj) or ""


def merge_by_time(*scripts: list[Step]) -> list[Step]:
    """Interleave several pods' steps by their server time, keeping each pod's own order."""
    heads = [list(s) for s in scripts]
    out: list[Step] = []
    floor = [""] * len(heads)
    while any(heads):
        best = None
        for i, h in enumerate(heads):
            if not h:
                continue
            t = max(_step_time(h[0]), floor[i])
            if best is None or t < best[0]:
                best = (t, i)
        assert best is not None
        t, i = best
        floor[i] = t
        out.append(heads[i].pop(0))
    return out
