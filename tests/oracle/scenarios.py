"""Scripted pod lifecycles for the kubectl oracle, each with the truth podlife must recover.

A scenario is the kubelet's story of one pod as API changes (resource, watch type, object), built
with the live tests' PodScript, plus its scenario time (seconds after creation) and the truth:
restart times, readiness flips, final RESTARTS and STATUS (as kubectl's own printer computes them
on the last object), cause and probe handler. Times follow k8s-lifecycle.md (free first restart,
back-off 10 s doubling, measured from the previous instance's FinishedAt).
"""

from __future__ import annotations

import copy
import dataclasses
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from dateutil.parser import isoparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "live"))

import live_scenarios as ls  # noqa: E402
from live_scenarios import PodScript  # noqa: E402

import printers  # noqa: E402


@dataclass
class Scenario:
    name: str
    pod: str
    namespace: str
    created: datetime
    steps: list[tuple[float, str, str, dict]]  # (t, resource, type, object)
    cause: str
    handler: str | None = None  # the probe handler when the cause is a probe
    container: str | None = None
    ready_times: list[float] = field(default_factory=list)
    not_ready_times: list[float] = field(default_factory=list)
    grace: float | None = None  # the grace period the pod was deleted with
    sigkill_at: float | None = None  # when the deletion's SIGKILL ended the container (exit 137)
    stuck: bool = False  # the pod never becomes healthy: podlife must never say `none`
    snapshot: float | None = None  # formats that print one moment (get -o json, describe, get events) run then
    event_status: str | None = None  # the STATUS its Events alone support, where they support one
    snapshot_of: "Scenario | None" = None  # the whole scenario, on a snapshot's copy
    check_container: bool = False  # the diagnosis must name `container` where the input names containers
    server_minor: int = printers.LATEST  # the API server release whose printPod gives the truth's STATUS
    quiet_until: float | None = None  # nothing changes after the last step until then, when the commands run
    gone: bool = False  # the object is gone at the end: commands that GET the pod by name print NotFound

    @property
    def end(self) -> float:
        """When the scenario's commands run: its last change, or the moment a snapshot was cut at."""
        if self.snapshot_of is not None and self.snapshot is not None:
            return max(self.snapshot, self.steps[-1][0])
        return max(self.steps[-1][0], self.quiet_until or 0.0)

    @property
    def final_pod(self) -> dict:
        return next(o for _, r, _, o in reversed(self.steps) if r == "pods")

    @property
    def final_status(self) -> str:
        return printers.pod_cells(self.final_pod, self.created, self.server_minor)[2]

    @property
    def object_statuses(self) -> set[str]:
        """STATUS of the last object as every printPod era since 1.27 prints it."""
        return {printers.pod_cells(self.final_pod, self.created, m)[2] for m in (27, printers.LATEST)}

    @property
    def healthy(self) -> bool:
        """What `none` may be said of: Running with every container ready, or Succeeded."""
        st = self.final_pod.get("status") or {}
        if st.get("phase") == "Succeeded":
            return True
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or [])
        return st.get("phase") == "Running" and ready and not (self.final_pod.get("metadata") or {}).get(
            "deletionTimestamp") and self.final_status == "Running"

    @property
    def restarts(self) -> int:
        return int(printers.pod_cells(self.final_pod, self.created, self.server_minor)[3].split()[0])

    @property
    def restart_times(self) -> list[float]:
        """Restart N happens when instance N starts (or, for one still waiting, is counted)."""
        out: list[float] = []
        seen: dict[str, int] = {}
        for t, r, _, o in self.steps:
            if r != "pods":
                continue
            st = o.get("status") or {}
            for cs in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
                n = int(cs.get("restartCount") or 0)
                while seen.get(cs["name"], 0) < n:
                    seen[cs["name"]] = seen.get(cs["name"], 0) + 1
                    running = (cs.get("state") or {}).get("running")
                    # an instance the API never showed running (its start failed a hook): the exit it left says
                    # when it started
                    gone = ((cs.get("lastState") or {}).get("terminated") or {}).get("startedAt") if (
                        cs.get("state") or {}).get("waiting") else None
                    out.append(self._t(running["startedAt"]) if running else self._t(gone) if gone else t)
        return sorted(out)

    def _t(self, stamp: str) -> float:
        return (isoparse(stamp) - self.created).total_seconds()

    def until(self, t: float) -> "Scenario":
        """The scenario as far as `t`: what a command run then sees (the truth of that moment)."""
        cut = dataclasses.replace(self, steps=[s for s in self.steps if s[0] <= t], snapshot_of=self)
        cut.ready_times = [x for x in self.ready_times if x <= t]
        cut.not_ready_times = [x for x in self.not_ready_times if x <= t]
        if cut.sigkill_at is not None and cut.sigkill_at > t:
            cut.sigkill_at = None
        return cut


def _latest(obj: dict) -> list[str]:
    """Every timestamp inside a pod version that says when it was written."""
    out: list[str] = []
    st = obj.get("status") or {}
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp") and isinstance(meta.get("deletionGracePeriodSeconds"), int):
        # the delete request: the API server sets deletionTimestamp = now + grace
        from datetime import timedelta
        req = isoparse(meta["deletionTimestamp"]) - timedelta(seconds=meta["deletionGracePeriodSeconds"])
        out.append(req.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for c in st.get("conditions") or []:
        out.append(c.get("lastTransitionTime") or "")
    for cs in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
        for part in ("state", "lastState"):
            for v in ((cs.get(part) or {}).values()):
                out += [v.get("startedAt") or "", v.get("finishedAt") or ""]
    return [s for s in out if s]


def timed(script: PodScript, extra: dict[int, float] | None = None) -> list[tuple[float, str, str, dict]]:
    """Scenario times for a script's steps: an event's last time, a pod version's newest stamp."""
    out = []
    clock = 0.0
    for i, (resource, type_, obj) in enumerate(script.steps):
        if resource == "events":
            stamp = (obj.get("lastTimestamp") or (obj.get("series") or {}).get("lastObservedTime")
                     or obj.get("eventTime"))
            stamps = [stamp] if stamp else []
        else:
            stamps = _latest(obj)
        for s in stamps:
            clock = max(clock, (isoparse(s) - script.created).total_seconds())
        if extra and i in extra:
            clock = max(clock, extra[i])
        out.append((round(clock, 3), resource, type_, obj))
    return out


def _from_steps(steps, created: datetime) -> list[tuple[float, str, str, dict]]:
    class _S:  # the live scenarios return bare steps
        pass
    s = _S()
    s.steps, s.created = steps, created  # type: ignore[attr-defined]
    return timed(s)  # type: ignore[arg-type]


# --- the scenarios ------------------------------------------------------------------------------

def liveness_exec(created: datetime) -> Scenario:
    """Seed 001: exec liveness probe, 5 restarts 42 s apart, the 6th kill meets an 80 s back-off."""
    steps = _from_steps(ls.liveness_exec(created=created, until_backoff_restart=False), created)
    return Scenario("liveness-exec", "liveness-exec-pod", "default", created, steps, "liveness-probe", "exec",
                    "liveness-exec-container")


def readiness_flap(created: datetime) -> Scenario:
    """Seed 001's readiness demo: Ready at 31 s, 507s from 60 s (not ready), back at 75 s, lost at 100 s."""
    c = "demo"
    p = PodScript("readiness-httpget-demo", "default", ls.READINESS_UID, created, ls.READINESS_SPEC,
                  labels={"app": "readiness"}, ip="10.244.3.81")
    p.create_and_start(c, 'Container image "192.168.10.33:80/k8s/pod_test:v0.1" already present on machine',
                       started=1, ready=False)
    msg = ('Readiness probe failed: Get "http://10.244.3.81:80/readyz": context deadline exceeded '
           "(Client.Timeout exceeded while awaiting headers)")
    for s in (18, 23, 28):
        p.event(s, "Warning", "Unhealthy", msg, c)

    def ready(v: bool, s: float) -> None:
        p.container(c, ready=v)
        p.cond("Ready", "True" if v else "False", s, None if v else "ContainersNotReady",
               None if v else f"containers with unready status: [{c}]")
        p.cond("ContainersReady", "True" if v else "False", s, None if v else "ContainersNotReady",
               None if v else f"containers with unready status: [{c}]")
        p.emit()

    ready(True, 31)
    bad = "Readiness probe failed: HTTP probe failed with statuscode: 507"
    for s in (51, 56, 61):
        p.event(s, "Warning", "Unhealthy", bad, c)
    ready(False, 61)
    ready(True, 76)
    for s in (91, 96, 101):
        p.event(s, "Warning", "Unhealthy", bad, c)
    ready(False, 101)
    return Scenario("readiness-flap", p.name, p.namespace, created, timed(p), "readiness-probe", "httpGet", c,
                    ready_times=[31, 76], not_ready_times=[61, 101])


OOM_SPEC = {"containers": [{
    "name": "stress", "image": "polinux/stress", "imagePullPolicy": "IfNotPresent",
    "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
    "resources": {"limits": {"memory": "128Mi"}, "requests": {"memory": "100Mi"}},
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]}


def _crash_cycles(p: PodScript, c: str, image_msg: str, life: float, reason: str, code: int, exits: int,
                  first_start: float = 1.0) -> float:
    """A container that exits on its own `life` s after each start; restarts under the kubelet's back-off."""
    start, delay, restarts = first_start, None, 0
    cid = 0
    for n in range(exits):
        end = start + life
        last = {"terminated": {"exitCode": code, "reason": reason, "startedAt": p.at(start), "finishedAt": p.at(end),
                               "containerID": f"containerd://{p.uid[:8]}{cid:02d}"}}
        p.container(c, state=copy.deepcopy(last), ready=False, started=False)
        p.cond("Ready", "False", end, "ContainersNotReady", f"containers with unready status: [{c}]")
        p.cond("ContainersReady", "False", end, "ContainersNotReady", f"containers with unready status: [{c}]")
        p.emit()
        if delay is None:  # the first restart is free; the entry starts at 10 s
            delay, wait = 10.0, 0.0
        else:
            wait = delay
        if wait:
            go = f"{int(wait)}s" if wait < 60 else f"{int(wait) // 60}m{int(wait) % 60}s"
            p.container(c, state={"waiting": {"reason": "CrashLoopBackOff",
                                              "message": f"back-off {go} restarting failed container={c} "
                                                         f"pod={p.name}_{p.namespace}({p.uid})"}},
                        lastState=copy.deepcopy(last))
            p.event(end + 1, "Warning", "BackOff",
                    f"Back-off restarting failed container {c} in pod {p.name}_{p.namespace}({p.uid})", c)
            p.emit()
        if n == exits - 1:
            return end + 1
        start = end + wait
        if wait:
            delay = min(delay * 2, 300.0)
        restarts += 1
        cid += 1
        p.event(start, "Normal", "Pulled", image_msg, c)
        p.event(start, "Normal", "Created", f"Created container {c}", c)
        p.event(start, "Normal", "Started", f"Started container {c}", c)
        p.container(c, state={"running": {"startedAt": p.at(start)}}, lastState=copy.deepcopy(last),
                    restartCount=restarts, ready=True, started=True, containerID=f"containerd://{p.uid[:8]}{cid:02d}")
        p.cond("Ready", "True", start)
        p.cond("ContainersReady", "True", start)
        p.emit()
    return start


def oom_killed(created: datetime) -> Scenario:
    """A 128Mi limit and a 250M allocation: OOMKilled 3 s after each start; restarts at 4, 17, 40 s."""
    c = "stress"
    p = PodScript("memory-demo", "mem-example", "7a1e0f2a-2222-4c3b-9d2e-5a7b8c9d0e1f", created, OOM_SPEC,
                  ip="10.244.1.17")
    msg = 'Container image "polinux/stress" already present on machine'
    p.create_and_start(c, msg, started=1)
    _crash_cycles(p, c, msg, 3, "OOMKilled", 137, 4)
    return Scenario("oom-killed", p.name, p.namespace, created, timed(p), "oom-killed", None, c)


MULTI_SPEC = {"containers": [
    {"name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"},
    {"name": "sidecar", "image": "busybox", "imagePullPolicy": "IfNotPresent",
     "command": ["/bin/sh", "-c", "sleep 5; exit 1"]}]}


def multi_container(created: datetime) -> Scenario:
    """nginx keeps running; its sidecar exits 1 after 5 s: restarts at 6, 21, 46 s, then back-off."""
    p = PodScript("web-with-sidecar", "default", "3b2a1c0d-3333-4e5f-8a9b-0c1d2e3f4a5b", created, MULTI_SPEC,
                  labels={"app": "web"}, ip="10.244.2.33")
    p.create_and_start("web", 'Container image "nginx:1.25" already present on machine', started=1)
    msg = 'Container image "busybox" already present on machine'
    p.event(1, "Normal", "Pulled", msg, "sidecar")
    p.event(1, "Normal", "Created", "Created container sidecar", "sidecar")
    p.event(1, "Normal", "Started", "Started container sidecar", "sidecar")
    p.container("sidecar", state={"running": {"startedAt": p.at(1)}}, started=True, ready=True,
                containerID=f"containerd://{p.uid[:8]}s0", imageID="busybox@sha256:3fbc63")
    p.emit()
    _crash_cycles(p, "sidecar", msg, 5, "Error", 1, 4)
    # only the sidecar is unready: the pod conditions name it, nginx stays ready
    return Scenario("multi-container", p.name, p.namespace, created, timed(p), "error-exit", None, "sidecar")


INIT_SPEC = {
    "initContainers": [{"name": "init-myservice", "image": "busybox:1.28", "imagePullPolicy": "IfNotPresent",
                        "command": ["sh", "-c", "echo cannot reach myservice; exit 1"]}],
    "containers": [{"name": "myapp-container", "image": "busybox:1.28", "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", "echo The app is running! && sleep 3600"]}]}


def init_failure(created: datetime) -> Scenario:
    """An init container that exits 1: Init:Error, Init:CrashLoopBackOff, restarted at 2, 13, 34 s."""
    c = "init-myservice"
    p = PodScript("myapp-pod", "default", "4c3b2a1d-4444-4f6a-9b0c-1d2e3f4a5b6c", created, INIT_SPEC,
                  labels={"app": "myapp"}, ip="10.244.2.44")
    p.emit("ADDED")
    p.scheduled(0)
    p.pod["spec"]["nodeName"] = p.node
    p.cond("PodScheduled", "True", 0)
    p.emit()
    p.pod["status"].update(hostIP="192.168.10.101", startTime=p.at(0), podIP=p.ip, podIPs=[{"ip": p.ip}])
    p.cond("Initialized", "False", 0, "ContainersNotInitialized", f"containers with incomplete status: [{c}]")
    p.cond("Ready", "False", 0, "ContainersNotReady", "containers with unready status: [myapp-container]")
    p.cond("ContainersReady", "False", 0, "ContainersNotReady", "containers with unready status: [myapp-container]")
    statuses = p.pod["status"]
    statuses["initContainerStatuses"] = [{"name": c, "image": "busybox:1.28", "imageID": "", "ready": False,
                                          "restartCount": 0, "started": False,
                                          "state": {"waiting": {"reason": "PodInitializing"}}, "lastState": {}}]
    p.container("myapp-container", state={"waiting": {"reason": "PodInitializing"}})
    p.emit()
    msg = 'Container image "busybox:1.28" already present on machine'
    ics = statuses["initContainerStatuses"][0]
    start, delay = 1.0, None
    for n in range(4):
        p.event(start, "Normal", "Pulled", msg, c)
        p.event(start, "Normal", "Created", f"Created container {c}", c)
        p.event(start, "Normal", "Started", f"Started container {c}", c)
        ics.update(state={"running": {"startedAt": p.at(start)}}, started=True, restartCount=n)
        p.emit()
        end = start + 1
        last = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": p.at(start), "finishedAt": p.at(end),
                               "containerID": f"containerd://{p.uid[:8]}{n:02d}"}}
        ics.update(state=copy.deepcopy(last), started=False)
        p.cond("Initialized", "False", end, "ContainersNotInitialized", f"containers with incomplete status: [{c}]")
        p.emit()
        wait = 0.0 if delay is None else delay
        delay = 10.0 if delay is None else min(delay * 2, 300.0)
        if wait:
            p.event(end, "Warning", "BackOff", f"Back-off restarting failed container {c} in pod "
                                               f"{p.name}_{p.namespace}({p.uid})", c)
            go = f"{int(wait)}s"
            ics.update(state={"waiting": {"reason": "CrashLoopBackOff",
                                          "message": f"back-off {go} restarting failed container={c} "
                                                     f"pod={p.name}_{p.namespace}({p.uid})"}},
                       lastState=copy.deepcopy(last))
            p.emit()
        if n == 3:
            break
        ics["lastState"] = copy.deepcopy(last)
        start = end + wait
    # restarts began at 2 (free), 13, 34 s; the fourth exit (35 s) waits 40 s
    sc = Scenario("init-failure", p.name, p.namespace, created, timed(p), "init-container", None, c)
    return sc


PULL_SPEC = {"containers": [{"name": "app", "image": "registry.example.com/shop/cart:9.9.9",
                             "imagePullPolicy": "IfNotPresent"}]}


def image_pull(created: datetime) -> Scenario:
    """An image tag that does not exist: ErrImagePull, ImagePullBackOff, pulls again at 12 and 33 s."""
    c, image = "app", "registry.example.com/shop/cart:9.9.9"
    p = PodScript("cart-5f6d7c8b9-qwert", "shop", "5d4c3b2a-5555-4a6b-8c9d-0e1f2a3b4c5d", created, PULL_SPEC,
                  labels={"app": "cart"}, ip="10.244.1.55")
    p.emit("ADDED")
    p.scheduled(0)
    p.pod["spec"]["nodeName"] = p.node
    p.cond("PodScheduled", "True", 0)
    p.emit()
    p.pod["status"].update(hostIP="192.168.10.101", startTime=p.at(0), podIP=p.ip, podIPs=[{"ip": p.ip}])
    p.cond("Initialized", "True", 0)
    p.cond("Ready", "False", 0, "ContainersNotReady", f"containers with unready status: [{c}]")
    p.cond("ContainersReady", "False", 0, "ContainersNotReady", f"containers with unready status: [{c}]")
    p.container(c, state={"waiting": {"reason": "ContainerCreating"}})
    p.emit()
    fail = (f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and unpack image '
            f'"{image}": failed to resolve reference "{image}": {image}: not found')
    for pull, back in ((1, (3, 12)), (12, (14, 33)), (33, (35, 45))):
        p.event(pull, "Normal", "Pulling", f'Pulling image "{image}"', c)
        p.event(pull + 1, "Warning", "Failed", fail, c)
        p.event(pull + 1, "Warning", "Failed", "Error: ErrImagePull", c)
        p.container(c, state={"waiting": {"reason": "ErrImagePull", "message": fail}})
        p.cond("Ready", "False", pull + 1, "ContainersNotReady", f"containers with unready status: [{c}]")
        p.emit()
        p.event(back[0], "Normal", "BackOff", f'Back-off pulling image "{image}"', c)
        p.event(back[0], "Warning", "Failed", "Error: ImagePullBackOff", c)
        p.container(c, state={"waiting": {"reason": "ImagePullBackOff",
                                          "message": f'Back-off pulling image "{image}"'}})
        p.cond("Ready", "False", back[0], "ContainersNotReady", f"containers with unready status: [{c}]")
        p.emit()
    steps = timed(p)
    return Scenario("image-pull", p.name, p.namespace, created, steps, "image-pull", None, c)


DELETE_SPEC = {"containers": [{"name": "app", "image": "registry.example.com/shop/checkout:2.4.1",
                               "imagePullPolicy": "IfNotPresent",
                               "command": ["/bin/sh", "-c", "trap '' TERM; exec /app/checkout --serve"]}],
               "terminationGracePeriodSeconds": 30}


def graceful_delete(created: datetime) -> Scenario:
    """`kubectl delete pod --grace-period=45` at 40 s: Killing at once, SIGTERM ignored, SIGKILL at 85 s.

    The API sets deletionTimestamp = request + 45 s and deletionGracePeriodSeconds 45 (the spec's 30 s is
    overridden); the kubelet kills the container at the deadline (exit 137), reports phase Failed, and
    deletes the object with grace 0, which moves deletionTimestamp back to the request time. Formats that
    print one moment run at 70 s: Terminating, still 15 s inside the grace period (past the default 30 s).
    """
    c, image = "app", "registry.example.com/shop/checkout:2.4.1"
    p = PodScript("checkout-7d9f8b6c5-x2p4q", "shop", "6e5d4c3b-6666-4b7c-9d0e-1f2a3b4c5d6e", created, DELETE_SPEC,
                  labels={"app": "checkout"}, ip="10.244.1.66")
    p.create_and_start(c, f'Container image "{image}" already present on machine', started=1)
    delete, grace = 40, 45
    p.pod["metadata"]["deletionTimestamp"] = p.at(delete + grace)
    p.pod["metadata"]["deletionGracePeriodSeconds"] = grace
    p.emit()
    p.event(delete, "Normal", "Killing", f"Stopping container {c}", c)
    end = delete + grace
    p.container(c, ready=False, started=False,
                state={"terminated": {"exitCode": 137, "reason": "Error", "startedAt": p.at(1), "finishedAt": p.at(end),
                                      "containerID": f"containerd://{p.uid[:8]}00"}})
    p.pod["status"]["phase"] = "Failed"
    p.cond("Ready", "False", end, "PodFailed")
    p.cond("ContainersReady", "False", end, "PodFailed")
    p.cond("PodReadyToStartContainers", "False", end)
    p.emit()
    p.pod["metadata"]["deletionGracePeriodSeconds"] = 0  # the kubelet's final delete: grace 0, timestamp = request
    p.pod["metadata"]["deletionTimestamp"] = p.at(delete)
    p.emit("DELETED")
    return Scenario("graceful-delete", p.name, p.namespace, created, timed(p), "deleted", None, c,
                    grace=grace, sigkill_at=end, snapshot=70, event_status="Terminating")


SIGTERM_SPEC = {"containers": [{"name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"}]}


def delete_on_sigterm(created: datetime) -> Scenario:
    """A plain `kubectl delete pod` (30 s) of nginx, which handles SIGTERM: it exits 0 two seconds later, the
    kubelet reports Succeeded (printPod: Completed) and deletes the object. Formats that print one moment
    run at 41 s: Terminating, the container still running."""
    c = "web"
    p = PodScript("web-5d7f9c8b6-r4t2n", "default", "2e1d0c9b-cccc-4b3c-4d5e-7f8a9b0c1d2e", created, SIGTERM_SPEC,
                  labels={"app": "web"}, ip="10.244.2.90")
    p.create_and_start(c, 'Container image "nginx:1.25" already present on machine', started=1)
    delete, grace = 40, 30
    p.pod["metadata"]["deletionTimestamp"] = p.at(delete + grace)
    p.pod["metadata"]["deletionGracePeriodSeconds"] = grace
    p.emit()
    p.event(delete, "Normal", "Killing", f"Stopping container {c}", c)
    end = delete + 2
    p.container(c, ready=False, started=False,
                state={"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": p.at(1), "finishedAt": p.at(end),
                                      "containerID": f"containerd://{p.uid[:8]}00"}})
    p.pod["status"]["phase"] = "Succeeded"
    p.cond("Ready", "False", end, "PodCompleted")
    p.cond("ContainersReady", "False", end, "PodCompleted")
    p.cond("PodReadyToStartContainers", "False", end)
    p.emit()
    p.pod["metadata"]["deletionGracePeriodSeconds"] = 0
    p.pod["metadata"]["deletionTimestamp"] = p.at(delete)
    p.emit("DELETED")
    return Scenario("delete-on-sigterm", p.name, p.namespace, created, timed(p), "deleted", None, c,
                    grace=grace, snapshot=41, event_status="Terminating")


def force_delete(created: datetime) -> Scenario:
    """`kubectl delete pod --grace-period=0 --force` at 40 s: the API server removes the object at once (the
    DELETED object carries deletionTimestamp = the request and deletionGracePeriodSeconds 0, phase still
    Running); the kubelet then stops the container (Killing), which nobody reports any more. There is no
    object left to `get` or `describe`, so only watches and Events print this pod."""
    c = "web"
    p = PodScript("web-5d7f9c8b6-w9f3s", "default", "2e1d0c9b-dddd-4b3c-4d5e-7f8a9b0c1d2f", created, SIGTERM_SPEC,
                  labels={"app": "web"}, ip="10.244.2.91")
    p.create_and_start(c, 'Container image "nginx:1.25" already present on machine', started=1)
    p.pod["metadata"]["deletionTimestamp"] = p.at(40)
    p.pod["metadata"]["deletionGracePeriodSeconds"] = 0
    p.emit("DELETED")
    p.event(40, "Normal", "Killing", f"Stopping container {c}", c)
    return Scenario("force-delete", p.name, p.namespace, created, timed(p), "deleted", None, c, grace=0, gone=True,
                    event_status="Terminating")


STARTUP_SPEC = {"containers": [{
    "name": "api", "image": "registry.example.com/shop/api:3.1.0", "imagePullPolicy": "IfNotPresent",
    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
    "startupProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "initialDelaySeconds": 0,
                     "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
    "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]}


def startup_probe(created: datetime) -> Scenario:
    """A startupProbe (httpGet, period 10 s, failureThreshold 3) on an app that never listens.

    The probe worker ticks every 10 s from admission (0 s), so each instance fails at the 3 ticks after
    its start and is killed at the third: SIGTERM ends it at once (exit 143). The kill and the restart share
    one sync, whose back-off check sees the instance before the killed one (doBackOff: the latest exited
    container): restarts at 31, 61, 91, 121 s are not delayed (10, 20, 40 s armed, each shorter than the
    30 s since that finish); the 5th kill at 150 s meets the 40 s back-off: CrashLoopBackOff.
    """
    c, image = "api", "registry.example.com/shop/api:3.1.0"
    p = PodScript("api-5c7b9d8f6-m3n8r", "shop", "7f6e5d4c-7777-4c8d-9e0f-2a3b4c5d6e7f", created, STARTUP_SPEC,
                  labels={"app": "api"}, ip="10.244.2.71")
    pulled = f'Container image "{image}" already present on machine'
    p.create_and_start(c, pulled, started=1, ready=False)
    p.container(c, started=False)  # not started until the startup probe succeeds
    p.steps[-1] = (*p.steps[-1][:2], copy.deepcopy(p.pod))
    fail = (f'Startup probe failed: Get "http://{p.ip}:8080/healthz": dial tcp {p.ip}:8080: connect: '
            "connection refused")
    start, restarts = 1.0, 0
    for kill, restart in ((30, 31), (60, 61), (90, 91), (120, 121), (150, None)):
        for tick in (kill - 20, kill - 10, kill):
            p.event(tick, "Warning", "Unhealthy", fail, c)
        p.event(kill, "Normal", "Killing", f"Container {c} failed startup probe, will be restarted", c)
        last = {"terminated": {"exitCode": 143, "reason": "Error", "startedAt": p.at(start), "finishedAt": p.at(kill),
                               "containerID": f"containerd://{p.uid[:8]}{restarts:02d}"}}
        if restart is None or restart > kill + 1:
            wait = 40 if restart is None else restart - kill
            p.container(c, state={"waiting": {"reason": "CrashLoopBackOff",
                                              "message": f"back-off {wait}s restarting failed container={c} "
                                                         f"pod={p.name}_{p.namespace}({p.uid})"}},
                        lastState=copy.deepcopy(last), started=False, ready=False)
            p.event(kill + 1, "Warning", "BackOff",
                    f"Back-off restarting failed container {c} in pod {p.name}_{p.namespace}({p.uid})", c)
            p.emit()
        if restart is None:
            break
        restarts += 1
        for reason, msg in (("Pulled", pulled), ("Created", f"Created container {c}"),
                            ("Started", f"Started container {c}")):
            p.event(restart, "Normal", reason, msg, c)
        p.container(c, state={"running": {"startedAt": p.at(restart)}}, lastState=copy.deepcopy(last),
                    restartCount=restarts, started=False, ready=False,
                    containerID=f"containerd://{p.uid[:8]}{restarts:02d}")
        p.emit()
        start = restart
    return Scenario("startup-probe", p.name, p.namespace, created, timed(p), "startup-probe", "httpGet", c)


CONFIG_SPEC = {"containers": [{"name": "api", "image": "registry.example.com/shop/api:3.1.0",
                               "imagePullPolicy": "IfNotPresent",
                               "env": [{"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {
                                   "name": "api-env", "key": "LOG_LEVEL"}}}]}]}


def config_error(created: datetime) -> Scenario:
    """An env var from a ConfigMap that does not exist: CreateContainerConfigError at every sync (~12 s), the
    image 'already present' each time, no container ever created, never CrashLoopBackOff."""
    c, image = "api", "registry.example.com/shop/api:3.1.0"
    p = PodScript("api-6f8d9c7b5-c4v7x", "shop", "3f2e1d0c-dddd-4c4d-5e6f-8a9b0c1d2e3f", created, CONFIG_SPEC,
                  labels={"app": "api"}, ip="10.244.1.91")
    _waiting_pod(p, c)
    p.pod["status"].update(podIP=p.ip, podIPs=[{"ip": p.ip}])
    p.cond("PodReadyToStartContainers", "True", 1)
    for t in (1, 13, 25, 38, 50, 62):
        p.event(t, "Normal", "Pulled", f'Container image "{image}" already present on machine', c)
        p.event(t, "Warning", "Failed", 'Error: configmap "api-env" not found', c)
        if t == 1:
            p.container(c, state={"waiting": {"reason": "CreateContainerConfigError",
                                              "message": 'configmap "api-env" not found'}})
            p.emit()
    return Scenario("config-error", p.name, p.namespace, created, timed(p), "config-error", None, c, stuck=True)


START_SPEC = {"containers": [{"name": "worker", "image": "registry.example.com/shop/worker:1.3",
                              "imagePullPolicy": "IfNotPresent", "command": ["/app/start.sh"]}]}


def cannot_run(created: datetime) -> Scenario:
    """A command that is not in the image: the runtime cannot start it (StartError, exit 128, started at the
    epoch); crash-loop back-off applies: attempts at 1, 2 (free), 12 and 32 s, then a 40 s back-off."""
    c, image = "worker", "registry.example.com/shop/worker:1.3"
    p = PodScript("worker-5b6c7d8e9-p9q8r", "shop", "4a3f2e1d-eeee-4d5e-6f7a-9b0c1d2e3f4a", created, START_SPEC,
                  labels={"app": "worker"}, ip="10.244.2.95")
    _waiting_pod(p, c)
    p.pod["status"].update(phase="Running", podIP=p.ip, podIPs=[{"ip": p.ip}])
    p.cond("PodReadyToStartContainers", "True", 1)
    err = ('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create '
           'failed: unable to start container process: exec: "/app/start.sh": stat /app/start.sh: no such file or '
           'directory: unknown')
    last = None
    for n, t in enumerate((1, 2, 12, 32)):
        p.event(t, "Normal", "Pulled", f'Container image "{image}" already present on machine', c)
        p.event(t, "Normal", "Created", f"Created container {c}", c)
        p.event(t, "Warning", "Failed", f"Error: {err}", c)
        term = {"terminated": {"exitCode": 128, "reason": "StartError", "message": err,
                               "startedAt": "1970-01-01T00:00:00Z", "finishedAt": p.at(t),
                               "containerID": f"containerd://{p.uid[:8]}{n:02d}"}}
        p.container(c, state=copy.deepcopy(term), lastState=copy.deepcopy(last) if last else {}, restartCount=n,
                    containerID=f"containerd://{p.uid[:8]}{n:02d}")
        p.emit()
        if n:
            wait = {1: 10, 2: 20, 3: 40}[n]
            p.event(t + 1, "Warning", "BackOff",
                    f"Back-off restarting failed container {c} in pod {p.name}_{p.namespace}({p.uid})", c)
            p.container(c, state={"waiting": {"reason": "CrashLoopBackOff",
                                              "message": f"back-off {wait}s restarting failed container={c} "
                                                         f"pod={p.name}_{p.namespace}({p.uid})"}},
                        lastState=copy.deepcopy(term))
            p.emit()
        last = term
    return Scenario("cannot-run", p.name, p.namespace, created, timed(p), "cannot-run", None, c)


DEADLINE_SPEC = {"activeDeadlineSeconds": 30, "restartPolicy": "Never",
                 "containers": [{"name": "batch", "image": "registry.example.com/ml/batch:2.0",
                                 "imagePullPolicy": "IfNotPresent"}]}


def deadline_exceeded(created: datetime) -> Scenario:
    """activeDeadlineSeconds 30 counted from startTime (0 s): at 30 s the kubelet fails the pod (reason
    DeadlineExceeded) and stops its container, which exits on SIGTERM at 31 s; no restart, not a deletion."""
    c = "batch"
    p = PodScript("batch-run-7x2kq", "ml", "5b4a3f2e-ffff-4e6f-7a8b-0c1d2e3f4a5b", created, DEADLINE_SPEC,
                  labels={"job": "batch"}, ip="10.244.3.99")
    p.create_and_start(c, 'Container image "registry.example.com/ml/batch:2.0" already present on machine', started=1)
    msg = "Pod was active on the node longer than the specified deadline"
    p.event(30, "Normal", "DeadlineExceeded", msg)
    p.event(30, "Normal", "Killing", f"Stopping container {c}", c)
    p.pod["status"].update(phase="Failed", reason="DeadlineExceeded", message=msg)
    p.cond("Ready", "False", 30, "PodFailed")
    p.cond("ContainersReady", "False", 30, "PodFailed")
    p.container(c, ready=False)
    p.emit()
    p.container(c, started=False, state={"terminated": {"exitCode": 143, "reason": "Error", "startedAt": p.at(1),
                                                        "finishedAt": p.at(31),
                                                        "containerID": f"containerd://{p.uid[:8]}00"}})
    p.cond("PodReadyToStartContainers", "False", 31)
    p.emit()
    return Scenario("deadline-exceeded", p.name, p.namespace, created, timed(p), "deadline-exceeded", None, c)


EVICT_SPEC = {"containers": [{"name": "cache", "image": "registry.example.com/shop/cache:5.0",
                              "imagePullPolicy": "IfNotPresent",
                              "resources": {"requests": {"memory": "512Mi"}}}]}


def evicted(created: datetime) -> Scenario:
    """Node-pressure eviction at 60 s (1.26+ wording): Evicted event, DisruptionTarget TerminationByKubelet,
    phase Failed reason Evicted, Killing, the container ends exit 137 (1.22+ kubelets report it, so kubectl
    shows Error); never restarted."""
    c = "cache"
    p = PodScript("cache-6c8d7f9b5-j2m4n", "shop", "6c5b4a3f-1111-4f7a-8b9c-1d2e3f4a5b6c", created, EVICT_SPEC,
                  labels={"app": "cache"}, ip="10.244.1.120")
    p.pod["status"]["qosClass"] = "Burstable"
    p.create_and_start(c, 'Container image "registry.example.com/shop/cache:5.0" already present on machine',
                       started=1)
    msg = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 91284Ki. Container cache "
           "was using 1843Mi, request is 512Mi, has larger consumption of memory. ")
    p.event(60, "Warning", "Evicted", msg)
    p.cond("DisruptionTarget", "True", 60, "TerminationByKubelet", msg)
    p.pod["status"].update(phase="Failed", reason="Evicted", message=msg)
    p.cond("Ready", "False", 60, "PodFailed")
    p.cond("ContainersReady", "False", 60, "PodFailed")
    p.container(c, ready=False)
    p.emit()
    p.event(60, "Normal", "Killing", f"Stopping container {c}", c)
    p.container(c, started=False, state={"terminated": {"exitCode": 137, "reason": "Error", "startedAt": p.at(1),
                                                        "finishedAt": p.at(61),
                                                        "containerID": f"containerd://{p.uid[:8]}00"}})
    p.cond("PodReadyToStartContainers", "False", 61)
    p.emit()
    return Scenario("evicted", p.name, p.namespace, created, timed(p), "evicted", None, c)


VICTIM_SPEC = {"priorityClassName": "batch-low", "priority": 100,
               "containers": [{"name": "crunch", "image": "registry.example.com/ml/crunch:1.0",
                               "imagePullPolicy": "IfNotPresent"}]}


def preempted(created: datetime) -> Scenario:
    """A low-priority pod preempted at 50 s (1.29+ message with the preemptor's uid): DisruptionTarget
    PreemptionByScheduler, deleted with its own 30 s grace; it handles SIGTERM (exit 143 at 52 s), then gone.
    Commands that print one moment run at 51 s, while it is Terminating."""
    c = "crunch"
    p = PodScript("crunch-4h7k2", "ml", "7d6c5b4a-2222-4a8b-9c0d-2e3f4a5b6c7d", created, VICTIM_SPEC,
                  labels={"app": "crunch"}, ip="10.244.2.130")
    p.create_and_start(c, 'Container image "registry.example.com/ml/crunch:1.0" already present on machine',
                       started=1)
    dt = "default-scheduler: preempting to accommodate a higher priority pod"
    p.cond("DisruptionTarget", "True", 50, "PreemptionByScheduler", dt)
    p.emit()
    p.steps.append(("events", "ADDED", {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{p.name}.18b1c2d3e4f5a6b7", "namespace": p.namespace, "uid": f"{p.uid[:8]}-ev-pre",
                     "creationTimestamp": p.at(50)},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": p.name, "namespace": p.namespace, "uid": p.uid},
        "reason": "Preempted", "message": "Preempted by pod 64d6df7b-1106-4f83-9e78-0d8aad437582 on node node1",
        "type": "Normal", "firstTimestamp": None, "lastTimestamp": None, "count": 0, "source": {},
        "eventTime": ts_(p, 50.01), "action": "Preempting", "reportingComponent": "default-scheduler",
        "reportingInstance": "default-scheduler-master1"}))
    p.pod["metadata"]["deletionTimestamp"] = p.at(80)
    p.pod["metadata"]["deletionGracePeriodSeconds"] = 30
    p.emit()
    p.event(50, "Normal", "Killing", f"Stopping container {c}", c)
    p.container(c, ready=False, started=False,
                state={"terminated": {"exitCode": 143, "reason": "Error", "startedAt": p.at(1), "finishedAt": p.at(52),
                                      "containerID": f"containerd://{p.uid[:8]}00"}})
    p.pod["status"]["phase"] = "Failed"
    p.cond("Ready", "False", 52, "PodFailed")
    p.cond("ContainersReady", "False", 52, "PodFailed")
    p.emit()
    p.pod["metadata"]["deletionGracePeriodSeconds"] = 0
    p.pod["metadata"]["deletionTimestamp"] = p.at(50)
    p.emit("DELETED")
    return Scenario("preempted", p.name, p.namespace, created, timed(p), "preempted", None, c, snapshot=51)


NODE_SPEC = {"containers": [{"name": "db", "image": "registry.example.com/shop/db:15.4",
                             "imagePullPolicy": "IfNotPresent"}],
             "terminationGracePeriodSeconds": 30,
             "tolerations": [{"key": f"node.kubernetes.io/{k}", "operator": "Exists", "effect": "NoExecute",
                              "tolerationSeconds": 300} for k in ("not-ready", "unreachable")]}


def _controller_event(p: PodScript, s: float, type_: str, reason: str, message: str, component: str) -> None:
    """An event of a control-plane controller: its source names no host."""
    p.event(s, type_, reason, message, component=component)
    for ev in (p.steps[-1][2], p._events[(reason, message, "")]):
        ev["source"], ev["reportingInstance"] = {"component": component}, ""


def node_lost(created: datetime) -> Scenario:
    """The pod's node stops reporting at 60 s. 50 s later (node-monitor-grace-period, 1.32+) the node
    controller marks the pod not ready (Ready False, MarkPodsNotReady) with a NodeNotReady event; the
    default 300 s toleration of the unreachable NoExecute taint runs out at 410 s: TaintManagerEviction,
    DisruptionTarget DeletionByTaintManager, DELETE with the pod's 30 s. The kubelet is unreachable, so no
    Killing, no exit, phase stays Running: Terminating (READY stale 1/1) for ever. Commands run at 500 s."""
    c = "db"
    p = PodScript("db-7c9d8f6b5-k4w2z", "shop", "8e7d6c5b-3333-4b9c-0d1e-3f4a5b6c7d8e", created, NODE_SPEC,
                  labels={"app": "db"}, ip="10.244.3.140")
    p.create_and_start(c, 'Container image "registry.example.com/shop/db:15.4" already present on machine',
                       started=1)
    p.cond("Ready", "False", 110)  # MarkPodsNotReady flips the status only; ContainersReady and READY are stale
    p.emit()
    _controller_event(p, 110, "Warning", "NodeNotReady", "Node is not ready", "node-controller")
    _controller_event(p, 410, "Normal", "TaintManagerEviction", f"Marking for deletion Pod {p.namespace}/{p.name}",
                      "taint-eviction-controller")
    p.cond("DisruptionTarget", "True", 410, "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
    p.emit()
    p.pod["metadata"]["deletionTimestamp"] = p.at(440)
    p.pod["metadata"]["deletionGracePeriodSeconds"] = 30
    p.emit()
    return Scenario("node-lost", p.name, p.namespace, created, timed(p), "node-lost", None, c, stuck=True,
                    quiet_until=500, event_status="Terminating")


HOOK_SPEC = {"containers": [{"name": "web", "image": "registry.example.com/shop/web:2.0",
                             "imagePullPolicy": "IfNotPresent",
                             "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "/app/register.sh"]}}}}]}


def post_start_hook(created: datetime) -> Scenario:
    """A postStart exec hook that exits 1, 1 s after each start: FailedPostStartHook, the kubelet kills the
    container (Killing `FailedPostStartHook`, SIGTERM, exit 143) and its waiting reason is PostStartHookError.
    The kubelet's status is written after the hook, so no instance is ever shown running. Starts at 1, 2 (the
    free restart), 13 and 34 s; the exit at 35 s meets a 40 s back-off: CrashLoopBackOff."""
    c = "web"
    p = PodScript("web-8d6f7c9b4-h5j3k", "shop", "9f8e7d6c-4444-4c0d-1e2f-4a5b6c7d8e9f", created, HOOK_SPEC,
                  labels={"app": "web"}, ip="10.244.2.150")
    _waiting_pod(p, c)
    p.pod["status"].update(phase="Running", podIP=p.ip, podIPs=[{"ip": p.ip}])
    p.cond("PodReadyToStartContainers", "True", 1)
    hook = (f"Exec lifecycle hook ([sh -c /app/register.sh]) for Container \"{c}\" in Pod \"{p.name}_{p.namespace}"
            f"({p.uid})\" failed - error: command 'sh -c /app/register.sh' exited with 1: , message: "
            '"registration service unavailable\\n"')
    for n, start in enumerate((1, 2, 13, 34)):
        p.event(start, "Normal", "Pulled", 'Container image "registry.example.com/shop/web:2.0" already present on '
                                           "machine", c)
        p.event(start, "Normal", "Created", f"Created container {c}", c)
        p.event(start, "Normal", "Started", f"Started container {c}", c)
        p.event(start + 1, "Warning", "FailedPostStartHook", hook, c)
        p.event(start + 1, "Normal", "Killing", "FailedPostStartHook", c)
        last = {"terminated": {"exitCode": 143, "reason": "Error", "startedAt": p.at(start),
                               "finishedAt": p.at(start + 1), "containerID": f"containerd://{p.uid[:8]}{n:02d}"}}
        p.container(c, state={"waiting": {"reason": "PostStartHookError", "message": hook}}, lastState=last,
                    restartCount=n, containerID=f"containerd://{p.uid[:8]}{n:02d}")
        p.emit()
        if n:
            wait = {1: 10, 2: 20, 3: 40}[n]
            p.event(start + 2, "Warning", "BackOff",
                    f"Back-off restarting failed container {c} in pod {p.name}_{p.namespace}({p.uid})", c)
            p.container(c, state={"waiting": {"reason": "CrashLoopBackOff",
                                              "message": f"back-off {wait}s restarting failed container={c} "
                                                         f"pod={p.name}_{p.namespace}({p.uid})"}})
            p.emit()
    return Scenario("post-start-hook", p.name, p.namespace, created, timed(p), "post-start-hook", None, c)


BIG_SPEC = {"containers": [{"name": "trainer", "image": "registry.example.com/ml/trainer:0.9",
                            "imagePullPolicy": "IfNotPresent",
                            "resources": {"requests": {"memory": "48Gi", "cpu": "2"},
                                          "limits": {"memory": "48Gi"}}}]}


def _scheduler_event(p: PodScript, first: float, last: float, count: int, message: str) -> dict:
    """The scheduler's FailedScheduling (events.k8s.io recorder: eventTime, a series once it repeats)."""
    ev = {"apiVersion": "v1", "kind": "Event",
          "metadata": {"name": f"{p.name}.18a0f1e2d3c4b5a6", "namespace": p.namespace,
                       "uid": f"{p.uid[:8]}-ev-sched", "creationTimestamp": p.at(first)},
          "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": p.name, "namespace": p.namespace,
                             "uid": p.uid},
          "reason": "FailedScheduling", "message": message, "type": "Warning",
          "firstTimestamp": None, "lastTimestamp": None, "count": 0, "source": {},
          "eventTime": ts_(p, first + 0.012345), "action": "Scheduling",
          "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-master1"}
    if count > 1:
        ev["series"] = {"count": count, "lastObservedTime": ts_(p, last + 0.012345)}
    return ev


def ts_(p: PodScript, s: float) -> str:
    return ls.ts(p.created, s)


def unschedulable(created: datetime) -> Scenario:
    """A 48Gi memory request on three 16Gi nodes: Pending, PodScheduled=False Unschedulable, retried at 5 min."""
    p = PodScript("trainer-0", "ml", "8a7f6e5d-8888-4d9e-0f1a-3b4c5d6e7f8a", created, BIG_SPEC,
                  labels={"app": "trainer"})
    p.pod["status"]["qosClass"] = "Burstable"
    p.emit("ADDED")
    msg = ("0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: "
           "3 No preemption victims found for incoming pod.")
    p.cond("PodScheduled", "False", 0, "Unschedulable", msg)
    p.emit()
    p.steps.append(("events", "ADDED", _scheduler_event(p, 0, 0, 1, msg)))
    # the unschedulable pool is flushed after 5 min: the second attempt, the series' first update
    p.steps.append(("events", "MODIFIED", _scheduler_event(p, 0, 300, 2, msg)))
    p.steps.append(("events", "MODIFIED", _scheduler_event(p, 0, 600, 3, msg)))
    return Scenario("unschedulable", p.name, p.namespace, created, timed(p), "unschedulable", None, None,
                    stuck=True, event_status="Pending")


VOLUME_SPEC = {"containers": [{"name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                               "volumeMounts": [{"name": "config", "mountPath": "/etc/nginx/conf.d"}]}],
               "volumes": [{"name": "config", "configMap": {"name": "web-settings", "defaultMode": 420}}]}


def _waiting_pod(p: PodScript, c: str) -> None:
    """Scheduled, then ContainerCreating: the kubelet has the pod but cannot start its containers."""
    p.emit("ADDED")
    p.scheduled(0)
    p.pod["spec"]["nodeName"] = p.node
    p.cond("PodScheduled", "True", 0)
    p.emit()
    p.pod["status"].update(hostIP="192.168.10.101", hostIPs=[{"ip": "192.168.10.101"}], startTime=p.at(0))
    p.cond("PodReadyToStartContainers", "False", 0)
    p.cond("Initialized", "True", 0)
    p.cond("Ready", "False", 0, "ContainersNotReady", f"containers with unready status: [{c}]")
    p.cond("ContainersReady", "False", 0, "ContainersNotReady", f"containers with unready status: [{c}]")
    p.container(c, state={"waiting": {"reason": "ContainerCreating"}})
    p._reorder_conditions()
    p.emit()


def volume_missing(created: datetime) -> Scenario:
    """A configMap volume whose ConfigMap does not exist: ContainerCreating, FailedMount retried with the
    volume manager's back-off (0.5 s doubling, cap 2m2s)."""
    c = "web"
    p = PodScript("web-6b8c7d9f5-zt7wq", "default", "9b8a7f6e-9999-4e0f-1a2b-4c5d6e7f8a9b", created, VOLUME_SPEC,
                  labels={"app": "web"})
    _waiting_pod(p, c)
    msg = 'MountVolume.SetUp failed for volume "config" : configmap "web-settings" not found'
    t, delay = 0.5, 0.5
    while t < 200:
        p.event(t, "Warning", "FailedMount", msg)
        delay = min(delay * 2, 122.0)
        t += delay
    return Scenario("volume-missing", p.name, p.namespace, created, timed(p), "volume", None, c, stuck=True,
                    event_status="ContainerCreating")


SANDBOX_SPEC = {"containers": [{"name": "worker", "image": "registry.example.com/shop/worker:1.2",
                                "imagePullPolicy": "IfNotPresent"}]}


def sandbox_failure(created: datetime) -> Scenario:
    """The CNI cannot set up the network (calico/node not running): FailedCreatePodSandBox every ~15 s."""
    c = "worker"
    p = PodScript("worker-7f9d8c6b5-hq2lv", "shop", "0c9b8a7f-aaaa-4f1a-2b3c-5d6e7f8a9b0c", created, SANDBOX_SPEC,
                  labels={"app": "worker"})
    _waiting_pod(p, c)
    for k, t in enumerate(range(1, 120, 15)):
        sid = f"{k:02d}3f9a1c2b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9"
        p.event(t, "Warning", "FailedCreatePodSandBox",
                f'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox '
                f'"{sid}": plugin type="calico" failed (add): stat /var/lib/calico/nodename: no such file or '
                "directory: check that the calico/node container is running and has mounted /var/lib/calico/")
        if k:
            p.event(t, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
    return Scenario("sandbox-failure", p.name, p.namespace, created, timed(p), "sandbox", None, c, stuck=True,
                    event_status="ContainerCreating")


INIT_PULL_SPEC = {
    "initContainers": [{"name": "fetch-config", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent",
                        "command": ["sh", "-c", "echo fetched > /work/config"]}],
    "containers": [{"name": "cart", "image": "registry.example.com/shop/cart:9.9.9", "imagePullPolicy": "Always"}]}


def init_then_pull(created: datetime) -> Scenario:
    """An init container pulls its image and completes; the app container's image does not exist.

    Both containers' pulls are Events on the same pod: only their fieldPath (printed by `get events -o wide`)
    and the image they name say whose they are. ErrImagePull at 4 s, pulls again at 14 and 35 s."""
    init, c, image = "fetch-config", "cart", "registry.example.com/shop/cart:9.9.9"
    p = PodScript("cart-84c9f7d6b-w8k2l", "shop", "1d0c9b8a-bbbb-4a2b-3c4d-6e7f8a9b0c1d", created, INIT_PULL_SPEC,
                  labels={"app": "cart"}, ip="10.244.1.58")
    p.emit("ADDED")
    p.scheduled(0)
    p.pod["spec"]["nodeName"] = p.node
    p.cond("PodScheduled", "True", 0)
    p.emit()
    st = p.pod["status"]
    st.update(hostIP="192.168.10.101", startTime=p.at(0), podIP=p.ip, podIPs=[{"ip": p.ip}])
    p.cond("Initialized", "False", 0, "ContainersNotInitialized", f"containers with incomplete status: [{init}]")
    p.cond("Ready", "False", 0, "ContainersNotReady", f"containers with unready status: [{c}]")
    p.cond("ContainersReady", "False", 0, "ContainersNotReady", f"containers with unready status: [{c}]")
    st["initContainerStatuses"] = [{"name": init, "image": "busybox:1.36", "imageID": "", "ready": False,
                                    "restartCount": 0, "started": False,
                                    "state": {"waiting": {"reason": "PodInitializing"}}, "lastState": {}}]
    p.container(c, state={"waiting": {"reason": "PodInitializing"}})
    p.emit()

    def init_event(s: float, reason: str, msg: str) -> None:
        p.event(s, "Normal", reason, msg, init)
        p.steps[-1][2]["involvedObject"]["fieldPath"] = f"spec.initContainers{{{init}}}"
        p._events[(reason, msg, init)]["involvedObject"]["fieldPath"] = f"spec.initContainers{{{init}}}"

    init_event(0.5, "Pulling", 'Pulling image "busybox:1.36"')
    init_event(2, "Pulled", 'Successfully pulled image "busybox:1.36" in 1.402s (1.402s including waiting). '
                            "Image size: 2166802 bytes.")
    init_event(2, "Created", f"Created container {init}")
    init_event(2, "Started", f"Started container {init}")
    st["initContainerStatuses"][0].update(state={"running": {"startedAt": p.at(2)}}, started=True)
    p.emit()
    st["initContainerStatuses"][0].update(
        state={"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": p.at(2), "finishedAt": p.at(3),
                              "containerID": f"containerd://{p.uid[:8]}i0"}}, started=False, ready=True)
    p.cond("Initialized", "True", 3)
    p.container(c, state={"waiting": {"reason": "ContainerCreating"}})
    p.emit()
    fail = (f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and unpack image '
            f'"{image}": failed to resolve reference "{image}": {image}: not found')
    for pull, back in ((3, (5, 14)), (14, (16, 35)), (35, (37, 47))):
        p.event(pull, "Normal", "Pulling", f'Pulling image "{image}"', c)
        p.event(pull + 1, "Warning", "Failed", fail, c)
        p.event(pull + 1, "Warning", "Failed", "Error: ErrImagePull", c)
        p.container(c, state={"waiting": {"reason": "ErrImagePull", "message": fail}})
        p.emit()
        p.event(back[0], "Normal", "BackOff", f'Back-off pulling image "{image}"', c)
        p.event(back[0], "Warning", "Failed", "Error: ImagePullBackOff", c)
        p.container(c, state={"waiting": {"reason": "ImagePullBackOff",
                                          "message": f'Back-off pulling image "{image}"'}})
        p.emit()
    return Scenario("init-then-pull", p.name, p.namespace, created, timed(p), "image-pull", None, c,
                    check_container=True)


ALL = (liveness_exec, readiness_flap, oom_killed, multi_container, init_failure, image_pull, graceful_delete,
       delete_on_sigterm, startup_probe, init_then_pull, config_error, cannot_run, deadline_exceeded, evicted,
       preempted, unschedulable, node_lost, post_start_hook,
       force_delete,
       volume_missing, sandbox_failure)


def build(make, end_at: datetime | None = None, snapshot: bool = False, minor: int = printers.LATEST) -> Scenario:
    """The scenario placed so that it ends at `end_at` (now): kubectl's own clock then agrees.

    `snapshot`: for a command that prints one moment; a scenario with a `snapshot` time is cut there
    (its pod still exists then) and placed so that moment is now."""
    probe = make(datetime(2023, 3, 19, 9, 45, tzinfo=timezone.utc))
    end_at = end_at or datetime.now(timezone.utc).replace(microsecond=0)
    at = probe.snapshot if snapshot and probe.snapshot is not None else probe.end
    from datetime import timedelta
    sc = dataclasses.replace(make(end_at - timedelta(seconds=at)), server_minor=minor)
    return sc.until(at) if snapshot and sc.snapshot is not None else sc
