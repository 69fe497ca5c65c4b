"""Scripted pod lifecycles for the kubectl oracle, each with the truth podlife must recover.

A scenario is the kubelet's story of one pod as API changes (resource, watch type, object), built
with the live tests' PodScript, plus its scenario time (seconds after creation) and the truth:
restart times, readiness flips, final RESTARTS and STATUS (as kubectl's own printer computes them
on the last object), cause and probe handler. Times follow k8s-lifecycle.md (free first restart,
back-off 10 s doubling, measured from the previous instance's FinishedAt).
"""

from __future__ import annotations

import copy
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

    @property
    def end(self) -> float:
        return self.steps[-1][0]

    @property
    def final_pod(self) -> dict:
        return next(o for _, r, _, o in reversed(self.steps) if r == "pods")

    @property
    def final_status(self) -> str:
        return printers.pod_cells(self.final_pod, self.created)[2]

    @property
    def restarts(self) -> int:
        return int(printers.pod_cells(self.final_pod, self.created)[3].split()[0])

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
                    out.append(self._t(running["startedAt"]) if running else t)
        return sorted(out)

    def _t(self, stamp: str) -> float:
        return (isoparse(stamp) - self.created).total_seconds()


def _latest(obj: dict) -> list[str]:
    """Every timestamp inside a pod version that says when it was written."""
    out: list[str] = []
    st = obj.get("status") or {}
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
            stamp = obj.get("lastTimestamp") or obj.get("eventTime")
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


ALL = (liveness_exec, readiness_flap, oom_killed, multi_container, init_failure, image_pull)


def build(make, end_at: datetime | None = None) -> Scenario:
    """The scenario placed so that it ends at `end_at` (now): kubectl's own clock then agrees."""
    probe = make(datetime(2023, 3, 19, 9, 45, tzinfo=timezone.utc))
    end_at = end_at or datetime.now(timezone.utc).replace(microsecond=0)
    from datetime import timedelta
    return make(end_at - timedelta(seconds=probe.end))
